// Helpers to build authorization requests and call the token endpoint by hand, for refusal tests.
import { randomBytes } from 'node:crypto';
import { s256 } from '../../src/grants/pkce.ts';
import { basicCredentials } from '../../src/resource-server/introspection.ts';
import { Browser } from './browser.ts';
import { REDIRECT_URI } from './server.ts';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

export function authorizeUrl(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(`${base}/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** A code request to the test redirect URI with scope openid and a fresh S256 challenge; `extra` overrides. */
export function codeRequestUrl(base: string, clientId: string, extra: Record<string, string | undefined> = {}): string {
  return authorizeUrl(base, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

export interface Exchange {
  code: string;
  verifier: string;
  browser: Browser;
}

/** Signs in and consents; returns the code from the redirect. */
export async function getCode(
  base: string,
  clientId: string,
  user: { username: string; password: string },
  extra: Record<string, string | undefined> = {},
  browser = new Browser(),
): Promise<Exchange> {
  const { verifier, challenge } = pkce();
  const page = await browser.authorize(
    codeRequestUrl(base, clientId, { scope: 'openid offline_access', state: 'st', code_challenge: challenge, ...extra }),
    user,
  );
  const code = new URL(page.url).searchParams.get('code');
  if (!code) throw new Error(`no code in ${page.url} (status ${page.status})\n${page.html.slice(0, 300)}`);
  return { code, verifier, browser };
}

/** RFC 6749 §2.3.1 Basic credentials, encoded as the resource-server module sends them. */
export const basic = basicCredentials;

export async function tokenRequest(
  base: string,
  form: Record<string, string>,
  auth?: string,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${base}/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
