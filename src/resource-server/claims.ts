// RFC 9068 §2.2 and §4: the claims of an access token and their validation by a resource server.
import { splitScope } from '../grants/scope.ts';
import { boundTokenAsBearer } from './dpop.ts';
import { ResourceServerError } from './errors.ts';

/**
 * The claims of a validated access token (RFC 9068 §2.2; RFC 7662 §2.2 for introspection).
 * A JWT access token always carries `iat` and `jti`; an introspection response may omit them.
 *
 * @example
 * ```ts
 * import { type AccessTokenClaims, verifyAccessToken } from 'latchkey/resource-server';
 *
 * const claims: AccessTokenClaims = await verifyAccessToken(token, { issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const canWrite = claims.scope?.split(' ').includes('api:write') ?? false;
 * ```
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  jti?: string;
  client_id: string;
  /** Space-delimited scopes granted (RFC 9068 §2.2.3, RFC 6749 §3.3). */
  scope?: string;
  [claim: string]: unknown;
}

/** What the claims must satisfy. */
export interface ClaimExpectations {
  issuer: string;
  audience: readonly string[];
  /** Leeway in seconds for `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  /** Current time in seconds since the epoch. */
  now: number;
}

function invalid(description: string): ResourceServerError {
  return new ResourceServerError('invalid_token', description);
}

/**
 * Checks the claims a resource server relies on (RFC 9068 §4): `iss` exact, `aud` containing the
 * expected audience, `exp` required and in the future, `nbf` and `iat` not in the future, each
 * within the clock tolerance; and the types of `sub`, `client_id`, `scope`, `jti`.
 */
export function validateClaims(claims: Record<string, unknown>, expect: ClaimExpectations, dpop = false): AccessTokenClaims {
  const { iss, aud, exp, nbf } = claims;
  if (iss !== expect.issuer) throw invalid('The access token was not issued by the expected issuer');
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((value) => typeof value === 'string' && expect.audience.includes(value))) {
    throw invalid('The access token is not meant for this resource');
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalid('The access token has no expiry');
  if (exp <= expect.now - expect.clockTolerance) throw invalid('The access token expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > expect.now + expect.clockTolerance)) {
    throw invalid('The access token is not valid yet');
  }
  return validateBearerClaims(claims, expect.clockTolerance, expect.now, dpop);
}

/**
 * The part of {@link validateClaims} after `iss`, `aud`, `exp` and `nbf`: `iat` not in the future,
 * the types of `sub`, `client_id`, `scope`, `jti`, and no `cnf` (unless presented with DPoP, whose
 * binding dpop.ts checks). A JWT access token needs only this once jose's `jwtVerify` has checked the others.
 */
export function validateBearerClaims(
  claims: Record<string, unknown>,
  clockTolerance: number,
  now: number,
  dpop = false,
): AccessTokenClaims {
  const { iat, sub, client_id: clientId, scope, jti } = claims;
  if (iat !== undefined && (typeof iat !== 'number' || iat > now + clockTolerance)) {
    throw invalid('The access token was issued in the future');
  }
  if (typeof sub !== 'string' || sub === '') throw invalid('The access token has no subject');
  if (typeof clientId !== 'string' || clientId === '') throw invalid('The access token has no client_id');
  if (scope !== undefined && typeof scope !== 'string') throw invalid('The access token scope is malformed');
  if (jti !== undefined && typeof jti !== 'string') throw invalid('The access token identifier is malformed');
  // RFC 9449 §7.1, RFC 8705 §3: a sender-constrained token must not be accepted as a bare bearer token.
  if (claims.cnf !== undefined && !dpop) {
    throw (claims.cnf as { jkt?: unknown }).jkt !== undefined
      ? boundTokenAsBearer()
      : invalid('The access token is bound to a key and cannot be used as a bearer token');
  }
  return claims as AccessTokenClaims;
}

/**
 * The required scopes missing from the space-delimited `scope` claim (RFC 6749 §3.3: scope
 * tokens are case-sensitive and unordered).
 */
export function missingScopes(granted: string | undefined, required: readonly string[]): string[] {
  const have = splitScope(granted);
  return required.filter((value) => !have.includes(value));
}

/** Throws `insufficient_scope` (403) unless every required scope is granted (RFC 6750 §3.1). */
export function requireScopes(claims: AccessTokenClaims, required: readonly string[]): void {
  if (required.length === 0) return;
  if (missingScopes(claims.scope, required).length > 0) {
    throw new ResourceServerError('insufficient_scope', 'The access token does not grant the scope this resource requires', {
      scope: required.join(' '),
    });
  }
}
