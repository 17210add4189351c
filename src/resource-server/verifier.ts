// RFC 9068 §4 and RFC 7662 §2: validating access tokens for one issuer, with cached keys and metadata.

import type { RemoteJWKSetOptions } from 'jose';
import { customFetch } from 'jose';
import { epochSeconds } from '../clock.ts';
import type { AccessTokenClaims } from './claims.ts';
import { requireScopes, validateClaims } from './claims.ts';
import type { AuthorizationServerMetadata } from './discovery.ts';
import { fetchMetadata } from './discovery.ts';
import { checkDpopBinding, type DpopRequest } from './dpop.ts';
import { ResourceServerError } from './errors.ts';
import type { Introspector } from './introspection.ts';
import { createIntrospector } from './introspection.ts';
import { verifyJwtAccessToken } from './jwt.ts';
import { remoteKeys } from './keys.ts';
import type { Checks } from './options.ts';
import { checkIssuer, checks, checkUrl, seconds } from './options.ts';
import type { FetchLike, PerRequestOptions, VerifyOptions } from './types.ts';

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
export interface PreparedVerifier extends Verifier {
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

/** The verifier `verifyAccessToken` keeps per issuer (verify-access-token.ts), with `verifyPrepared`. */
export function createPreparedVerifier(options: VerifyOptions): PreparedVerifier {
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
