// RFC 9068 §4: validating a JWT access token (typ, algorithm allow-list, signature, iss, aud, exp).

import type { JWTVerifyOptions, ProtectedHeaderParameters } from 'jose';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { epochSeconds } from '../clock.ts';
import { SIGNING_ALGS } from '../tokens/algorithms.ts';
import type { AccessTokenClaims } from './claims.ts';
import { validateBearerClaims } from './claims.ts';
import { ResourceServerError } from './errors.ts';
import type { RemoteKeys } from './keys.ts';

/**
 * The signing algorithms accepted when none are configured.
 *
 * @example
 * ```ts
 * import { DEFAULT_ALGORITHMS, requireAccessToken } from 'latchkey/resource-server';
 *
 * // Only the algorithm the server signs access tokens with (ES256 by default).
 * const algorithms = DEFAULT_ALGORITHMS.filter((alg) => alg === 'ES256');
 * const guard = requireAccessToken({ issuer: 'https://auth.example.com', audience: 'https://api.example.com', algorithms });
 * ```
 */
export const DEFAULT_ALGORITHMS: readonly string[] = SIGNING_ALGS;

// RFC 9068 §4: only asymmetric algorithms; `none` and HMAC would let anyone holding the key forge tokens.
const ASYMMETRIC_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

// RFC 9068 §2.2: claims every JWT access token carries.
const REQUIRED_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

/** Checks an algorithm allow-list, refusing `none`, HMAC and unknown names. */
export function checkAlgorithms(algorithms: readonly string[] | undefined): readonly string[] {
  const list = algorithms ?? DEFAULT_ALGORITHMS;
  if (list.length === 0) throw new TypeError('algorithms must name at least one algorithm');
  for (const alg of list) {
    if (!ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new TypeError(`algorithm "${alg}" is not allowed: use asymmetric signature algorithms only`);
    }
  }
  return [...list];
}

/** RFC 9068 §4: `typ` must be `at+jwt`; media types are case-insensitive and `application/` may be omitted. */
export function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const value = typ.toLowerCase();
  return value === 'at+jwt' || value === 'application/at+jwt';
}

export interface JwtExpectations {
  issuer: string;
  audience: readonly string[];
  algorithms: readonly string[];
  clockTolerance: number;
}

/** {@link JwtExpectations} turned once into the options jose's `jwtVerify` takes. */
export interface PreparedJwtCheck {
  readonly algorithms: readonly string[];
  readonly clockTolerance: number;
  readonly jose: Readonly<JWTVerifyOptions>;
}

/**
 * Prepares the checks for {@link verifyJwtAccessToken}. jose checks `iss`, `aud`, `exp`, `nbf`, the
 * algorithm allow-list and the RFC 9068 §2.2 required claims; `typ` is checked on the header before
 * any key is looked up, so it is not asked of jose a second time.
 */
export function prepareJwtCheck(expect: JwtExpectations): PreparedJwtCheck {
  return {
    algorithms: expect.algorithms,
    clockTolerance: expect.clockTolerance,
    jose: Object.freeze({
      issuer: expect.issuer,
      audience: [...expect.audience],
      algorithms: [...expect.algorithms],
      clockTolerance: expect.clockTolerance,
      requiredClaims: REQUIRED_CLAIMS,
    }),
  };
}

function invalid(description: string, cause?: unknown): ResourceServerError {
  return new ResourceServerError('invalid_token', description, { cause });
}

function readHeader(token: string): ProtectedHeaderParameters {
  // A JWE has five parts; encrypted access tokens are not supported.
  if (token.split('.').length !== 3) throw invalid('The access token is not a signed JWT');
  try {
    return decodeProtectedHeader(token);
  } catch (error) {
    throw invalid('The access token is malformed', error);
  }
}

/**
 * Validates a JWT access token against the issuer's `keys` as RFC 9068 §4 requires. The header
 * checks run before any key is fetched, so an ID token or an unsigned token costs no network
 * request.
 *
 * @throws {ResourceServerError} `invalid_token` for any fault of the token.
 * @throws the underlying error when the keys cannot be obtained (JWKS unreachable or malformed).
 */
export async function verifyJwtAccessToken(
  token: string,
  keys: RemoteKeys,
  check: PreparedJwtCheck,
  dpop = false,
): Promise<AccessTokenClaims> {
  // The header is read here as well as by jose: measured, that costs less than letting jose hand
  // the parsed header to a key function (an extra await before the signature check).
  const header = readHeader(token);
  if (typeof header.alg !== 'string' || !check.algorithms.includes(header.alg)) {
    throw invalid('The access token signing algorithm is not allowed');
  }
  if (!isAccessTokenType(header.typ)) throw invalid('The token is not a JWT access token (typ must be at+jwt)');
  let payload: Record<string, unknown>;
  try {
    // A key already imported is passed as is; otherwise jose asks for it once it has checked the
    // rest of the header, as it always did.
    const key = keys.cached(header);
    ({ payload } = key === undefined ? await jwtVerify(token, keys.resolve, check.jose) : await jwtVerify(token, key, check.jose));
  } catch (error) {
    throw fromJoseError(error);
  }
  if (typeof payload.jti !== 'string') throw invalid('The access token identifier is malformed');
  // jose accepts an `exp` of 1e999 (Infinity): a token must still expire.
  if (!Number.isFinite(payload.exp)) throw invalid('The access token has no expiry');
  return validateBearerClaims(payload, check.clockTolerance, epochSeconds(), dpop);
}

/** Turns a jose error caused by the token into `invalid_token`; anything else is returned unchanged. */
function fromJoseError(error: unknown): unknown {
  if (!(error instanceof errors.JOSEError)) return error;
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return invalid('The access token expired', error);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return invalid(claimDescription(error as errors.JWTClaimValidationFailed), error);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalid('The access token signature is invalid', error);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return invalid('The access token signing algorithm is not allowed', error);
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return invalid('No key of the issuer matches the access token', error);
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return invalid('The access token does not identify its signing key', error);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalid('The access token is malformed', error);
    default:
      // ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, ERR_JWK_INVALID, ERR_JOSE_GENERIC: the key source failed.
      return error;
  }
}

function claimDescription(error: errors.JWTClaimValidationFailed): string {
  if (error.reason === 'missing' && REQUIRED_CLAIMS.includes(error.claim)) {
    return `The access token has no ${error.claim} claim`;
  }
  switch (error.claim) {
    case 'iss':
      return 'The access token was not issued by the expected issuer';
    case 'aud':
      return 'The access token is not meant for this resource';
    case 'nbf':
      return 'The access token is not valid yet';
    case 'typ':
      return 'The token is not a JWT access token (typ must be at+jwt)';
    default:
      return 'The access token claims are invalid';
  }
}
