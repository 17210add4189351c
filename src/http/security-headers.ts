// Headers on every response: no sniffing, no referrer, no framing (RFC 6749 §10.13), HSTS on https.
import { createHash } from 'node:crypto';

/** CSP Level 3 §8.4: the hash-source that allows exactly this inline style or script. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

/**
 * Content-Security-Policy of the pages: only the one stylesheet (by hash), and no script but those
 * whose hashes are given (the WebAuthn ceremony's, on the pages that need it).
 */
export function pageCsp(styleHash: string, formTargets: readonly string[] = [], scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `style-src ${styleHash}`,
    ...(scriptHashes.length ? [`script-src ${scriptHashes.join(' ')}`] : []),
    "img-src 'self' data:",
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** CSP form-action sources that let a form's redirect reach the client (browsers check redirects too). */
export function formTargets(redirectUri: string): string[] {
  try {
    const u = new URL(redirectUri);
    return [u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol];
  } catch {
    return [];
  }
}

export function securityHeaders(https: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  };
  if (https) h['strict-transport-security'] = 'max-age=31536000';
  return h;
}
