// The only file that speaks node:http: IncomingMessage → OAuthRequest → endpoint → ServerResponse.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { OAuthError } from '../errors.ts';
import { parseForm } from './body.ts';
import { errorResponse } from './errors.ts';
import type { Endpoint } from './router.ts';
import { securityHeaders } from './security-headers.ts';
import type { OAuthRequest, OAuthResponse } from './types.ts';

export interface AdapterOptions {
  bodyBytes: number;
  parameterBytes: number;
  https: boolean;
  log: Logger;
}

/** A `(req, res)` handler for node:http, Express, Connect or Fastify's raw request. */
export function nodeHandler(endpoint: Endpoint, opts: AdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const base = securityHeaders(opts.https);
  return (req, res) => {
    handle(req).then(
      (r) => send(res, r, base, req.method === 'HEAD'),
      (err: unknown) => send(res, errorResponse(err, wantsPage(req) ? 'page' : 'json', opts.log), base, false),
    );
  };

  async function handle(req: IncomingMessage): Promise<OAuthResponse> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let request: OAuthRequest;
    try {
      const query = parseForm(q === -1 ? '' : url.slice(q + 1), opts.parameterBytes);
      const raw = await readBody(req, opts.bodyBytes);
      let body: URLSearchParams | null = null;
      if (raw.length > 0 || contentType === 'application/x-www-form-urlencoded') {
        if (contentType !== 'application/x-www-form-urlencoded') {
          throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
        }
        body = parseForm(raw.toString('utf8'), opts.parameterBytes);
        if (!isUtf8(raw)) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
      }
      request = {
        method: req.method ?? 'GET',
        path,
        query,
        headers: req.headers as Record<string, string | undefined>,
        body,
        contentType,
        cookies: parseCookies(req.headers.cookie),
        remoteAddress: req.socket.remoteAddress ?? '',
      };
    } catch (err) {
      return errorResponse(err, wantsPage(req) ? 'page' : 'json', opts.log);
    }
    return endpoint(request);
  }
}

function wantsPage(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new OAuthError('invalid_request', `the body is larger than ${limit} bytes`, { status: 413 }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new OAuthError('invalid_request', `the body is larger than ${limit} bytes`, { status: 413 }));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
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
  if (res.headersSent) return;
  const headers = { ...base, ...r.headers };
  const body = r.body ?? '';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(r.status, headers);
  res.end(head ? undefined : body);
}
