// RFC 9068 §4 and RFC 7662 §2: validating access tokens for one issuer, with cached keys and metadata.

import type { RemoteJWKSetOptions } from 'jose';
import { customFetch } from 'jose';
import { BoundedCache } from '../cache.ts';
import { epochSeconds } from '../clock.ts';
import { hashToken } from '../tokens/opaque.ts';
import type { AccessTokenClaims } from './claims.ts';
import { requireScopes, validateClaims } from './claims.ts';
import type { AuthorizationServerMetadata } from './discovery.ts';
import { fetchMetadata } from './discovery.ts';
import { checkDpopBinding, type DpopRequest } from './dpop.ts';
import { ResourceServerError } from './errors.ts';
import type { Introspector } from './introspection.ts';
import { createIntrospector } from './introspection.ts';
import { DEFAULT_ALGORITHMS, verifyJwtAccessToken } from './jwt.ts';
import { remoteKeys } from './keys.ts';
import type { Checks, PerRequestSnapshot } from './options.ts';
import { checkIssuer, checks, checkUrl, samePerRequest, seconds, snapshotPerRequest } from './options.ts';
import type { FetchLike, IntrospectionOptions, PerRequestOptions, VerifyOptions } from './types.ts';

/**
 * Validates access tokens for one issuer and keeps that issuer's JWKS, metadata and introspection caches.
 *
 * @example
 * ```ts
 * import { createVerifier, type Verifier } from 'latchkey/resource-server';
 *
 * const verifier: Verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const claims = await verifier.verify(token, { scopes: ['api:read'] });
 * ```
 */
export interface Verifier {
  /**
   * Validates `token` (RFC 9068 §4, or RFC 7662 §2 in introspection mode) and checks the scopes.
   * `options` override the verifier's audience, scopes, algorithms or clock tolerance for this call.
   *
   * @throws {ResourceServerError} `invalid_token` (401) or `insufficient_scope` (403).
   * @throws any other error when the authorization server cannot be reached: answer 503.
   */
  verify(token: string, options?: PerRequestOptions): Promise<AccessTokenClaims>;
  /**
   * Validates a DPoP-bound token presented with the `DPoP` scheme (RFC 9449 §7.1): the token as
   * `verify` does, then the request's proof (its key is the token's `cnf.jkt`; htm, htu, ath, iat,
   * and a jti used once).
   *
   * @throws {ResourceServerError} `invalid_token`, `invalid_dpop_proof` (401, with a DPoP challenge) or `insufficient_scope`.
   */
  verifyDpop(token: string, request: DpopRequest, options?: PerRequestOptions): Promise<AccessTokenClaims>;
}

// Far above any token Latchkey issues; refuses abuse before any parsing or hashing.
const MAX_TOKEN_LENGTH = 16_384;

/** A verifier, and the same validation with checks prepared in advance. */
interface PreparedVerifier extends Verifier {
  verifyPrepared(token: string, check: Checks, dpop?: boolean): Promise<AccessTokenClaims>;
}

/**
 * Creates a verifier for one issuer (RFC 9068 §4). Keys come from the issuer's JWKS through jose's
 * `createRemoteJWKSet`: cached for `jwksCacheMaxAgeSeconds`, fetched again on an unknown `kid` at
 * most once per `jwksCooldownSeconds`. With `introspection`, tokens are instead sent to the
 * introspection endpoint (RFC 7662 §2) and active results cached for `cacheSeconds`.
 *
 * @throws {TypeError} at once when the options are invalid.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'latchkey/resource-server';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com', jwksCooldownSeconds: 60 });
 * const claims = await verifier.verify(token);
 * ```
 */
export function createVerifier(options: VerifyOptions): Verifier {
  const { verify, verifyDpop } = createPreparedVerifier(options);
  return { verify, verifyDpop };
}

