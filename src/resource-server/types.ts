// RFC 9068 §4 and RFC 7662 §2: how a resource server is told to validate access tokens.
import type { DpopOptions } from './dpop.ts';

/**
 * A `fetch`-compatible function; `globalThis.fetch` fits.
 *
 * @example
 * ```ts
 * import { type FetchLike, verifyAccessToken } from 'latchkey/resource-server';
 *
 * // Log every request the verifier makes (metadata, JWKS, introspection).
 * const loggingFetch: FetchLike = (url, init) => {
 *   console.log('GET', url);
 *   return fetch(url, init);
 * };
 * await verifyAccessToken(token, { issuer: 'https://auth.example.com', audience: 'https://api.example.com', fetch: loggingFetch });
 * ```
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Token introspection settings (RFC 7662 §2).
 *
 * @example
 * ```ts
 * import { type IntrospectionOptions, requireAccessToken } from 'latchkey/resource-server';
 *
 * const introspection: IntrospectionOptions = { clientId: 'billing-api', clientSecret: process.env.BILLING_API_SECRET ?? '', cacheSeconds: 10 };
 * const guard = requireAccessToken({ issuer: 'https://auth.example.com', audience: 'https://billing.example.com', introspection });
 * ```
 */
export interface IntrospectionOptions {
  /** The introspection endpoint; discovered from `introspection_endpoint` in the metadata when absent. */
  endpoint?: string;
  /** This resource server's client identifier at the authorization server. */
  clientId: string;
  /** Its client secret, sent with `client_secret_basic` (RFC 6749 §2.3.1). */
  clientSecret: string;
  /** How long an active result may be reused, in seconds (default 30); never past the token's `exp`. */
  cacheSeconds?: number;
}

/**
 * Options for validating an access token (RFC 9068 §4, or RFC 7662 §2 with `introspection`).
 *
 * @example
 * ```ts
 * import { type VerifyOptions, verifyAccessToken } from 'latchkey/resource-server';
 *
 * const options: VerifyOptions = { issuer: 'https://auth.example.com', audience: 'https://api.example.com', scopes: ['api:read'], clockTolerance: 10 };
 * const claims = await verifyAccessToken(token, options);
 * ```
 */
export interface VerifyOptions {
  /** The issuer identifier; `iss` must equal it exactly. */
  issuer: string;
  /** This resource's identifier; `aud` must contain it (or one of them). */
  audience: string | readonly string[];
  /** Scopes that must all be granted, or the request gets `insufficient_scope` (403). */
  scopes?: readonly string[];
  /** Allowed signing algorithms (default RS256, ES256, EdDSA). `none` and HMAC are always refused. */
  algorithms?: readonly string[];
  /** Leeway in seconds for `exp`, `nbf` and `iat` (default 5). */
  clockTolerance?: number;
  /** The JWKS location; otherwise discovered from the issuer's metadata (RFC 8414 §3). */
  jwksUri?: string;
  /** The fetch implementation used for metadata, JWKS and introspection requests. */
  fetch?: FetchLike;
  /** Validate by asking the authorization server (RFC 7662) instead of checking a JWT locally. */
  introspection?: IntrospectionOptions;
  /** Timeout of each outgoing request in seconds (default 5). */
  timeoutSeconds?: number;
  /** Minimum time between two JWKS fetches caused by an unknown `kid`, in seconds (default 30, at most 300). */
  jwksCooldownSeconds?: number;
  /** How long a fetched JWKS is used before it is fetched again, in seconds (default 600). */
  jwksCacheMaxAgeSeconds?: number;
  /** How DPoP proofs of DPoP-bound tokens are checked (RFC 9449 §7). */
  dpop?: DpopOptions;
}

/**
 * Options that may differ between requests served by the same verifier.
 *
 * @example
 * ```ts
 * import { createVerifier, type PerRequestOptions } from 'latchkey/resource-server';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const forWrites: PerRequestOptions = { scopes: ['api:write'] };
 * const claims = await verifier.verify(token, forWrites);
 * ```
 */
export interface PerRequestOptions {
  audience?: string | readonly string[];
  scopes?: readonly string[];
  algorithms?: readonly string[];
  clockTolerance?: number;
}
