// A programmatic browser over node:http: keep-alive, a cookie jar with paths, manual redirects, form posting.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { s256 } from '../../src/grants/pkce.ts';
import { basicCredentials } from '../../src/resource-server/introspection.ts';

export interface Response {
  status: number;
  url: string;
  location: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const TIMEOUT_MS = 10_000;

/** One HTTP/1.1 request on a keep-alive agent; the whole body is read as text. */
export function send(
  agent: Agent,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: init.method ?? 'GET',
        headers,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            url,
            location: res.headers.location,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${TIMEOUT_MS} ms: ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export function newAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
export const basic = basicCredentials;

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Counts every response by status class so that the caller can report errors. */
export interface Counters {
  requests: number;
  /** Responses other than 2xx and 3xx, and failed requests. */
  errors: number;
  lastError: string;
}

export class Browser {
  private readonly jar = new Map<string, Cookie>();
  private readonly agent: Agent;
  private readonly counters: Counters;

  constructor(agent: Agent, counters: Counters) {
    this.agent = agent;
    this.counters = counters;
  }

  clearCookies(): void {
    this.jar.clear();
  }

  /** Requests `url`, following redirects on the same origin; stops at any other origin (the client's redirect URI). */
  async open(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    let current = url;
    let method = init.method ?? 'GET';
    let body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const origin = new URL(url).origin;
    for (let hops = 0; hops < 10; hops++) {
      const target = new URL(current);
      const headers: Record<string, string> = { accept: 'text/html' };
      const cookie = this.cookieHeader(target.pathname);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await this.count(send(this.agent, current, body === undefined ? { method, headers } : { method, headers, body }));
      this.store(res.headers['set-cookie'], target.pathname);
      if (res.status >= 300 && res.status < 400 && res.location) {
        const next = new URL(res.location, current);
        if (next.origin !== origin) return { ...res, url: next.href };
        current = next.href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return res;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submits the first form of the page with its hidden fields and `values`. */
  submit(page: Response, values: Record<string, string>): Promise<Response> {
    const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (!form || form[1] === undefined || form[2] === undefined) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 200)}`);
    const fields: Record<string, string> = {};
    for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
      const tag = input[0];
      if (!/\btype="hidden"/i.test(tag)) continue;
      const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
      const value = /\bvalue="([^"]*)"/i.exec(tag)?.[1];
      if (name !== undefined && value !== undefined) fields[decodeEntities(name)] = decodeEntities(value);
    }
    return this.open(new URL(decodeEntities(form[1]), page.url).href, { method: 'POST', form: { ...fields, ...values } });
  }

  /** Counts the request and its outcome. */
  async count(p: Promise<Response>): Promise<Response> {
    this.counters.requests++;
    try {
      const res = await p;
      if (res.status < 200 || res.status >= 400) {
        this.counters.errors++;
        this.counters.lastError = `${res.status} ${res.url}: ${res.body.slice(0, 200)}`;
      }
      return res;
    } catch (e) {
      this.counters.errors++;
      this.counters.lastError = (e as Error).message;
      throw e;
    }
  }

  private cookieHeader(path: string): string {
    const pairs: string[] = [];
    for (const c of this.jar.values())
      if (path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) pairs.push(`${c.name}=${c.value}`);
    return pairs.join('; ');
  }

  private store(setCookie: string | string[] | undefined, requestPath: string): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestPath.slice(0, requestPath.lastIndexOf('/')) || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.jar.delete(id);
      else this.jar.set(id, { name, value, path });
    }
  }
}

export const isLoginPage = (r: Response): boolean => r.status === 200 && /name="password"/.test(r.body);
export const isConsentPage = (r: Response): boolean => r.status === 200 && /name="decision"/.test(r.body);

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCharCode(Number.parseInt(n, 16)))
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