function createPreparedVerifier(options: VerifyOptions): PreparedVerifier {
  const { issuer } = options;
  checkIssuer(issuer);
  const defaults = checks(issuer, options);
  const timeoutMs = Math.round(seconds(options.timeoutSeconds, 5, 'timeoutSeconds') * 1000);
  if (timeoutMs === 0) throw new TypeError('timeoutSeconds must be positive');
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  if (options.jwksUri !== undefined) checkUrl(options.jwksUri, 'jwksUri');

  let metadata: Promise<AuthorizationServerMetadata> | undefined;
  const getMetadata = (): Promise<AuthorizationServerMetadata> => {
    metadata ??= fetchMetadata(issuer, fetchImpl, timeoutMs).catch((error: unknown) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  };

  const jwksOptions: RemoteJWKSetOptions & { cacheMaxAge: number } = {
    timeoutDuration: timeoutMs,
    cooldownDuration: seconds(options.jwksCooldownSeconds, 30, 'jwksCooldownSeconds', 300) * 1000,
    cacheMaxAge: seconds(options.jwksCacheMaxAgeSeconds, 600, 'jwksCacheMaxAgeSeconds') * 1000,
    [customFetch]: fetchImpl,
  };
  // The JWKS location is resolved on the first key request, so that a token refused on its header
  // alone causes no request.
  const keys = remoteKeys({
    jwksUri: async () => {
      const uri = options.jwksUri ?? (await getMetadata()).jwks_uri;
      if (uri === undefined) throw new Error('The authorization server metadata has no jwks_uri');
      return uri;
    },
    jwks: jwksOptions,
  });

  let introspector: Introspector | undefined;
  if (options.introspection !== undefined) {
    const { endpoint, clientId, clientSecret, cacheSeconds } = options.introspection;
    if (endpoint !== undefined) checkUrl(endpoint, 'introspection.endpoint');
    if (typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string') {
      throw new TypeError('introspection needs a clientId and a clientSecret');
    }
    introspector = createIntrospector({
      endpoint: async () => {
        const found = endpoint ?? (await getMetadata()).introspection_endpoint;
        if (found === undefined) throw new Error('The authorization server metadata has no introspection_endpoint');
        return found;
      },
      clientId,
      clientSecret,
      cacheSeconds: seconds(cacheSeconds, 30, 'introspection.cacheSeconds'),
      fetch: fetchImpl,
      timeoutMs,
    });
  }

  async function introspect(active: Introspector, token: string, check: Checks, dpop: boolean): Promise<AccessTokenClaims> {
    const { active: _active, ...claims } = await active.introspect(token);
    const tokenType = claims.token_type;
    // RFC 9449 §6.2: a DPoP-bound token is introspected with token_type DPoP.
    if (
      tokenType !== undefined &&
      !(typeof tokenType === 'string' && ['bearer', 'access_token', 'dpop'].includes(tokenType.toLowerCase()))
    ) {
      throw new ResourceServerError('invalid_token', 'The token is not a bearer access token');
    }
    // The issuer's own introspection endpoint vouches for the token when the response omits iss.
    return validateClaims({ iss: issuer, ...claims }, { ...check, issuer, now: epochSeconds() }, dpop);
  }

  async function verifyPrepared(token: string, check: Checks, dpop = false): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
      throw new ResourceServerError('invalid_token', 'The access token is malformed');
    }
    const claims =
      introspector === undefined
        ? await verifyJwtAccessToken(token, keys, check.jwt, dpop)
        : await introspect(introspector, token, check, dpop);
    requireScopes(claims, check.scopes);
    return claims;
  }

  const checksFor = (perRequest: PerRequestOptions | undefined): Checks =>
    perRequest === undefined ? defaults : checks(issuer, perRequest, defaults);

  return {
    verify(token, perRequest) {
      if (perRequest === undefined) return verifyPrepared(token, defaults);
      let check: Checks;
      try {
        check = checks(issuer, perRequest, defaults);
      } catch (error) {
        return Promise.reject(error);
      }
      return verifyPrepared(token, check);
    },
    async verifyDpop(token, request, perRequest) {
      const claims = await verifyPrepared(token, checksFor(perRequest), true);
      await checkDpopBinding(token, claims, request, options.dpop);
      return claims;
    },
    verifyPrepared,
  };
}

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
