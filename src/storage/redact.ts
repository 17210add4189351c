// Database URLs carry a password: whatever prints or logs one shows it without the password.

/** scheme://user:password@…, for any scheme: a mistyped scheme must not print the password either. */
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)(.*)@/i;

/** The URL with its password (in the user information or a `password=` parameter) replaced by `***`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** `text` with every occurrence of the URL's password, as written or percent-decoded, replaced by `***`. */
export function redactPassword(text: string, url: string): string {
  const passwords = new Set<string>();
  const m = URL_CREDENTIALS.exec(url);
  if (m?.[2]) passwords.add(m[2]);
  for (const q of url.matchAll(/[?&]password=([^&#]*)/gi)) if (q[1]) passwords.add(q[1]);
  for (const p of [...passwords]) {
    try {
      passwords.add(decodeURIComponent(p));
    } catch {
      // Not percent-encoded: the raw form is enough.
    }
  }
  let out = redactDatabaseUrl(text);
  for (const p of passwords) if (p) out = out.split(p).join('***');
  return out;
}
