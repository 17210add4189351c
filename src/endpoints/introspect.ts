// RFC 7662: token introspection, for resource servers (confidential clients).
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { mayIntrospectAccessToken, mayIntrospectRefreshToken } from '../tokens/introspection-access.ts';
import { liveRefreshToken, looksLikeJwt, notRevoked, verifyOwnAccessToken } from '../tokens/verify.ts';
import { readClientRequest } from './client-request.ts';

/** RFC 7662 §2.2: for an unknown, expired, revoked or foreign token, only `active: false`. */
const inactive = () => json(200, { active: false });

/** The slices introspection uses: client authentication, token verification, the revocation lookup. */
export type IntrospectDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'log' | 'keys' | 'verifiedTokens' | 'clientKeys'>;

export async function introspectEndpoint(req: OAuthRequest, deps: IntrospectDeps): Promise<OAuthResponse> {
  const { params, client, method } = await readClientRequest(req, deps);
  // RFC 7662 §2.1: the caller MUST be authenticated; a public client has no credentials.
  if (method === 'none') throw new OAuthError('invalid_client', 'introspection needs client authentication', { detail: 'public client' });
  const token = params.token;
  if (!token) throw new OAuthError('invalid_request', 'token is required');

  // RFC 7662 §2.1: token_type_hint is only a hint. The two kinds cannot be confused (a JWT has three
  // dot-separated parts, a refresh token none), so the token's shape decides and the hint is not needed.
  if (looksLikeJwt(token)) {
    const verified = await verifyOwnAccessToken(token, deps);
    if (verified.invalid !== undefined || !mayIntrospectAccessToken(client, verified.claims)) return inactive();
    if (!(await notRevoked(verified.claims, deps))) return inactive();
    const { claims } = verified;
    return json(200, {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      // RFC 9449 §6.2: a DPoP-bound token is introspected with its cnf and token_type DPoP.
      token_type: claims.cnf?.jkt ? 'DPoP' : 'Bearer',
      ...(claims.cnf?.jkt ? { cnf: { jkt: claims.cnf.jkt } } : {}),
      ...(claims.auth_time !== undefined ? { auth_time: claims.auth_time } : {}),
    });
  }
  const record = await liveRefreshToken(token, deps);
  if (!record || !mayIntrospectRefreshToken(client, record)) return inactive();
  return json(200, {
    active: true,
    scope: record.scope,
    client_id: record.clientId,
    sub: record.userId,
    iss: deps.config.issuer,
    exp: record.expiresAt,
    iat: record.createdAt,
    token_type: 'refresh_token',
  });
}
