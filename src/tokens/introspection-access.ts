// RFC 7662 §4: which client may learn about which token at the introspection endpoint.
import type { ClientRecord, RefreshTokenRecord } from '../storage/types.ts';
import { type AccessTokenClaims, audiences } from './verify.ts';

/**
 * RFC 7662 §4: the server must decide whether the caller may learn about the token, and answer a
 * foreign token as inactive. A client may introspect an access token when it is the token's client,
 * or when it is a resource the token was issued for: a client is "registered with a resource" when
 * that resource URI is in its `resources` list (`latchkey clients create --resource URI`) and the
 * URI is in the token's `aud` (exactly: `aud` holds the registered form, so the resource server's
 * `--resource` is written as the resource is registered). Nothing
 * else counts: the default audience only when it is listed too, and a resource of the server-wide
 * registry (config `resources`) gives no client the right to introspect: any client may ask tokens
 * for those, so a resource server that introspects is still a confidential client created with
 * `--resource URI`.
 */
export function mayIntrospectAccessToken(client: ClientRecord, claims: Pick<AccessTokenClaims, 'client_id' | 'aud'>): boolean {
  if (claims.client_id === client.clientId) return true;
  return audiences(claims).some((aud) => client.resources.includes(aud));
}

/** A refresh token is presented only by its own client (RFC 6749 §6), so only that client learns about it. */
export function mayIntrospectRefreshToken(client: ClientRecord, record: Pick<RefreshTokenRecord, 'clientId'>): boolean {
  return record.clientId === client.clientId;
}
