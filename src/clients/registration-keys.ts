// RFC 7591 §2 `jwks` and `jwks_uri` in dynamic registration (and RFC 7592 §2 reading and updating
// them): the public keys of a client that authenticates with `private_key_jwt` (RFC 7523 §2.2).
// Refusals are `invalid_client_metadata` (RFC 7591 §3.2.2) naming the member and the reason.
import { OAuthError } from '../errors.ts';
import type { ClientAuthMethod, ClientRecord } from '../storage/types.ts';
import { parseClientJwks } from './client-keys.ts';
import { fetchedUrlProblem } from './fetched-url.ts';
import type { NewClient } from './register.ts';

const badMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);

/**
 * The `jwks` or `jwks_uri` of a registration request, checked against its authentication method.
 * A `jwks_uri` is https; plain http only to a loopback host when `allowLoopback` (development, tests),
 * since it is fetched later with the same SSRF-safe fetcher (http/safe-fetch.ts).
 */
export function registrationKeys(
  m: Record<string, unknown>,
  method: ClientAuthMethod,
  allowLoopback: boolean,
): Pick<NewClient, 'jwks' | 'jwksUri'> {
  const { jwks, jwks_uri: uri } = m;
  // RFC 7591 §2: the jwks_uri and jwks parameters MUST NOT both be present.
  if (jwks !== undefined && uri !== undefined) throw badMetadata('jwks and jwks_uri must not both be present');
  const out: Pick<NewClient, 'jwks' | 'jwksUri'> = {};
  if (jwks !== undefined) {
    try {
      out.jwks = parseClientJwks(jwks);
    } catch (e) {
      throw badMetadata(`jwks: ${(e as Error).message}`);
    }
  }
  if (uri !== undefined) {
    if (typeof uri !== 'string' || uri.length > 2000) throw badMetadata('jwks_uri must be a URL of at most 2000 characters');
    const problem = fetchedUrlProblem(uri) ?? (allowLoopback || new URL(uri).protocol === 'https:' ? undefined : 'must be an https URL');
    if (problem) throw badMetadata(`jwks_uri ${problem}`);
    out.jwksUri = uri;
  }
  const hasKeys = jwks !== undefined || uri !== undefined;
  // RFC 7523 §2.2: the server must know the client's public keys to verify its assertions.
  if (method === 'private_key_jwt' && !hasKeys) throw badMetadata('token_endpoint_auth_method private_key_jwt requires jwks or jwks_uri');
  // This server uses a client's keys for its assertions only: keys beside another method would mislead.
  if (method !== 'private_key_jwt' && hasKeys) {
    throw badMetadata('jwks and jwks_uri are accepted only with token_endpoint_auth_method private_key_jwt');
  }
  return out;
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the keys as registered, for the client information response. */
export function registeredKeys(client: ClientRecord): Record<string, unknown> {
  if (client.jwks) return { jwks: client.jwks };
  if (client.jwksUri) return { jwks_uri: client.jwksUri };
  return {};
}

/** How a client proves itself: nothing, a shared secret, or keys. RFC 7592 §2.2 updates keep the kind. */
export function credentialKind(method: ClientAuthMethod): 'none' | 'secret' | 'keys' {
  if (method === 'none') return 'none';
  return method === 'private_key_jwt' ? 'keys' : 'secret';
}
