// RFC 9068 §4 applied to our own access tokens (userinfo, introspection, revocation), and the
// one-lookup revocation check through the grant (ARCHITECTURE.md rule 5).

import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { ExpiringCache } from '../cache.ts';
import type { Config } from '../config/schema.ts';
import type { ClientStore, GrantStore, RefreshTokenRecord, RefreshTokenStore, RevokedTokenStore } from '../storage/types.ts';
import { SIGNING_ALGS } from './algorithms.ts';
import type { KeyRing } from './keys.ts';
import { hashToken } from './opaque.ts';

export interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  sub: string;
  grant_id?: string;
  /** RFC 9449 §6.1: the DPoP key a bound token is confirmed by. */
  cnf?: { jkt?: string };
  /** RFC 8693 §4.1: the actor of an exchanged token. */
  act?: Record<string, unknown>;
}

/**
 * Our own access tokens whose signature and claims verified, kept until they expire (bounded, least recently
 * used dropped first). A signature that verified stays valid: a key is removed only after every token it
 * signed has expired. Revocation is never cached — it is looked up on every use.
 */
export class VerifiedTokens {
  readonly #byToken: ExpiringCache<string, AccessTokenClaims>;

  constructor(max = 10_000) {
    this.#byToken = new ExpiringCache(max);
  }

  get(token: string, now: number): AccessTokenClaims | undefined {
    return this.#byToken.get(token, now);
  }

  set(token: string, claims: AccessTokenClaims): void {
    this.#byToken.set(token, claims, claims.exp);
  }
}

/** What verifying our own tokens needs (a slice of the server's dependencies). */
export interface VerifyDeps {
  keys: Pick<KeyRing, 'resolve'>;
  config: Pick<Config, 'issuer'>;
  clock: () => number;
  verifiedTokens: VerifiedTokens;
}

/** Verifies signature, typ, issuer and expiry; returns the claims, or a reason it is not valid. */
export async function verifyOwnAccessToken(
  token: string,
  deps: VerifyDeps,
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
        algorithms: [...SIGNING_ALGS],
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

/** The token's `aud` as a list (RFC 7519 §4.1.3: one string or an array of strings). */
export function audiences(claims: Pick<AccessTokenClaims, 'aud'>): string[] {
  if (typeof claims.aud === 'string') return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud.filter((a) => typeof a === 'string') : [];
}

/**
 * True when neither the token's grant nor the token itself was revoked (one query), and its client
 * still exists and is enabled (a cached read): a client credentials token has no grant to revoke.
 */
export async function notRevoked(
  claims: AccessTokenClaims,
  deps: { storage: { revokedTokens: Pick<RevokedTokenStore, 'isRevoked'>; clients: Pick<ClientStore, 'get'> } },
): Promise<boolean> {
  const [revoked, client] = await Promise.all([
    deps.storage.revokedTokens.isRevoked(claims.jti, claims.grant_id ?? null),
    deps.storage.clients.get(claims.client_id),
  ]);
  return !revoked && client !== undefined && client.disabledAt === null;
}

/** A live refresh token (not consumed, not expired, grant not revoked), or undefined. */
export async function liveRefreshToken(
  token: string,
  deps: { storage: { refreshTokens: Pick<RefreshTokenStore, 'find'>; grants: Pick<GrantStore, 'get'> }; clock: () => number },
): Promise<RefreshTokenRecord | undefined> {
  const record = await deps.storage.refreshTokens.find(hashToken(token));
  if (!record || record.consumedAt !== null || record.expiresAt <= deps.clock()) return undefined;
  const grant = await deps.storage.grants.get(record.grantId);
  return grant && grant.revokedAt === null ? record : undefined;
}

/** JWTs have three base64url parts; our refresh tokens are one 43-character base64url string. */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
