// RFC 9068 §2 (JWT access tokens), OIDC Core §2 and §3.1.3.6 (ID token), RFC 6749 §5.1 (token response).
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import type { RefreshTokenRecord } from '../storage/types.ts';
import { signJwt, signJwtAsync } from './jws.ts';
import type { KeyRing } from './keys.ts';
import { hashToken, randomToken } from './opaque.ts';

export interface AccessTokenInput {
  clientId: string;
  /** The user, or the client itself for client credentials (RFC 9068 §2.2). */
  sub: string;
  scope: string;
  audience: string | string[];
  authTime: number | null;
  grantId: string | null;
  /** Extra claims (tokens/claims.ts, already checked); the registered ones are set after, so never replaced. */
  extra?: Record<string, unknown>;
  /** RFC 9449 §6.1: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`). */
  jkt?: string | null;
  /** RFC 8693 §4.1: who acts on the subject's behalf (token exchange with an actor token). */
  act?: Record<string, unknown>;
}

export interface IdTokenInput {
  clientId: string;
  sub: string;
  authTime: number;
  nonce: string | null;
  accessToken: string;
  /** Extra claims (tokens/claims.ts, already checked). */
  extra?: Record<string, unknown>;
  /** RFC 8176 amr values (OIDC Core §2), when known. */
  amr?: string[];
  /** OIDC Core §2 acr, when the request asked for it. */
  acr?: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.4: the login session's id, when the grant remembers it. */
  sid?: string | null;
}

/** The `typ` of our ID tokens; access tokens carry `at+jwt` (RFC 9068 §2.1). */
export const ID_TOKEN_TYP = 'JWT';

/** RFC 6749 §5.1: the successful token response body. */
export interface TokenResponse {
  access_token: string;
  /** RFC 9449 §5: `DPoP` for a token bound to a DPoP key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface Issuer {
  accessToken(input: AccessTokenInput): string;
  idToken(input: IdTokenInput): Promise<string>;
  /** A new refresh token and the record to store (only its hash is kept). */
  refreshToken(from: Omit<RefreshTokenRecord, 'tokenHash' | 'createdAt' | 'consumedAt' | 'replacedBy' | 'successor'>): {
    token: string;
    record: RefreshTokenRecord;
  };
}

export function createIssuer(config: Config, keys: KeyRing, clock: () => number): Issuer {
  return {
    accessToken(input) {
      const now = clock();
      const claims: Record<string, unknown> = {
        ...input.extra,
        iss: config.issuer,
        sub: input.sub,
        aud: input.audience,
        client_id: input.clientId,
        iat: now,
        exp: now + config.ttl.accessToken,
        // 122 random bits from Node's pooled generator: unique per token, and cheaper than randomBytes per call.
        jti: randomUUID(),
        scope: input.scope,
      };
      if (input.authTime !== null) claims.auth_time = input.authTime;
      if (input.grantId !== null) claims.grant_id = input.grantId;
      if (input.jkt) claims.cnf = { jkt: input.jkt };
      if (input.act) claims.act = input.act;
      // RFC 9068 §2.1: typ MUST be "at+jwt".
      return signJwt(claims, keys.signing(config.accessTokenAlg), 'at+jwt');
    },
    async idToken(input) {
      const now = clock();
      const key = keys.signing(config.idTokenAlg);
      const claims: Record<string, unknown> = {
        ...input.extra,
        iss: config.issuer,
        sub: input.sub,
        aud: input.clientId,
        iat: now,
        exp: now + config.ttl.idToken,
        auth_time: input.authTime,
        at_hash: leftHalfHash(input.accessToken, key.alg),
      };
      // OIDC Core §3.1.3.6 / §2: nonce MUST be present when the request carried one.
      if (input.nonce !== null) claims.nonce = input.nonce;
      if (input.amr?.length) claims.amr = input.amr;
      if (input.acr) claims.acr = input.acr;
      if (input.sid) claims.sid = input.sid;
      return signJwtAsync(claims, key, ID_TOKEN_TYP);
    },
    refreshToken(from) {
      const token = randomToken();
      return {
        token,
        record: {
          ...from,
          tokenHash: hashToken(token),
          createdAt: clock(),
          consumedAt: null,
          replacedBy: null,
          successor: null,
          dpopJkt: from.dpopJkt ?? null,
        },
      };
    },
  };
}

/** OIDC Core §3.1.3.6: at_hash is the left half of the hash the alg uses (SHA-512 for Ed25519). */
export function leftHalfHash(value: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value)
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
