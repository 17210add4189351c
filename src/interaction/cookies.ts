// The browser's cookies: the login session and the CSRF binding (HttpOnly, SameSite=Lax, Secure on https).
import type { Config } from '../config/schema.ts';
import type { OAuthRequest } from '../http/types.ts';
import { constantTimeEqual, hashToken, randomToken } from '../tokens/opaque.ts';

export const SESSION_COOKIE = 'lk_session';
export const CSRF_COOKIE = 'lk_csrf';
/** Long-lived proof that this browser has signed in to an account before (accounts/brute-force.ts). */
export const DEVICE_COOKIE = 'lk_device';

export function serializeCookie(name: string, value: string, config: Config, maxAge?: number): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (config.issuer.startsWith('https:')) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  return parts.join('; ');
}

export function clearCookie(name: string, config: Config): string {
  return serializeCookie(name, '', config, 0);
}

/** The browser's CSRF secret, and the Set-Cookie to send when it is new. */
export function browserSecret(req: OAuthRequest, config: Config): { secret: string; setCookie?: string } {
  const existing = req.cookies[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { secret: existing };
  const secret = randomToken();
  return { secret, setCookie: serializeCookie(CSRF_COOKIE, secret, config) };
}

/** What the interaction record keeps of the browser that began it. */
export const browserHash = (secret: string): string => hashToken(secret);

/** The form token for one interaction in one browser: derived, so nothing more is stored. */
export const csrfToken = (secret: string, interactionId: string): string => hashToken(`${secret}:${interactionId}`);

/** True when the request comes from the browser that began the interaction and carries its form token. */
export function checkCsrf(req: OAuthRequest, interactionId: string, expectedBrowserHash: string, formToken: string | undefined): boolean {
  const secret = req.cookies[CSRF_COOKIE];
  if (!secret || !formToken) return false;
  const sameBrowser = constantTimeEqual(browserHash(secret), expectedBrowserHash);
  const tokenOk = constantTimeEqual(csrfToken(secret, interactionId), formToken);
  return sameBrowser && tokenOk;
}

/** True when the cookie of this request belongs to the browser that began the interaction. */
export function sameBrowser(req: OAuthRequest, expectedBrowserHash: string): boolean {
  const secret = req.cookies[CSRF_COOKIE];
  return !!secret && constantTimeEqual(browserHash(secret), expectedBrowserHash);
}
