// The route table: one line per endpoint.
import type { Logger } from 'pino';
import { OAuthError } from '../errors.ts';
import { type ErrorFormat, errorResponse } from './errors.ts';
import type { OAuthRequest, OAuthResponse, PageRenderer } from './types.ts';

export type Endpoint = (req: OAuthRequest) => Promise<OAuthResponse>;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  path: string;
  /** Matches `path/<one segment>` and passes the segment as `pathParam`. */
  param?: boolean;
  /** Matches `path` and everything under it, passing the rest (`/a/b`, or '') as `pathParam`. */
  prefix?: boolean;
  methods: Partial<Record<Method, Endpoint>>;
  errors: ErrorFormat;
  /**
   * Whether browsers on other origins may call it (CORS, config `cors.origins`): `public` documents
   * (metadata, JWKS) accept `*`; `listed` endpoints only origins named one by one. Pages have none.
   */
  cors?: 'public' | 'listed';
}

/** The request headers a browser-based client sends to the CORS routes. */
const CORS_REQUEST_HEADERS = 'authorization, content-type, mcp-protocol-version, dpop';
/** The response headers such a client must read (challenges, waits, nonces). */
const CORS_EXPOSED_HEADERS = 'www-authenticate, retry-after, dpop-nonce';

/** The Access-Control-Allow-Origin a route gives `origin`, or undefined when it gives none. */
function allowedOrigin(kind: Route['cors'], origin: string | undefined, origins: readonly string[]): string | undefined {
  if (kind === undefined || origin === undefined) return undefined;
  if (origins.includes(origin)) return origin;
  return kind === 'public' && origins.includes('*') ? '*' : undefined;
}

/** The router's own words (the composition root passes them from the page strings). */
export interface RouterMessages {
  notFound: string;
  methodNotAllowed(allowed: string): string;
}

export function createRouter(
  routes: readonly Route[],
  log: Logger,
  renderPage: PageRenderer,
  messages: RouterMessages,
  corsOrigins: readonly string[] = [],
): Endpoint {
  const exact = new Map<string, Route>();
  const prefixed: Route[] = [];
  const trees: Route[] = [];
  for (const r of routes) r.prefix ? trees.push(r) : r.param ? prefixed.push(r) : exact.set(r.path, r);

  return async (req) => {
    let route = exact.get(req.path);
    let request = req;
    if (!route) {
      for (const r of prefixed) {
        const rest = req.path.startsWith(`${r.path}/`) ? req.path.slice(r.path.length + 1) : '';
        if (rest && !rest.includes('/')) {
          route = r;
          request = { ...req, pathParam: rest };
          break;
        }
      }
    }
    if (!route) {
      for (const r of trees) {
        if (req.path === r.path || req.path.startsWith(`${r.path}/`)) {
          route = r;
          request = { ...req, pathParam: req.path.slice(r.path.length) };
          break;
        }
      }
    }
    if (!route) {
      // People get a page; programs that ask for JSON get an OAuth-style error.
      const format = (req.headers.accept ?? '').includes('json') ? 'json' : 'page';
      return errorResponse(new OAuthError('not_found', messages.notFound), format, req.log ?? log, renderPage);
    }
    const label = route.param ? `${route.path}/:id` : route.prefix ? `${route.path}/*` : route.path;
    const allow = allowedOrigin(route.cors, req.headers.origin, corsOrigins);
    // Only an allowed origin gets a preflight answer; any other OPTIONS is the route's usual 405.
    const res = allow !== undefined && req.method === 'OPTIONS' ? preflight(route) : await answer(route, request);
    if (allow !== undefined) {
      res.headers['access-control-allow-origin'] = allow;
      res.headers['access-control-expose-headers'] = CORS_EXPOSED_HEADERS;
    }
    // The answer depends on the Origin header whenever origins are listed one by one.
    if (route.cors !== undefined && corsOrigins.some((o) => o !== '*')) res.headers.vary = 'Origin';
    res.route = label;
    return res;
  };

  /** A CORS preflight (Fetch standard, CORS protocol): what the route allows an allowed origin. */
  function preflight(route: Route): OAuthResponse {
    return {
      status: 204,
      headers: {
        'cache-control': 'no-store',
        'access-control-allow-methods': [...Object.keys(route.methods), 'OPTIONS'].join(', '),
        'access-control-allow-headers': CORS_REQUEST_HEADERS,
        'access-control-max-age': '600',
      },
    };
  }

  async function answer(route: Route, req: OAuthRequest): Promise<OAuthResponse> {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const endpoint = route.methods[method as Method];
    if (!endpoint || !Object.hasOwn(route.methods, method)) {
      // RFC 9110 §15.5.6: a 405 lists the methods the resource supports.
      const allowed = Object.keys(route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      const res = errorResponse(
        new OAuthError('method_not_allowed', messages.methodNotAllowed(allowed.join(' or '))),
        route.errors,
        req.log ?? log,
        renderPage,
      );
      res.headers.allow = allowed.join(', ');
      return res;
    }
    if (req.rejected) return errorResponse(req.rejected, route.errors, req.log ?? log, renderPage);
    try {
      return await endpoint(req);
    } catch (err) {
      return errorResponse(err, route.errors, req.log ?? log, renderPage);
    }
  }
}
