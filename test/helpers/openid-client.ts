// The browser half of a code flow driven by openid-client: its authorization URL with PKCE S256,
// signed in and answered by the test browser, and what openid-client needs to redeem the code.
import * as client from 'openid-client';
import { Browser } from './browser.ts';
import { REDIRECT_URI } from './server.ts';

export interface Authorized {
  /** The redirect back to the client, with the code. */
  callback: URL;
  /** The PKCE code verifier, for `authorizationCodeGrant`. */
  verifier: string;
}

/** Sends `user` through `/authorize` for `config`'s client (scope `openid` unless `params` says otherwise). */
export async function authorizeWithOpenidClient(
  config: client.Configuration,
  user: { username: string; password: string },
  params: Record<string, string> = {},
): Promise<Authorized> {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  const landing = await new Browser().authorize(url.href, user);
  return { callback: new URL(landing.url), verifier };
}
