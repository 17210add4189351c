// RFC 9449 §7: DPoP-bound access tokens at a resource server. A token whose `cnf.jkt` names a key is
// accepted only with the `DPoP` scheme and a proof of that key for this request (htm, htu, ath); a
// bearer presentation of it is refused, with a `WWW-Authenticate: DPoP` challenge naming the algs.
import { ExpiringCache } from '../cache.ts';
import { epochSeconds } from '../clock.ts';
import { DPOP_ALGS, DpopProofError, dpopHeaderValue, verifyDpopProof } from '../tokens/dpop-proof.ts';

import { ResourceServerError, type ResourceServerErrorCode } from './errors.ts';

/**
 * The algorithms DPoP proofs may be signed with (RFC 9449 §5.1): asymmetric only.
 *
 * @example
 * ```ts
 * import { DPOP_ALGORITHMS } from 'latchkey/resource-server';
 *
 * DPOP_ALGORITHMS.includes('ES256'); // true
 * ```
 */
export const DPOP_ALGORITHMS: readonly string[] = DPOP_ALGS;

/**
 * How DPoP proofs are checked.
 *
 * @example
 * ```ts
 * import type { DpopOptions } from 'latchkey/resource-server';
 *
 * const seen = new Set<string>();
 * const dpop: DpopOptions = { iatWindow: 30, replay: (key) => (seen.has(key) ? false : (seen.add(key), true)) };
 * ```
 */
export interface DpopOptions {
  /** How far a proof's `iat` may be from now, either way, in seconds (default 60). */
  iatWindow?: number;
  /** Algorithms accepted for proofs (default {@link DPOP_ALGORITHMS}). */
  algorithms?: readonly string[];
  /**
   * Records a proof's key and `jti` until `expiresAt` (epoch seconds) and returns false when it was
   * already recorded (a replay). Default: a bounded in-memory cache of this process; give a shared
   * store when several instances serve the resource.
   */
  replay?: (key: string, expiresAt: number) => boolean | Promise<boolean>;
  /**
   * The origin clients send requests to (`https://api.example.com`), for the proof's `htu`; by
   * default taken from the request (its Host header, https when the connection is TLS). Set it
   * behind a proxy that terminates TLS.
   */
  origin?: string;
}

/**
 * The request a DPoP proof must match: its method and URL, and the `DPoP` header as received.
 *
 * @example
 * ```ts
 * import type { DpopRequest } from 'latchkey/resource-server';
 *
 * const request: DpopRequest = { method: 'GET', url: 'https://api.example.com/items?page=2', proof: 'eyJ0eXAiOiJkcG9wK2p3dCJ9…' };
 * ```
 */
export interface DpopRequest {
  method: string;
  url: string;
  proof: string | string[] | undefined;
}

const seen = new ExpiringCache<string, true>(10_000);
const rememberOnce = (key: string, expiresAt: number): boolean => {
  const now = epochSeconds();
  if (seen.get(key, now)) return false;
  seen.set(key, true, expiresAt);
  return true;
};

/** A refusal answered with a `DPoP` challenge (RFC 9449 §7.1) rather than a Bearer one. */
class DpopChallengeError extends ResourceServerError {
  readonly #algs: readonly string[];
  constructor(code: ResourceServerErrorCode, description: string, algs: readonly string[] = DPOP_ALGS) {
    super(code, description);
    this.#algs = algs;
  }
  override wwwAuthenticate(realm?: string): string {
    return super
      .wwwAuthenticate(realm)
      .replace(/^Bearer /, 'DPoP ')
      .concat(`, algs="${this.#algs.join(' ')}"`);
  }
}

/**
 * The challenge for a request without credentials at a resource that accepts DPoP (RFC 9449 §7.1).
 *
 * @example
 * ```ts
 * import { dpopChallenge } from 'latchkey/resource-server';
 *
 * dpopChallenge('api'); // 'DPoP realm="api", algs="ES256 …"'
 * ```
 */
