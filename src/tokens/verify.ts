// RFC 9068 §4 applied to our own access tokens (userinfo, introspection, revocation), and the
// one-lookup revocation check through the grant (DESIGN rule 5).
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Deps } from '../deps.ts';
import type { RefreshTokenRecord } from '../storage/types.ts';
import { hashToken } from './opaque.ts';

export interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  sub: string;
  grant_id?: string;
}

/** Verifies signature, typ, issuer and expiry; returns the claims, or a reason it is not valid. */
export async function verifyOwnAccessToken(
  token: string,
  deps: Deps,
): Promise<{ claims: AccessTokenClaims; invalid?: undefined } | { invalid: string }> {
  const { keys, config, clock } = deps;
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? await keys.resolve(header.kid) : undefined;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key.publicKey;
      },
      {
        issuer: config.issuer,
        typ: 'at+jwt',
        algorithms: ['RS256', 'ES256', 'EdDSA'],
        currentDate: new Date(clock() * 1000),
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      },
    );
    return { claims: payload as AccessTokenClaims };
  } catch (e) {
    if (e instanceof joseErrors.JOSEError) return { invalid: e.code };
    throw e;
  }
}

/** True when neither the token's grant nor the token itself was revoked. */
export async function notRevoked(claims: AccessTokenClaims, deps: Deps): Promise<boolean> {
  const { storage } = deps;
  if (claims.grant_id !== undefined) {
    const grant = await storage.grants.get(claims.grant_id);
    if (!grant || grant.revokedAt !== null) return false;
  }
  return !(await storage.revokedTokens.has(claims.jti));
}

/** A live refresh token (not consumed, not expired, grant not revoked), or undefined. */
export async function liveRefreshToken(token: string, deps: Deps): Promise<RefreshTokenRecord | undefined> {
  const record = await deps.storage.refreshTokens.find(hashToken(token));
  if (!record || record.consumedAt !== null || record.expiresAt <= deps.clock()) return undefined;
  const grant = await deps.storage.grants.get(record.grantId);
  return grant && grant.revokedAt === null ? record : undefined;
}

/** JWTs have three base64url parts; our refresh tokens are one 43-character base64url string. */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
