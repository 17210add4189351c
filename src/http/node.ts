// The only file that speaks node:http: IncomingMessage → OAuthRequest → endpoint → ServerResponse.

import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { OAuthError } from '../errors.ts';
import { parseForm } from './body.ts';
import { errorResponse } from './errors.ts';
import { alreadyReadBody } from './parsed-body.ts';
import { untrustedProxyWarning } from './proxy-warning.ts';
import type { Endpoint } from './router.ts';
import { securityHeaders } from './security-headers.ts';
import type { HttpMetrics, OAuthRequest, OAuthResponse, PageRenderer } from './types.ts';

export interface AdapterOptions {
  bodyBytes: number;
  parameterBytes: number;
  https: boolean;
  /** The base logger; each request logs through a child carrying its request id (`OAuthRequest.log`). */
  log: Logger;
  /** Time to receive the whole request; a slower body is answered 408. */
  requestTimeoutMs?: number;
  /** Proxy hops whose X-Forwarded-* and X-Request-Id headers are believed (0: none). */
  trustProxy?: number;
  metrics?: HttpMetrics;
  /** The error page template (themes may replace it). */
  errorPage: PageRenderer;
  /**
   * The issuer's path (`/auth` for `https://example.com/auth`; '' at the root). A request that still
   * carries it (Fastify's raw request, a proxy that keeps the prefix) is routed without it.
   */
  basePath?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A `(req, res)` handler for node:http, Express, Connect or Fastify's raw request. */
export function nodeHandler(endpoint: Endpoint, opts: AdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const base = securityHeaders(opts.https);
  const hops = opts.trustProxy ?? 0;
  const proxyWarning = untrustedProxyWarning(opts.log, hops);
  return (req, res) => {
    proxyWarning(req.headers);
    const started = process.hrtime.bigint();
    const requestId = (hops > 0 && validRequestId(req.headers['x-request-id'])) || randomUUID();
    const remoteAddress = clientAddress(req, hops);
    const log = opts.log.child({ request_id: requestId });
    const run = async () => {
      let r: OAuthResponse;
      try {
        r = await endpoint(await toRequest(req, remoteAddress, log, opts));
      } catch (err) {
        // The router answers every error of an endpoint; reaching here is a bug, still answered.
        r = errorResponse(err, 'json', log, opts.errorPage);
      }
      send(res, r, { ...base, 'x-request-id': requestId }, req.method === 'HEAD');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = r.route ?? '(unmatched)';
      opts.metrics?.requests.inc({ route, method: knownMethod(req.method), status: String(r.status) });
      opts.metrics?.duration.observe({ route }, seconds);
      log.info(
        {
          method: knownMethod(req.method),
          route,
          ...(r.route ? {} : { path: pathOf(req.url).slice(0, 200) }),
          status: r.status,
          ms: Math.round(seconds * 1e4) / 10,
          ip: remoteAddress,
          ...(hops > 0 ? { proto: forwarded(req.headers['x-forwarded-proto'], hops) ?? 'http' } : {}),
        },
        'request',
      );
    };
    // Nothing may escape as an unhandled rejection (it would end the process): a failure to write the
    // answer is logged and the connection dropped.
    run().catch((err: unknown) => {
      log.error({ err }, 'the response could not be written');
      if (!res.headersSent) {
        try {
          send(res, errorResponse(err, 'json', log, opts.errorPage), { ...base }, req.method === 'HEAD');
          return;
        } catch {
          // fall through: drop the connection
        }
      }
      res.destroy();
    });
  };
}

/** Reads and checks everything the endpoints rely on; a problem becomes `rejected`, answered by the router. */
async function toRequest(req: IncomingMessage, remoteAddress: string, log: Logger, opts: AdapterOptions): Promise<OAuthRequest> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = withoutBase(pathOf(url), opts.basePath ?? '');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const request: OAuthRequest = {
    method: req.method ?? 'GET',
    path,
    query: new URLSearchParams(),
    headers: req.headers as Record<string, string | undefined>,
    body: null,
    contentType,
    cookies: parseCookies(req.headers.cookie),
    remoteAddress,
    log,
  };
  try {
    // RFC 3986 §2: a request target is printable ASCII; anything else was not percent-encoded.
    if (!url.startsWith('/') || /[^\x21-\x7e]/.test(url)) throw new OAuthError('invalid_request', 'the request target is not a valid path');
    request.query = parseForm(q === -1 ? '' : url.slice(q + 1), opts.parameterBytes);
    // Behind a body parser (an app that mounts the handler) the stream was read already.
    const limit = opts.bodyBytes;
    const raw = alreadyReadBody(req) ?? (await readBody(req, limit, opts.requestTimeoutMs ?? 30_000));
    if (raw.length > limit) throw new OAuthError('invalid_request', `the body is larger than ${limit} bytes`, { status: 413 });
    if (raw.length > 0 && contentType === JSON_TYPE) {
      // RFC 7591 §3.1 and RFC 7592 §2.2 (registration) and the admin API take JSON; each endpoint checks its own format.
      if (!isUtf8(raw)) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
      try {
        request.json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new OAuthError('invalid_request', 'the body is not valid JSON');
      }
    } else if (raw.length > 0 || contentType === FORM) {
      if (contentType !== FORM) throw new OAuthError('invalid_request', `the body must be ${FORM}`);
      if (!isUtf8(raw)) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
      request.body = parseForm(raw.toString('utf8'), opts.parameterBytes);
    }
  } catch (err) {
    request.rejected =
      err instanceof OAuthError ? err : new OAuthError('invalid_request', 'the request could not be read', { detail: String(err) });
  }
  return request;
}

