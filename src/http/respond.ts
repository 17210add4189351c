// The response helpers: JSON (RFC 6749 §5.1 no-store), pages and redirects.
import type { OAuthResponse } from './types.ts';

/** RFC 6749 §5.1: token responses MUST carry Cache-Control: no-store. Every JSON answer does here. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): OAuthResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** The JSON text of bodies served again and again (discovery, JWKS), by identity: they are never changed, only replaced. */
const publicTexts = new WeakMap<object, string>();

/** Public, cacheable JSON (discovery, JWKS). The same body object is serialized once. */
export function publicJson(body: object, maxAge: number): OAuthResponse {
  let text = publicTexts.get(body);
  if (text === undefined) {
    text = JSON.stringify(body);
    publicTexts.set(body, text);
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': `public, max-age=${maxAge}` },
    body: text,
  };
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): OAuthResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store', ...headers }, body: '' };
}

/**
 * Appends `params` to the query of `uri` as registered, byte for byte (RFC 6749 §4.1.2: the existing
 * query is retained; §3.1.2: a redirect URI has no fragment).
 */
export function withQuery(uri: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.append(k, v);
  const query = q.toString();
  if (!query) return uri;
  return uri + (uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?') + query;
}
