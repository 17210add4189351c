// RFC 9068 §4 and RFC 7662 §2: validating access tokens for one issuer, with cached keys and metadata.
import { createHash } from 'node:crypto';
import type { JWTVerifyGetKey, RemoteJWKSetOptions } from 'jose';
import { createRemoteJWKSet, customFetch } from 'jose';
import type { AccessTokenClaims } from './claims.ts';
import { requireScopes, validateClaims } from './claims.ts';
import type { AuthorizationServerMetadata } from './discovery.ts';
import { fetchMetadata } from './discovery.ts';
import { ResourceServerError } from './errors.ts';
import type { Introspector } from './introspection.ts';
import { createIntrospector } from './introspection.ts';
import { checkAlgorithms, DEFAULT_ALGORITHMS, verifyJwtAccessToken } from './jwt.ts';
import { BoundedCache } from './lru.ts';
import type { FetchLike, PerRequestOptions, VerifyOptions } from './types.ts';

/** Validates access tokens for one issuer and keeps that issuer's JWKS, metadata and introspection caches. */
export interface Verifier {
  /**
   * Validates `token` (RFC 9068 §4, or RFC 7662 §2 in introspection mode) and checks the scopes.
   * `options` override the verifier's audience, scopes, algorithms or clock tolerance for this call.
   *
   * @throws {ResourceServerError} `invalid_token` (401) or `insufficient_scope` (403).
   * @throws any other error when the authorization server cannot be reached: answer 503.
   */
  verify(token: string, options?: PerRequestOptions): Promise<AccessTokenClaims>;
}

interface Checks {
  audience: readonly string[];
  scopes: readonly string[];
  algorithms: readonly string[];
  clockTolerance: number;
}

// A scope-token (RFC 6749 §3.3).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// Far above any token Latchkey issues; refuses abuse before any parsing or hashing.
const MAX_TOKEN_LENGTH = 16_384;

function seconds(value: number | undefined, fallback: number, name: string, max = Number.POSITIVE_INFINITY): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new TypeError(`${name} must be a non-negative number of seconds`);
  return Math.min(result, max);
}

function checks(options: PerRequestOptions, base?: Checks): Checks {
  const audience = options.audience === undefined ? base?.audience : [options.audience].flat();
  if (audience === undefined || audience.length === 0 || audience.some((value) => typeof value !== 'string' || value === '')) {
    throw new TypeError('audience must be a non-empty string or list of strings');
  }
  const scopes = options.scopes ?? base?.scopes ?? [];
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`scope "${scope}" is not a valid scope-token (RFC 6749 §3.3)`);
  }
  const algorithms =
    options.algorithms === undefined ? (base?.algorithms ?? checkAlgorithms(undefined)) : checkAlgorithms(options.algorithms);
  const clockTolerance = seconds(options.clockTolerance, base?.clockTolerance ?? 5, 'clockTolerance');
  return { audience, scopes, algorithms, clockTolerance };
}

function checkUrl(value: string, name: string): void {
  if (!URL.canParse(value)) throw new TypeError(`${name} must be an absolute URL`);
}

function checkIssuer(issuer: string): void {
  checkUrl(issuer, 'issuer');
  const url = new URL(issuer);
  // RFC 8414 §2: an https URL without query or fragment (http is accepted for local development).
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
    throw new TypeError('issuer must be an http(s) URL without query or fragment');
  }
}

/**
 * Creates a verifier for one issuer (RFC 9068 §4). Keys come from the issuer's JWKS through jose's
 * `createRemoteJWKSet`: cached for `jwksCacheMaxAgeSeconds`, fetched again on an unknown `kid` at
 * most once per `jwksCooldownSeconds`. With `introspection`, tokens are instead sent to the
 * introspection endpoint (RFC 7662 §2) and active results cached for `cacheSeconds`.
 *
 * @throws {TypeError} at once when the options are invalid.
 */
export function createVerifier(options: VerifyOptions): Verifier {
  const { issuer } = options;
  checkIssuer(issuer);
  const defaults = checks(options);
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

  const jwksOptions: RemoteJWKSetOptions = {
    timeoutDuration: timeoutMs,
    cooldownDuration: seconds(options.jwksCooldownSeconds, 30, 'jwksCooldownSeconds', 300) * 1000,
    cacheMaxAge: seconds(options.jwksCacheMaxAgeSeconds, 600, 'jwksCacheMaxAgeSeconds') * 1000,
    [customFetch]: fetchImpl,
  };
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const getKeys = (): Promise<JWTVerifyGetKey> => {
    keys ??= (async () => {
      const uri = options.jwksUri ?? (await getMetadata()).jwks_uri;
      if (uri === undefined) throw new Error('The authorization server metadata has no jwks_uri');
      return createRemoteJWKSet(new URL(uri), jwksOptions);
    })().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return keys;
  };
  // Resolved lazily so that a token refused on its header alone causes no request.
  const getKey: JWTVerifyGetKey = async (header, token) => (await getKeys())(header, token);

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

  async function introspect(active: Introspector, token: string, check: Checks): Promise<AccessTokenClaims> {
    const { active: _active, ...claims } = await active.introspect(token);
    const tokenType = claims.token_type;
    if (tokenType !== undefined && !(typeof tokenType === 'string' && ['bearer', 'access_token'].includes(tokenType.toLowerCase()))) {
      throw new ResourceServerError('invalid_token', 'The token is not a bearer access token');
    }
    // The issuer's own introspection endpoint vouches for the token when the response omits iss.
    return validateClaims({ iss: issuer, ...claims }, { ...check, issuer, now: Math.floor(Date.now() / 1000) });
  }

  return {
    async verify(token, perRequest) {
      const check = perRequest === undefined ? defaults : checks(perRequest, defaults);
      if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
        throw new ResourceServerError('invalid_token', 'The access token is malformed');
      }
      const claims =
        introspector === undefined
          ? await verifyJwtAccessToken(token, getKey, { ...check, issuer })
          : await introspect(introspector, token, check);
      requireScopes(claims, check.scopes);
      return claims;
    },
  };
}

function cachedVerifyAccessToken(maxVerifiers: number): (token: string, options: VerifyOptions) => Promise<AccessTokenClaims> {
  const verifiers = new BoundedCache<string, Verifier>(maxVerifiers);
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
  return async (token, options) => {
    const { introspection } = options;
    const key = JSON.stringify([
      options.issuer,
      options.jwksUri ?? null,
      options.timeoutSeconds ?? null,
      options.jwksCooldownSeconds ?? null,
      options.jwksCacheMaxAgeSeconds ?? null,
      introspection?.endpoint ?? null,
      introspection?.clientId ?? null,
      introspection === undefined ? null : createHash('sha256').update(introspection.clientSecret).digest('base64url'),
      introspection?.cacheSeconds ?? null,
      fetchId(options.fetch),
    ]);
    let verifier = verifiers.get(key);
    if (verifier === undefined) {
      verifier = createVerifier(options);
      verifiers.set(key, verifier);
    }
    return verifier.verify(token, {
      audience: options.audience,
      scopes: options.scopes ?? [],
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      clockTolerance: options.clockTolerance ?? 5,
    });
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
 */
export const verifyAccessToken: (token: string, options: VerifyOptions) => Promise<AccessTokenClaims> = cachedVerifyAccessToken(16);