function withoutBase(path: string, base: string): string {
  return base && (path === base || path.startsWith(`${base}/`)) ? path.slice(base.length) || '/' : path;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']);

/** The method as a metric label: anything unusual is one label, so labels stay few. */
function knownMethod(method: string | undefined): string {
  return method && methods.has(method) ? method : 'OTHER';
}

function validRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/** The `hops`-th value from the right of a comma-separated forwarded header (the one our proxy saw). */
function forwarded(header: string | string[] | undefined, hops: number): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  const values = text.split(',').map((v) => v.trim());
  return values[Math.max(0, values.length - hops)];
}

/** The socket's peer, or with `hops` trusted proxies the address they report (X-Forwarded-For). */
export function clientAddress(req: Pick<IncomingMessage, 'headers'> & { socket: Pick<Socket, 'remoteAddress'> }, hops: number): string {
  const peer = req.socket.remoteAddress ?? '';
  if (hops <= 0) return peer;
  const claimed = forwarded(req.headers['x-forwarded-for'], hops);
  return claimed && isIP(claimed) ? claimed : peer;
}

const closeAfter = { connection: 'close' };

function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () =>
      new OAuthError('invalid_request', `the body is larger than ${limit} bytes`, { status: 413, headers: closeAfter });
    if (declared > limit) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err?: OAuthError) => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    // Slow-loris bodies: the whole body must arrive within the request timeout.
    const timer = setTimeout(
      () => finish(new OAuthError('invalid_request', 'the request body did not arrive in time', { status: 408, headers: closeAfter })),
      timeoutMs,
    );
    timer.unref();
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) finish(tooLarge());
      else chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', () => finish(new OAuthError('invalid_request', 'the request body could not be read', { headers: closeAfter })));
  });
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      // a cookie we cannot decode is not ours: ignore it
    }
  }
  return out;
}

function send(res: ServerResponse, r: OAuthResponse, base: Record<string, string>, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const headers = { ...base, ...r.headers };
  const body = r.body ?? '';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(r.status, headers);
  res.end(head ? undefined : body);
}

export interface HttpServerOptions {
  headerBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this long (above the load balancer's idle timeout). */
  keepAliveTimeoutMs: number;
}

/** A node:http server with the limits that keep hostile clients from holding it (sizes, timeouts). */
export function createHttpServer(limits: HttpServerOptions): Server {
  const server = createServer({
    maxHeaderSize: limits.headerBytes,
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    // Our body timer answers first, in the route's format; node's is the backstop.
    requestTimeout: limits.requestTimeoutMs + 1000,
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  });
  return server;
}

/**
 * Answers what node:http refuses before any handler runs (malformed requests, headers too large or
 * too slow) as JSON with the security headers, instead of node's bare status line.
 */
export function clientErrorHandler(
  opts: Pick<AdapterOptions, 'https' | 'log' | 'metrics' | 'errorPage'>,
): (err: Error, socket: Socket) => void {
  const base = securityHeaders(opts.https);
  return (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const description =
      status === 431
        ? 'the request headers are too large'
        : status === 408
          ? 'the request did not arrive in time'
          : 'the request is malformed';
    // No route is known yet: a browser (Accept: text/html) gets a page, anything else JSON.
    const rawPacket = (err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '';
    const format = /\r\naccept:[^\r]*text\/html/i.test(rawPacket) ? 'page' : 'json';
    const requestId = randomUUID();
    const log = opts.log.child({ request_id: requestId });
    const r = errorResponse(new OAuthError('invalid_request', description, { status }), format, log, opts.errorPage);
    const body = r.body ?? '';
    const headers = {
      ...base,
      ...r.headers,
      'x-request-id': requestId,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    opts.metrics?.requests.inc({ route: '(client-error)', method: 'OTHER', status: String(status) });
    log.info({ status, error_code: code, reason: err.message.slice(0, 200) }, 'malformed request refused');
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    // RFC 9110 §9.3.2: an answer to HEAD has no content.
    const content = rawPacket.startsWith('HEAD ') ? '' : body;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${content}`);
  };
}
