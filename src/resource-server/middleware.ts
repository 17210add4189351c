// RFC 6750 §2.1 and §3: protecting a resource with Bearer tokens in node:http, Express and Fastify.
import { extractBearerToken } from './bearer.ts';
import type { AccessTokenClaims } from './claims.ts';
import { dpopChallenge, dpopRequestOf, extractDpopToken } from './dpop.ts';
import { bearerChallenge, type ChallengeParameters, ResourceServerError } from './errors.ts';
import type { VerifyOptions } from './types.ts';
import { createVerifier } from './verifier.ts';

type Headers = Record<string, string | string[] | undefined>;

/**
 * A node:http `IncomingMessage`, an Express request or a Fastify request.
 *
 * @example
 * ```ts
 * import { createServer, type IncomingMessage } from 'node:http';
 * import { type AccessTokenRequest, requireAccessToken } from 'latchkey/resource-server';
 *
 * const guard = requireAccessToken({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * createServer((req: IncomingMessage & AccessTokenRequest, res) => {
 *   void guard(req, res, () => res.end(`hello ${req.auth?.sub}`));
 * });
 * ```
 */
export interface AccessTokenRequest {
  headers: Headers;
  /** The validated claims, set on success. */
  auth?: AccessTokenClaims;
  /** Present on a Fastify request. */
  raw?: unknown;
}

/**
 * A node:http `ServerResponse` or an Express response.
 *
 * @example
 * ```ts
 * import type { NodeResponse } from 'latchkey/resource-server';
 *
 * // A ServerResponse or an Express response fits; so does a stand-in in a unit test.
 * const recorded: NodeResponse = { statusCode: 200, setHeader: () => undefined, end: () => undefined };
 * ```
 */
