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

/**
 * Our own access tokens whose signature and claims verified, kept until they expire (bounded, oldest
 * dropped first). A signature that verified stays valid: a key is removed only after every token it
 * signed has expired. Revocation is never cached — it is looked up on every use.
 */
export class VerifiedTokens {
  readonly #byToken = new Map<string, AccessTokenClaims>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(token: string, now: number): AccessTokenClaims | undefined {
    const claims = this.#byToken.get(token);
    if (claims && claims.exp <= now) {
      this.#byToken.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessTokenClaims): void {
    if (this.#byToken.size >= this.#max) this.#byToken.delete(this.#byToken.keys().next().value as string);
    this.#byToken.set(token, claims);
  }
}

/** Verifies signature, typ, issuer and expiry; returns the claims, or a reason it is not valid. */
export async function verifyOwnAccessToken(
  token: string,
  deps: Deps,
): Promise<{ claims: AccessTokenClaims; invalid?: undefined } | { invalid: string }> {
  const { keys, config, clock, verifiedTokens } = deps;
  const known = verifiedTokens.get(token, clock());
  if (known) return { claims: known };
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
    verifiedTokens.set(token, payload as AccessTokenClaims);
    return { claims: payload as AccessTokenClaims };
  } catch (e) {
    if (e instanceof joseErrors.JOSEError) return { invalid: e.code };
    throw e;
  }
}

/**
 * True when neither the token's grant nor the token itself was revoked (one query), and its client
 * still exists and is enabled (a cached read): a client credentials token has no grant to revoke.
 */
export async function notRevoked(claims: AccessTokenClaims, deps: Deps): Promise<boolean> {
  const [revoked, client] = await Promise.all([
    deps.storage.revokedTokens.isRevoked(claims.jti, claims.grant_id ?? null),
    deps.storage.clients.get(claims.client_id),
  ]);
  return !revoked && client !== undefined && client.disabledAt === null;
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
