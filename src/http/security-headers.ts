// Headers on every response: no sniffing, no referrer, no framing (RFC 6749 §10.13), HSTS on https.

/** Content-Security-Policy of the pages: no script at all, only the one stylesheet (by hash). */
export function pageCsp(styleHash: string, formTargets: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `style-src ${styleHash}`,
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
