// RFC 9449 §4.2-§4.3: checking a DPoP proof, shared by the token endpoint, UserInfo and the
// resource-server module. Framework- and storage-free: replay detection is the caller's (§11.1).

import { calculateJwkThumbprint, EmbeddedJWK, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import { hashToken } from './opaque.ts';

/** §4.3 item 5: asymmetric algorithms only (never `none`, never a MAC). */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'];

/** Why a proof was refused: `invalid` (invalid_dpop_proof) or `nonce` (use_dpop_nonce, §8). */
export class DpopProofError extends Error {
  override name = 'DpopProofError';
  readonly reason: 'invalid' | 'nonce';
  constructor(reason: DpopProofError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface DpopCheck {
  /** The request's method (§4.3 item 8: `htm`). */
  method: string;
  /** The request's URL; query and fragment are ignored (§4.3 item 9: `htu`). */
  url: string;
  /** Epoch seconds. */
  now: number;
  /** How far `iat` may be from `now`, either way (§4.3 item 11). */
  iatWindow: number;
  /** The access token presented with the proof: `ath` must be its hash (§4.3 item 12). */
  accessToken?: string;
  /** Whether a nonce the server gave is acceptable; absent: nonces are not used (§8, §9). */
  nonce?: (nonce: string | undefined) => boolean;
  algorithms?: readonly string[];
}

/** What a valid proof establishes: the key (§6.1 `jkt`) and the proof's `jti` and `iat`, for replay checks. */
export interface VerifiedDpopProof {
  jkt: string;
  jti: string;
  iat: number;
}

/** §4.2 `ath`: base64url SHA-256 of the access token. */
export const accessTokenHash = (token: string): string => hashToken(token);

/** §4.3 item 9: scheme, host and path, normalized; query and fragment dropped. */
export function htuOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** §4.3 item 1: the one DPoP header value; node joins repeated headers with commas, which a JWT never has. */
export function dpopHeaderValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) || value.includes(',')) throw new DpopProofError('invalid', 'more than one DPoP header');
  return value;
}

/** Checks a proof against the request (RFC 9449 §4.3 items 2-12). Throws a DpopProofError saying why. */
export async function verifyDpopProof(proof: string, check: DpopCheck): Promise<VerifiedDpopProof> {
  let payload: Record<string, unknown>;
  let jwk: JWK | undefined;
  try {
    const verified = await jwtVerify(proof, EmbeddedJWK, {
      // §4.3 items 4-6: typ dpop+jwt, an allowed asymmetric alg, a signature by the embedded public key.
      typ: 'dpop+jwt',
      algorithms: [...(check.algorithms ?? DPOP_ALGS)],
      currentDate: new Date(check.now * 1000),
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    });
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk;
  } catch (e) {
    if (e instanceof joseErrors.JOSEError) throw new DpopProofError('invalid', `the DPoP proof is not valid (${e.code})`);
    throw e;
  }
  // §4.3 item 7: the jwk header is a public key (EmbeddedJWK refuses private and symmetric ones).
  if (!jwk || 'd' in jwk || jwk.kty === 'oct') throw new DpopProofError('invalid', 'the DPoP proof key is not a public key');
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw new DpopProofError('invalid', 'the DPoP proof jti is not valid');
  // §4.3 item 8: htm matches the method.
  if (htm !== check.method) throw new DpopProofError('invalid', 'the DPoP proof htm does not match the request method');
  // §4.3 item 9: htu matches the URL, without query and fragment.
  if (typeof htu !== 'string' || htuOf(htu) === undefined || htuOf(htu) !== htuOf(check.url)) {
    throw new DpopProofError('invalid', 'the DPoP proof htu does not match the request URL');
  }
  // §4.3 item 11: iat within an acceptable window.
  if (typeof iat !== 'number' || Math.abs(iat - check.now) > check.iatWindow) {
    throw new DpopProofError('invalid', 'the DPoP proof iat is outside the acceptable window');
  }
  // §4.3 item 10 and §8: the nonce the server provided.
  if (check.nonce && !check.nonce(typeof payload.nonce === 'string' ? payload.nonce : undefined)) {
    throw new DpopProofError('nonce', 'the authorization server requires a fresh nonce in the DPoP proof');
  }
  // §4.3 item 12: with an access token, ath is its hash.
  if (check.accessToken !== undefined && payload.ath !== accessTokenHash(check.accessToken)) {
    throw new DpopProofError('invalid', 'the DPoP proof ath does not match the access token');
  }
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti, iat };
}
