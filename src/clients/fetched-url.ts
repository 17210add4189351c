// A URL the server fetches or posts to for a client or a trusted issuer (jwks_uri,
// backchannel_logout_uri, a trusted issuer's jwksUri): checked once, where it is registered.

/** Why a URL the server will fetch or post to cannot be registered: https only (plain http only to a loopback host, for development). */
export function fetchedUrlProblem(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.hash || uri.includes('#')) return 'must not have a fragment';
  if (u.username || u.password) return 'must not carry credentials';
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return 'must be an https URL';
  return undefined;
}
