// verifyAccessToken and verifyDpopAccessToken: one verifier (verifier.ts) kept per issuer and key
// source, and the checks derived from an options object kept with that object.
import { BoundedCache } from '../cache.ts';
import { hashToken } from '../tokens/opaque.ts';
import type { AccessTokenClaims } from './claims.ts';
import { checkDpopBinding, type DpopRequest } from './dpop.ts';
import { DEFAULT_ALGORITHMS } from './jwt.ts';
import type { Checks, PerRequestSnapshot } from './options.ts';
import { checks, samePerRequest, snapshotPerRequest } from './options.ts';
import type { FetchLike, IntrospectionOptions, VerifyOptions } from './types.ts';
import { createPreparedVerifier, type PreparedVerifier } from './verifier.ts';

/** What `verifyAccessToken` prepared for one options object, and the options it prepared it from. */
interface Prepared {
  key: string;
  verifier: PreparedVerifier;
  check: Checks;
  source: Omit<VerifyOptions, 'audience' | 'scopes' | 'algorithms' | 'clockTolerance'>;
  perRequest: PerRequestSnapshot;
}

function sameIntrospection(a: IntrospectionOptions | undefined, b: IntrospectionOptions | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.endpoint === b.endpoint && a.clientId === b.clientId && a.clientSecret === b.clientSecret && a.cacheSeconds === b.cacheSeconds;
}

function sameSource(a: Prepared['source'], b: VerifyOptions): boolean {
  return (
    a.issuer === b.issuer &&
    a.jwksUri === b.jwksUri &&
    a.fetch === b.fetch &&
    a.timeoutSeconds === b.timeoutSeconds &&
    a.jwksCooldownSeconds === b.jwksCooldownSeconds &&
    a.jwksCacheMaxAgeSeconds === b.jwksCacheMaxAgeSeconds &&
    sameIntrospection(a.introspection, b.introspection)
  );
}

function cachedVerifyAccessToken(
  maxVerifiers: number,
): (token: string, options: VerifyOptions, dpop: boolean) => Promise<AccessTokenClaims> {
  const verifiers = new BoundedCache<string, PreparedVerifier>(maxVerifiers);
  const fetchIds = new WeakMap<FetchLike, number>();
  let nextFetchId = 1;
  const fetchId = (fetchImpl: FetchLike | undefined): number => {
    if (fetchImpl === undefined) return 0;
    let id = fetchIds.get(fetchImpl);
    if (id === undefined) {
      id = nextFetchId++;
      fetchIds.set(fetchImpl, id);
    }
    return id;
  };
  // Callers usually pass the same options object on every call: what was derived from it is kept
  // with it, and used again while every option still has the value it had then.
  const prepared = new WeakMap<VerifyOptions, Prepared>();

  function prepare(options: VerifyOptions): Prepared {
    const { introspection } = options;
    const key = JSON.stringify([
      options.issuer,
      options.jwksUri ?? null,
      options.timeoutSeconds ?? null,
      options.jwksCooldownSeconds ?? null,
      options.jwksCacheMaxAgeSeconds ?? null,
      introspection?.endpoint ?? null,
      introspection?.clientId ?? null,
      introspection === undefined ? null : hashToken(introspection.clientSecret),
      introspection?.cacheSeconds ?? null,
      fetchId(options.fetch),
    ]);
    let verifier = verifiers.get(key);
    if (verifier === undefined) {
      verifier = createPreparedVerifier(options);
      verifiers.set(key, verifier);
    }
    // Every per-request option is given, so the checks do not depend on which options created the verifier.
    const check = checks(options.issuer, {
      audience: options.audience,
      scopes: options.scopes ?? [],
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      clockTolerance: options.clockTolerance ?? 5,
    });
    const { audience: _a, scopes: _s, algorithms: _l, clockTolerance: _c, ...source } = options;
    return {
      key,
      verifier,
      check,
      source: { ...source, ...(introspection === undefined ? {} : { introspection: { ...introspection } }) },
      perRequest: snapshotPerRequest(options),
    };
  }

  // Not an async function: one promise fewer per call. Invalid options still reject, never throw.
  return (token, options, dpop) => {
    let entry = prepared.get(options);
    if (entry === undefined || !sameSource(entry.source, options) || !samePerRequest(entry.perRequest, options)) {
      try {
        entry = prepare(options);
      } catch (error) {
        return Promise.reject(error);
      }
      prepared.set(options, entry);
    } else {
      // Kept in the shared cache as if it had been looked up, so that one verifier serves each issuer.
      const shared = verifiers.get(entry.key);
      if (shared === undefined) verifiers.set(entry.key, entry.verifier);
      else entry.verifier = shared;
    }
    return entry.verifier.verifyPrepared(token, entry.check, dpop);
  };
}

/**
 * Validates an access token (RFC 9068 §4; RFC 7662 §2 when `options.introspection` is set) and
 * checks `options.scopes` (RFC 6750 §3.1). Framework-free. Verifiers, and with them the JWKS and
 * metadata caches, are reused across calls for the same issuer and key source (up to 16 issuers);
 * use {@link createVerifier} to hold one explicitly.
 *
 * @throws {ResourceServerError} `invalid_token` (401) or `insufficient_scope` (403).
 * @throws {TypeError} when the options are invalid.
 * @throws any other error when the authorization server cannot be reached: answer 503.
 *
 * @example
 * ```ts
 * import { verifyAccessToken } from 'latchkey/resource-server';
 *
 * const claims = await verifyAccessToken(token, { issuer: 'https://auth.example.com', audience: 'https://api.example.com', scopes: ['api:read'] });
 * console.log(claims.sub, claims.client_id, claims.scope);
 * ```
 */
const cachedVerify = cachedVerifyAccessToken(16);

export const verifyAccessToken: (token: string, options: VerifyOptions) => Promise<AccessTokenClaims> = (token, options) =>
  cachedVerify(token, options, false);

/**
 * Validates a DPoP-bound access token presented with `Authorization: DPoP <token>` and the request's
 * DPoP proof (RFC 9449 §7.1), sharing {@link verifyAccessToken}'s verifiers. A bound token presented
 * as a Bearer token is refused by `verifyAccessToken` with a `DPoP` challenge (§7.2).
 *
 * @throws {ResourceServerError} `invalid_token`, `invalid_dpop_proof` or `insufficient_scope`.
 *
 * @example
 * ```ts
 * import { extractDpopToken, verifyDpopAccessToken } from 'latchkey/resource-server';
 *
 * const dpopToken = extractDpopToken('DPoP eyJhbGciOiJFUzI1NiJ9.e30.sig') ?? '';
 * const claims = await verifyDpopAccessToken(
 *   dpopToken,
 *   { method: 'GET', url: 'https://api.example.com/items', proof: 'eyJ0eXAiOiJkcG9wK2p3dCJ9…' },
 *   { issuer: 'https://auth.example.com', audience: 'https://api.example.com' },
 * );
 * ```
 */
export async function verifyDpopAccessToken(token: string, request: DpopRequest, options: VerifyOptions): Promise<AccessTokenClaims> {
  const claims = await cachedVerify(token, options, true);
  await checkDpopBinding(token, claims, request, options.dpop);
  return claims;
}