export interface NodeResponse {
  statusCode: number;
  headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * A Fastify reply.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { requireAccessToken } from 'latchkey/resource-server';
 *
 * const guard = requireAccessToken({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * Fastify().get('/me', { preHandler: (request, reply) => guard(request, reply) }, async (request) => ({ sub: request.auth?.sub }));
 * ```
 */
export interface FastifyReply {
  sent?: boolean;
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload?: unknown): unknown;
}

/**
 * Called with no argument to pass control on (Express `next`, or your own continuation).
 *
 * @example
 * ```ts
 * import type { NextFunction } from 'latchkey/resource-server';
 *
 * const next: NextFunction = (error) => {
 *   if (error) console.error(error);
 * };
 * ```
 */
export type NextFunction = (error?: unknown) => unknown;

/**
 * Checks the Bearer token of a request. Works as `(req, res, next)` in node:http and Express, and
 * as a Fastify `preHandler` hook `(request, reply)`. On success sets `req.auth` and calls `next`;
 * on failure answers and never calls `next`. The returned promise never rejects because of the token
 * or the authorization server; it only passes on what `next` itself throws.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { type AccessTokenMiddleware, requireAccessToken } from 'latchkey/resource-server';
 *
 * const canWrite: AccessTokenMiddleware = requireAccessToken({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   scopes: ['api:write'],
 * });
 * express().post('/items', canWrite, (req, res) => {
 *   res.status(201).json({ owner: req.auth?.sub });
 * });
 * ```
 */
export type AccessTokenMiddleware = (req: AccessTokenRequest, res: NodeResponse | FastifyReply, next?: NextFunction) => Promise<void>;

/**
 * Options of {@link requireAccessToken}.
 *
 * @example
 * ```ts
 * import { type RequireAccessTokenOptions, requireAccessToken } from 'latchkey/resource-server';
 *
 * const options: RequireAccessTokenOptions = {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   realm: 'api',
 *   onError: (error) => console.error('token check failed', error),
 * };
 * const guard = requireAccessToken(options);
 * ```
 */
export interface RequireAccessTokenOptions extends VerifyOptions {
  /** The `realm` of the `WWW-Authenticate` challenge (RFC 6750 §3). */
  realm?: string;
  /**
   * The URL of this resource's RFC 9728 metadata (see {@link protectedResourceMetadataUrl}): every
   * challenge then carries `resource_metadata` and the `scope` the request needs (RFC 9728 §5.1,
   * MCP authorization), which is how MCP clients find the authorization server.
   */
  resourceMetadata?: string;
  /** Receives unexpected errors (authorization server unreachable, bad JWKS) answered with 503. */
  onError?: (error: unknown) => void;
}

interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: Record<string, string>;
}

function isFastify(req: AccessTokenRequest, res: NodeResponse | FastifyReply): res is FastifyReply {
  const reply = res as Partial<FastifyReply>;
  return (
    req.raw !== undefined && typeof reply.code === 'function' && typeof reply.header === 'function' && typeof reply.send === 'function'
  );
}

function send(res: NodeResponse | FastifyReply, fastify: boolean, outcome: Outcome): void {
  const headers: Record<string, string> = {
    ...outcome.headers,
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
  };
  const body = JSON.stringify(outcome.body);
  if (fastify) {
    const reply = res as FastifyReply;
    if (reply.sent === true) return;
    reply.code(outcome.status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.send(body);
    return;
  }
  const response = res as NodeResponse;
  if (response.headersSent === true) {
    response.end();
    return;
  }
  response.statusCode = outcome.status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(body);
}

// Browser-based clients read the challenge only when CORS exposes it (MCP authorization).
const EXPOSE = { 'Access-Control-Expose-Headers': 'WWW-Authenticate' };

function refusal(
  error: unknown,
  realm: string | undefined,
  onError: ((error: unknown) => void) | undefined,
  challenge: ChallengeParameters,
): Outcome {
  if (error instanceof ResourceServerError) {
    return {
      status: error.status,
      headers: { 'WWW-Authenticate': error.wwwAuthenticate(realm, challenge), ...EXPOSE },
      body: { ...error.responseBody() },
    };
  }
  try {
    onError?.(error);
  } catch {
    // A failing logger must not turn a 503 into a crash.
  }
  return {
    status: 503,
    headers: { 'Retry-After': '5' },
    body: {
      error: 'temporarily_unavailable',
      error_description: 'The access token cannot be validated at the moment',
    },
  };
}

/**
 * Returns a middleware that requires a valid access token with the given scopes (RFC 6750 §2.1, §3;
 * validation per RFC 9068 §4 or RFC 7662 §2). Responses on failure:
 * - no Bearer credentials: 401, `WWW-Authenticate: Bearer realm="…"` without an error (RFC 6750 §3.1), body `{}`;
 * - malformed header: 400 `invalid_request`; bad token: 401 `invalid_token`; missing scope: 403
 *   `insufficient_scope` with the needed `scope` in the challenge;
 * - authorization server unreachable: 503 `temporarily_unavailable`.
 * All carry `Cache-Control: no-store`. With Fastify, decorate the request with `auth` first
 * (`fastify.decorateRequest('auth', null)`) and register the middleware as a `preHandler`.
 *
 * @throws {TypeError} at once when the options are invalid.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { requireAccessToken } from 'latchkey/resource-server';
 *
 * const canRead = requireAccessToken({ issuer: 'https://auth.example.com', audience: 'https://api.example.com', scopes: ['api:read'] });
 * express().get('/data', canRead, (req, res) => {
 *   res.json({ sub: req.auth?.sub });
 * });
 * ```
 */
export function requireAccessToken(options: RequireAccessTokenOptions): AccessTokenMiddleware {
  const { realm, onError, resourceMetadata, ...verifyOptions } = options;
  const verifier = createVerifier(verifyOptions);
  // Without resource metadata the challenges stay as RFC 6750 alone writes them.
  const challenge: ChallengeParameters = resourceMetadata === undefined ? {} : { resourceMetadata, scope: verifyOptions.scopes?.join(' ') };

  // Declared with two parameters: Fastify refuses async hooks that declare a third (`done`).
  return async function accessTokenMiddleware(req, res, ...rest: [next?: NextFunction]) {
    const fastify = isFastify(req, res);
    let claims: AccessTokenClaims;
    try {
      const header = req.headers.authorization;
      if (Array.isArray(header)) {
        throw new ResourceServerError('invalid_request', 'The request has more than one Authorization header');
      }
      // RFC 9449 §7.1: a DPoP-bound token comes with the DPoP scheme and a proof (dpop.ts).
      const dpopToken = extractDpopToken(header);
      const token = dpopToken === undefined ? extractBearerToken(header) : undefined;
      if (dpopToken === undefined && token === undefined) {
        const bearer = bearerChallenge(realm, challenge);
        const offered = verifyOptions.dpop ? `${bearer}, ${dpopChallenge(realm)}` : bearer;
        send(res, fastify, { status: 401, headers: { 'WWW-Authenticate': offered, ...EXPOSE }, body: {} });
        return;
      }
      claims =
        dpopToken !== undefined
          ? await verifier.verifyDpop(dpopToken, dpopRequestOf(req as Parameters<typeof dpopRequestOf>[0], verifyOptions.dpop?.origin))
          : await verifier.verify(token as string);
    } catch (error) {
      try {
        send(res, fastify, refusal(error, realm, onError, challenge));
      } catch (sendError) {
        // The connection is already gone; there is nobody left to answer.
        try {
          onError?.(sendError);
        } catch {}
      }
      return;
    }
    req.auth = claims;
    // Fastify continues with the route once this promise resolves.
    const next = rest[0];
    if (!fastify && next !== undefined) await next();
  };
}
