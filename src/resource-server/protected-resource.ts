// RFC 9728 §2-§3: OAuth 2.0 Protected Resource Metadata, served for node:http, Express and Fastify.
import type { AccessTokenRequest, FastifyReply, NextFunction, NodeResponse } from './middleware.ts';
import { checkUrl } from './options.ts';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** A node:http, Express or Fastify request: what the handler reads of it. */
type MetadataRequest = Pick<AccessTokenRequest, 'headers'> & { url?: string | undefined; method?: string | undefined };

/**
 * What a protected resource says about itself (RFC 9728 §2).
 *
 * @example
 * ```ts
 * import { protectedResourceMetadata, type ProtectedResourceOptions } from 'latchkey/resource-server';
 *
 * const options: ProtectedResourceOptions = {
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['mcp:tools', 'mcp:write'],
 * };
 * protectedResourceMetadata(options).bearer_methods_supported; // ['header']
 * ```
 */
export interface ProtectedResourceOptions {
  /** This resource's identifier (RFC 8707): the URL clients use, e.g. the MCP server's endpoint. */
  resource: string;
  /** The issuer identifiers of the authorization servers that issue tokens for it. */
  authorizationServers: readonly string[];
  /** The scopes clients may ask for this resource (`offline_access` is never listed: it is not about the resource). */
  scopesSupported?: readonly string[];
  /** A name for people (`resource_name`). */
  resourceName?: string;
  /** A page about the resource for developers (`resource_documentation`). */
  resourceDocumentation?: string;
}

/**
 * The RFC 9728 §2 metadata document.
 *
 * @example
 * ```ts
 * import { type ProtectedResourceMetadata, protectedResourceMetadata } from 'latchkey/resource-server';
 *
 * const document: ProtectedResourceMetadata = protectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 * });
 * document.authorization_servers; // ['https://auth.example.com']
 * ```
 */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
  resource_documentation?: string;
}

/**
 * Builds the metadata document (RFC 9728 §2): `resource`, `authorization_servers`,
 * `scopes_supported` (without `offline_access`), and `bearer_methods_supported` (`header` only:
 * RFC 6750 §2.1, the method MCP requires).
 *
 * @throws {TypeError} when `resource` is not an absolute URL without a fragment (RFC 9728 §1.2),
 *   or an authorization server is not an absolute URL.
 * @example
 * ```ts
 * import { protectedResourceMetadata } from 'latchkey/resource-server';
 *
 * const document = protectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['mcp:tools', 'offline_access'],
 * });
 * document.scopes_supported; // ['mcp:tools']
 * ```
 */
export function protectedResourceMetadata(options: ProtectedResourceOptions): ProtectedResourceMetadata {
  checkUrl(options.resource, 'resource');
  // RFC 9728 §1.2: the resource identifier has no fragment.
  if (options.resource.includes('#')) throw new TypeError('resource must not contain a fragment (RFC 9728 §1.2)');
  if (options.authorizationServers.length === 0) throw new TypeError('authorizationServers must name at least one issuer');
  for (const issuer of options.authorizationServers) checkUrl(issuer, 'an authorization server');
  const document: ProtectedResourceMetadata = {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    bearer_methods_supported: ['header'],
  };
  const scopes = (options.scopesSupported ?? []).filter((s) => s !== 'offline_access');
  if (scopes.length > 0) document.scopes_supported = scopes;
  if (options.resourceName !== undefined) document.resource_name = options.resourceName;
  if (options.resourceDocumentation !== undefined) document.resource_documentation = options.resourceDocumentation;
  return document;
}

/**
 * Where the metadata of `resource` lives (RFC 9728 §3.1): `/.well-known/oauth-protected-resource`
 * inserted between the host and the path, so `https://mcp.example.com/mcp` has its metadata at
 * `https://mcp.example.com/.well-known/oauth-protected-resource/mcp`. Give this URL to
 * {@link requireAccessToken} as `resourceMetadata`.
 *
 * @example
 * ```ts
 * import { protectedResourceMetadataUrl } from 'latchkey/resource-server';
 *
 * protectedResourceMetadataUrl('https://mcp.example.com/mcp');
 * // 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
 * ```
 */
