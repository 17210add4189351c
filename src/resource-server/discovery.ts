// RFC 8414 §3: finding the jwks_uri and introspection_endpoint in the issuer's metadata.
import type { FetchLike } from './types.ts';

/** The members of authorization server metadata (RFC 8414 §2) a resource server uses. */
export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
  [member: string]: unknown;
}

/**
 * Where the metadata may live, in order: the RFC 8414 §3.1 location (well-known segment inserted
 * before the issuer's path), the same segment appended to the issuer, then OpenID Connect
 * Discovery 1.0 §4 (`/.well-known/openid-configuration` appended). For an issuer without a path
 * the first two are the same URL.
 */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  const base = `${url.origin}${path}`;
  return [
    ...new Set([
      `${url.origin}/.well-known/oauth-authorization-server${path}`,
      `${base}/.well-known/oauth-authorization-server`,
      `${base}/.well-known/openid-configuration`,
    ]),
  ];
}

/**
 * Fetches the issuer's metadata. A location answering anything but 200 is skipped for the next;
 * a network error or timeout ends the search, since every location is on the same host.
 * The document's `issuer` must equal the configured issuer (RFC 8414 §3.3).
 *
 * @throws {Error} when no location serves valid metadata; the caller treats that as "unavailable".
 */
export async function fetchMetadata(issuer: string, fetchImpl: FetchLike, timeoutMs: number): Promise<AuthorizationServerMetadata> {
  const statuses: string[] = [];
  for (const url of metadataUrls(issuer)) {
    const response = await fetchImpl(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      statuses.push(`${url} answered HTTP ${response.status}`);
      continue;
    }
    const document: unknown = await response.json();
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new Error(`Authorization server metadata at ${url} is not a JSON object`);
    }
    const metadata = document as Record<string, unknown>;
    if (metadata.issuer !== issuer) {
      throw new Error(`Authorization server metadata at ${url} names another issuer`);
    }
    for (const member of ['jwks_uri', 'introspection_endpoint']) {
      const value = metadata[member];
      if (value !== undefined && (typeof value !== 'string' || !URL.canParse(value))) {
        throw new Error(`Authorization server metadata member ${member} is not a URL`);
      }
    }
    return metadata as AuthorizationServerMetadata;
  }
  throw new Error(`No authorization server metadata found for the issuer: ${statuses.join('; ')}`);
}
