// One authorization code flow as a browser and its client would run it (RFC 6749 §4.1, RFC 7636 S256).
import type { Agent } from 'node:http';
import { type Browser, basic, isConsentPage, isLoginPage, pkce, send } from './browser.ts';

/** What a load generator needs to know to drive one system under test. */
export interface Target {
  /** Origin of the server, e.g. http://127.0.0.1:1234. */
  base: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  introspectionEndpoint: string | undefined;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
  /** Scope for client_credentials. */
  serviceScope: string;
  /** Extra authorization request parameters. */
  extra: Record<string, string>;
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export interface User {
  username: string;
  password: string;
}

/**
 * authorize → (login) → (consent) → redirect → token exchange. With `user` undefined the browser
 * must already hold a session and a consent: any login page is a failure.
 */
export async function codeFlow(browser: Browser, agent: Agent, t: Target, user: User | undefined): Promise<Tokens> {
  const { verifier, challenge } = pkce();
  const state = Math.random().toString(36).slice(2);
  const url = new URL(t.authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: t.clientId,
    redirect_uri: t.redirectUri,
    scope: t.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...t.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let page = await browser.open(url.href);
  if (isLoginPage(page)) {
    if (!user) throw new Error('a returning user was asked to sign in again');
    page = await browser.submit(page, { username: user.username, password: user.password });
  }
  if (isConsentPage(page)) page = await browser.submit(page, { decision: 'allow' });
  if (!page.url.startsWith(t.redirectUri))
    throw new Error(`the flow did not end at the client: ${page.status} ${page.url} ${page.body.slice(0, 300)}`);
  const back = new URL(page.url).searchParams;
  const code = back.get('code');
  if (!code || back.get('state') !== state) throw new Error(`no code in ${page.url}`);
  const res = await browser.count(
    send(agent, t.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t.clientId, t.clientSecret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: t.redirectUri,
        code_verifier: verifier,
      }).toString(),
    }),
  );
  if (res.status !== 200) throw new Error(`token exchange: ${res.status} ${res.body.slice(0, 300)}`);
  const tokens = JSON.parse(res.body) as Tokens;
  if (typeof tokens.access_token !== 'string') throw new Error('token exchange: no access_token');
  return tokens;
}
