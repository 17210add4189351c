// RFC 6749 §3.1.2 and OAuth 2.1 §2.3.1 / RFC 9700 §4.1.3: redirect URIs are compared by exact string match.
import type { ClientRecord } from '../storage/types.ts';

/**
 * OAuth 2.1 §2.3.1: exact string comparison, no normalisation, no wildcards. The one exception is
 * RFC 8252 §7.3: for a native app (a public client) on a loopback IP literal, any port is allowed.
 */
export function isRegisteredRedirectUri(client: ClientRecord, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  if (client.tokenEndpointAuthMethod !== 'none') return false;
  const port = loopbackWithoutPort(uri);
  return port !== undefined && client.redirectUris.some((r) => loopbackWithoutPort(r) === port);
}

/** For http://127.0.0.1:PORT/… or http://[::1]:PORT/…, the URI with the port removed; undefined otherwise. */
function loopbackWithoutPort(uri: string): string | undefined {
  const m = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/.exec(uri);
  // RFC 8252 §7.3 allows any port, but only one that exists: ports run from 0 to 65535 (RFC 6335 §6).
  if (!m || (m[2] !== undefined && Number(m[2]) > MAX_PORT)) return undefined;
  return `http://${m[1]}${m[3] ?? ''}`;
}

const MAX_PORT = 65_535;

/** The port written in the authority of an absolute URI ("" when none). */
function writtenPort(uri: string): string {
  return /^[A-Za-z][\w+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]/?#]*\]|[^:/?#]*):(\d*)(?:[/?#]|$)/.exec(uri)?.[1] ?? '';
}

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
export function resourceProblem(resource: string): string | undefined {
  try {
    new URL(resource);
  } catch {
    return 'is not an absolute URI';
  }
  if (resource.includes('#')) return 'must not contain a fragment (RFC 8707 §2)';
  return undefined;
}

/**
 * Checks a redirect URI for registration: absolute (RFC 6749 §3.1.2), no fragment (§3.1.2),
 * https or a loopback http address or a private-use scheme (RFC 8252 §7); returns the reason when refused.
 */
export function redirectUriProblem(uri: string): string | undefined {
  // RFC 3986 §2: a URI is printable ASCII (an IRI's other characters are percent-encoded). A raw
  // space, control or non-ASCII character could not even be sent in a Location header.
  if (!/^[\x21-\x7e]*$/.test(uri)) return 'must be printable ASCII without spaces (percent-encode other characters, RFC 3986 §2.1)';
  const port = writtenPort(uri);
  if (port !== '' && Number(port) > MAX_PORT) return `has the port ${port}, above ${MAX_PORT}`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  const scheme = url.protocol.slice(0, -1);
  if (['javascript', 'data', 'vbscript', 'file', 'blob'].includes(scheme)) return `uses the forbidden scheme ${scheme}:`;
  if (scheme === 'http') {
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost');
    if (!loopback) return 'must use https (http is allowed only for localhost and loopback addresses)';
  }
  if (scheme !== 'https' && scheme !== 'http' && !scheme.includes('.')) {
    return 'uses a private-use scheme that is not in reverse domain form (RFC 8252 §7.1)';
  }
  return undefined;
}
