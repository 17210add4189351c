// The browser's cookies: the login session, the CSRF binding and the known-browser mark (HttpOnly,
// SameSite=Lax; with an https issuer Secure and the __Host- prefix).
import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { OAuthRequest } from '../http/types.ts';
import { constantTimeEqual, hashToken, randomToken } from '../tokens/opaque.ts';

export const SESSION_COOKIE = 'lk_session';
export const CSRF_COOKIE = 'lk_csrf';
/** Long-lived proof that this browser has signed in to an account before (accounts/brute-force.ts). */
export const DEVICE_COOKIE = 'lk_device';

/** What the cookie functions need: the issuer (for the name and Secure) and the server's cookie key. */
export interface CookieDeps {
  config: Pick<Config, 'issuer'>;
  /** HMAC key for the CSRF cookie values this server issues (derived from the secret; server.ts). */
  cookieKey: Buffer;
}

/**
 * The name a cookie has on the wire. RFC 6265bis §4.1.3.2: a `__Host-` cookie must be Secure, with
 * Path=/ and no Domain, so a sibling subdomain or a plain-http page cannot set or replace it.
 */
export function cookieName(name: string, config: Pick<Config, 'issuer'>): string {
  return config.issuer.startsWith('https:') ? `__Host-${name}` : name;
}

/** The value of one of our cookies in a request. */
export function readCookie(req: OAuthRequest, name: string, config: Pick<Config, 'issuer'>): string | undefined {
  return req.cookies[cookieName(name, config)];
}

export function serializeCookie(name: string, value: string, config: Pick<Config, 'issuer'>, maxAge?: number): string {
  const parts = [`${cookieName(name, config)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (config.issuer.startsWith('https:')) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  return parts.join('; ');
}

export function clearCookie(name: string, config: Pick<Config, 'issuer'>): string {
  return serializeCookie(name, '', config, 0);
}

const mac = (random: string, key: Buffer): string => createHmac('sha256', key).update(`csrf:${random}`).digest('base64url');

/**
 * A CSRF cookie value this server issued: 256 random bits and their HMAC under the cookie key. A value
 * planted in the browser by someone else (cookie injection) has no valid MAC and is never adopted, so
 * its planter cannot know the form tokens derived from it.
 */
function issuedValue(value: string | undefined, key: Buffer): value is string {
  const m = value === undefined ? null : /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/.exec(value);
  return !!m?.[1] && !!m[2] && constantTimeEqual(mac(m[1], key), m[2]);
}

/** The browser's CSRF secret, and the Set-Cookie to send when it is new (or was not ours). */
export function browserSecret(req: OAuthRequest, deps: CookieDeps): { secret: string; setCookie?: string } {
  const existing = readCookie(req, CSRF_COOKIE, deps.config);
  if (issuedValue(existing, deps.cookieKey)) return { secret: existing };
  const random = randomToken();
  const secret = `${random}.${mac(random, deps.cookieKey)}`;
  return { secret, setCookie: serializeCookie(CSRF_COOKIE, secret, deps.config) };
}

/** The CSRF secret of this request's browser, when it carries one this server issued; '' otherwise. */
export function csrfSecret(req: OAuthRequest, deps: CookieDeps): string {
  const value = readCookie(req, CSRF_COOKIE, deps.config);
  return issuedValue(value, deps.cookieKey) ? value : '';
}

/** What the interaction record keeps of the browser that began it. */
export const browserHash = (secret: string): string => hashToken(secret);

/** The form token for one interaction in one browser: derived, so nothing more is stored. */
export const csrfToken = (secret: string, interactionId: string): string => hashToken(`${secret}:${interactionId}`);

/** True when the request comes from the browser that began the interaction and carries its form token. */
export function checkCsrf(
  req: OAuthRequest,
  deps: CookieDeps,
  interactionId: string,
  expectedBrowserHash: string,
  formToken: string | undefined,
): boolean {
  const secret = csrfSecret(req, deps);
  if (!secret || !formToken) return false;
  const sameBrowser = constantTimeEqual(browserHash(secret), expectedBrowserHash);
  const tokenOk = constantTimeEqual(csrfToken(secret, interactionId), formToken);
  return sameBrowser && tokenOk;
}

/** True when the cookie of this request belongs to the browser that began the interaction. */
export function sameBrowser(req: OAuthRequest, deps: CookieDeps, expectedBrowserHash: string): boolean {
  const secret = csrfSecret(req, deps);
  return !!secret && constantTimeEqual(browserHash(secret), expectedBrowserHash);
}