export function dpopChallenge(realm?: string, algs: readonly string[] = DPOP_ALGS): string {
  const r = realm === undefined ? '' : `realm="${realm.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}", `;
  return `DPoP ${r}algs="${algs.join(' ')}"`;
}

/** The refusal of a DPoP-bound token presented as a bearer token (RFC 9449 §7.2). */
export const boundTokenAsBearer = (): ResourceServerError =>
  new DpopChallengeError('invalid_token', 'The access token is bound to a key (DPoP): present it with the DPoP scheme and a proof');

/**
 * Reads the access token of an `Authorization: DPoP <token>` header (RFC 9449 §7.1); undefined for
 * any other scheme.
 *
 * @example
 * ```ts
 * import { extractDpopToken } from 'latchkey/resource-server';
 *
 * extractDpopToken('DPoP eyJhbGciOiJFUzI1NiJ9.e30.sig'); // 'eyJhbGciOiJFUzI1NiJ9.e30.sig'
 * extractDpopToken('Bearer abc'); // undefined
 * ```
 */
export function extractDpopToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined || !/^dpop /i.test(authorizationHeader)) return undefined;
  const match = /^dpop ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorizationHeader);
  if (match?.[1] === undefined)
    throw new ResourceServerError('invalid_request', 'The Authorization header must be DPoP, one space and the token');
  return match[1];
}

/**
 * Checks that a validated token is DPoP-bound and that the request's proof is made with its key for
 * this request and this token (RFC 9449 §4.3, §7.1). Throws a {@link ResourceServerError} with a
 * `DPoP` challenge otherwise.
 */
export async function checkDpopBinding(token: string, claims: object, request: DpopRequest, options: DpopOptions = {}): Promise<void> {
  const algs = options.algorithms ?? DPOP_ALGS;
  const refuse = (code: ResourceServerErrorCode, description: string) => new DpopChallengeError(code, description, algs);
  const jkt = ((claims as { cnf?: unknown }).cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt !== 'string') throw refuse('invalid_token', 'The access token is not bound to a DPoP key');
  const window = options.iatWindow ?? 60;
  let proof: string | undefined;
  let verified: Awaited<ReturnType<typeof verifyDpopProof>>;
  try {
    proof = dpopHeaderValue(request.proof);
    if (proof === undefined) throw refuse('invalid_dpop_proof', 'The request has no DPoP proof');
    verified = await verifyDpopProof(proof, {
      method: request.method,
      url: request.url,
      now: epochSeconds(),
      iatWindow: window,
      accessToken: token,
      algorithms: algs,
    });
  } catch (error) {
    if (error instanceof DpopProofError) throw refuse('invalid_dpop_proof', error.message.replace(/^the/, 'The'));
    throw error;
  }
  // RFC 9449 §7.1: the proof's key is the one the token is bound to.
  if (verified.jkt !== jkt) throw refuse('invalid_dpop_proof', 'The DPoP proof is not made with the key the access token is bound to');
  // RFC 9449 §11.1: a proof is used once.
  if (!(await (options.replay ?? rememberOnce)(`${verified.jkt}:${verified.jti}`, verified.iat + window + 1))) {
    throw refuse('invalid_dpop_proof', 'The DPoP proof was used before');
  }
}

/** What the middleware reads of a node:http, Express or Fastify request to check a proof. */
interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  method?: string | undefined;
  url?: string | undefined;
  /** Express: the URL before the router's mount path was taken off. */
  originalUrl?: string | undefined;
  socket?: { encrypted?: boolean } | undefined;
}

/** The method, URL (origin from the options or the request) and DPoP header of a request. */
export function dpopRequestOf(req: RequestLike, origin: string | undefined): DpopRequest {
  const host = typeof req.headers.host === 'string' ? req.headers.host : '';
  const base = origin ?? `${req.socket?.encrypted ? 'https' : 'http'}://${host}`;
  return { method: (req.method ?? 'GET').toUpperCase(), url: `${base}${req.originalUrl ?? req.url ?? '/'}`, proof: req.headers.dpop };
}