export function protectedResourceMetadataUrl(resource: string): string {
  checkUrl(resource, 'resource');
  const url = new URL(resource);
  // RFC 9728 §3.1: a terminating "/" following the host is removed before inserting the well-known path.
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${WELL_KNOWN}${path}${url.search}`;
}

/**
 * A request handler that serves the metadata; see {@link protectedResourceHandler}.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { type ProtectedResourceHandler, protectedResourceHandler } from 'latchkey/resource-server';
 *
 * const metadata: ProtectedResourceHandler = protectedResourceHandler({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 * });
 * createServer((req, res) => {
 *   void metadata(req, res, () => res.writeHead(404).end());
 * });
 * ```
 */
export interface ProtectedResourceHandler {
  (req: MetadataRequest, res: NodeResponse | FastifyReply, next?: NextFunction): Promise<void>;
  /** The paths it answers: the RFC 9728 §3.1 one (path inserted) and the bare well-known path. */
  readonly paths: readonly string[];
  /** The document it serves. */
  readonly metadata: ProtectedResourceMetadata;
}

/**
 * Serves the metadata at the path-inserted location (RFC 9728 §3.1, e.g.
 * `/.well-known/oauth-protected-resource/mcp`) and at `/.well-known/oauth-protected-resource`.
 * It works as `(req, res, next)` in node:http and Express (other paths go to `next`) and as a
 * Fastify handler `(request, reply)` for each of `handler.paths`. GET and HEAD get the document with
 * `Access-Control-Allow-Origin: *` (it is public, and browser-based MCP clients read it); OPTIONS
 * answers the CORS preflight; other methods get 405.
 *
 * @throws {TypeError} at once when the options are invalid (see {@link protectedResourceMetadata}).
 * @example
 * ```ts
 * import express from 'express';
 * import Fastify from 'fastify';
 * import { protectedResourceHandler } from 'latchkey/resource-server';
 *
 * const metadata = protectedResourceHandler({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   scopesSupported: ['mcp:tools', 'mcp:write'],
 * });
 * express().use(metadata);
 * const fastify = Fastify();
 * for (const path of metadata.paths) fastify.route({ method: ['GET', 'HEAD', 'OPTIONS'], url: path, handler: (request, reply) => metadata(request, reply) });
 * ```
 */
export function protectedResourceHandler(options: ProtectedResourceOptions): ProtectedResourceHandler {
  const metadata = protectedResourceMetadata(options);
  const inserted = new URL(protectedResourceMetadataUrl(options.resource)).pathname;
  const paths = [...new Set([inserted, WELL_KNOWN])];
  const body = JSON.stringify(metadata);
  const handler = async (req: MetadataRequest, res: NodeResponse | FastifyReply, next?: NextFunction): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!paths.includes(path)) {
      if (next !== undefined) await next();
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (method === 'OPTIONS') {
      const requested = req.headers['access-control-request-headers'];
      answer(res, 204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': typeof requested === 'string' ? requested : '*',
        'Access-Control-Max-Age': '600',
      });
    } else if (method === 'GET' || method === 'HEAD') {
      answer(
        res,
        200,
        { ...cors, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
        method === 'GET' ? body : undefined,
      );
    } else {
      answer(res, 405, { Allow: 'GET, HEAD, OPTIONS' });
    }
  };
  return Object.assign(handler, { paths, metadata });
}

function answer(res: NodeResponse | FastifyReply, status: number, headers: Record<string, string>, body?: string): void {
  const reply = res as Partial<FastifyReply>;
  if (typeof reply.code === 'function' && typeof reply.header === 'function' && typeof reply.send === 'function') {
    if (reply.sent === true) return;
    reply.code(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.send(body ?? '');
    return;
  }
  const response = res as NodeResponse;
  if (response.headersSent === true) return;
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(body);
}
