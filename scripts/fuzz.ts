// Fuzzing over HTTP: seeded malformed requests to every endpoint of a real server on 127.0.0.1.
// `npm run fuzz -- --minutes 10 [--seed N]`; the bounded version runs in npm test (test/e2e/fuzz.test.ts).
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

/** mulberry32: small, fast and reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Target {
  /** Host and port of the server, e.g. http://127.0.0.1:9000. */
  url: string;
  clientId: string;
  secret: string;
  redirectUri: string;
}

export interface FuzzCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The route's error format, or undefined for a path that matches no route. */
  format: 'json' | 'page' | undefined;
}

const routes: [string, 'json' | 'page'][] = [
  ['/authorize', 'page'],
  ['/login/', 'page'],
  ['/consent/', 'page'],
  ['/end-session', 'page'],
  ['/token', 'json'],
  ['/userinfo', 'json'],
  ['/introspect', 'json'],
  ['/revoke', 'json'],
  ['/jwks', 'json'],
  ['/.well-known/openid-configuration', 'json'],
  ['/.well-known/oauth-authorization-server', 'json'],
  ['/healthz', 'json'],
  ['/readyz', 'json'],
  ['/metrics', 'json'],
];

const names = [
  'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt',
  'max_age', 'grant_type', 'code', 'code_verifier', 'refresh_token', 'token', 'token_type_hint', 'resource', 'client_secret',
  'csrf', 'username', 'password', 'decision', 'id_token_hint', 'post_logout_redirect_uri', 'request', 'request_uri', 'response_mode',
]; // biome-ignore format: a list

export function generator(seed: number, target: Target): () => FuzzCase {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const chance = (p: number) => r() < p;
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const hostile = () =>
    pick([
      () => '',
      () => '%',
      () => '%zz',
      () => '%00',
      () => 'a%00b',
      () => '%FF%FE',
      () => '%C3%28',
      () => '%ED%A0%80',
      () => '%E2%82',
      () => encodeURIComponent('é漢字🙂'),
      () => 'x'.repeat(pick([100, 1000, 9000, 70_000])),
      () => encodeURIComponent('<script>alert(1)</script>'),
      () => encodeURIComponent('javascript:alert(1)'),
      () => encodeURIComponent(target.redirectUri + pick(['', '/', '?x=1', '#f', '/..'])),
      () => target.clientId,
      () =>
        pick([
          'code',
          'token',
          'none',
          'S256',
          'plain',
          'openid',
          'openid offline_access',
          'login consent',
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'allow',
          'deny',
        ]),
      () => String(pick([-1, 0, 1e20, Number.NaN, 2 ** 53])),
      () => randomBytes(int(20)).toString('base64url'),
      () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      () => '+',
      () => '=',
      () => '%2526',
    ])();
  const form = () => {
    const pairs: string[] = [];
    for (let i = int(8); i > 0; i--) {
      const name = chance(0.9) ? pick(names) : hostile();
      // A space is not allowed in a request target: written as + (which the form decoding turns back).
      pairs.push((chance(0.1) ? name : `${name}=${hostile()}`).replace(/ /g, '+'));
    }
    if (chance(0.1) && pairs[0]) pairs.push(pairs[0]); // repeated parameter
    return pairs.join(pick(['&', '&', '&', '&&', ';']));
  };
  const auth = () =>
    pick([
      () => `Basic ${Buffer.from(`${encodeURIComponent(target.clientId)}:${encodeURIComponent(target.secret)}`).toString('base64')}`,
      () => `Basic ${Buffer.from(`${target.clientId}:wrong`).toString('base64')}`,
      () => `Basic ${randomBytes(int(40)).toString('base64')}`,
      () => 'Basic',
      () => 'Basic !!!',
      () => `Bearer ${hostile()}`,
      () => 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA',
      () => `Digest ${hostile()}`,
    ])();

  return () => {
    const [route, format] = chance(0.95)
      ? pick(routes)
      : [pick(['/', '/nothing', '/token/', '//token', '/.well-known/', '/login']), undefined];
    let path = route;
    let routeFormat = format;
    if (route.endsWith('/') && route.length > 1 && format) {
      const segment = pick(['', 'x', randomBytes(32).toString('base64url'), '%zz', 'a/b', '..']);
      path += segment;
      // `/login/` alone or with two segments matches no route: a 404 in the format the client accepts.
      if (segment === '' || segment.includes('/')) routeFormat = undefined;
    }
    if (chance(0.6)) path += `?${form()}`;
    const method = pick(['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
    const headers: Record<string, string> = {};
    if (chance(0.5)) headers.accept = pick(['text/html', 'application/json', '*/*', 'text/html,application/json', hostile().slice(0, 200)]);
    if (chance(0.4)) headers.authorization = auth().slice(0, 8000);
    if (chance(0.3))
      headers.cookie = pick([
        `lk_csrf=${hostile()}`,
        `lk_session=${hostile()}; lk_csrf=${randomBytes(32).toString('base64url')}`,
        '=;;=',
        hostile(),
      ]).slice(0, 4000);
    if (chance(0.1)) headers['x-forwarded-for'] = pick(['203.0.113.9', 'garbage', '::1, 10.0.0.1', hostile().slice(0, 100)]);
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD' && chance(0.8)) {
      headers['content-type'] = pick([
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'APPLICATION/X-WWW-FORM-URLENCODED',
        hostile().slice(0, 100),
      ]);
      body = pick([
        () => Buffer.from(form()),
        () => Buffer.from(form()),
        () => Buffer.from(JSON.stringify({ grant_type: 'client_credentials', client_id: target.clientId })),
        () => randomBytes(int(2000)),
        () => Buffer.concat([Buffer.from('grant_type=refresh_token&refresh_token='), randomBytes(50)]),
        () => Buffer.alloc(70_000, 'a'),
      ])();
    }
    for (const [k, v] of Object.entries(headers)) {
      // Header values must be Latin-1 without controls to be sent at all; such garbage is tested raw.
      if (/[^\x20-\x7e]/.test(v)) headers[k] = encodeURIComponent(v);
    }
    if (body) headers['content-length'] = String(body.length);
    return { method, path, headers, body, format: routeFormat };
  };
}

export interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Closes the kept-alive connections (so that a test run can end). */
export function closeConnections(): void {
  agent.destroy();
}

export function send(base: string, c: FuzzCase): Promise<Outcome> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, method: c.method, path: c.path, headers: c.headers, agent, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${c.method} ${c.path.slice(0, 80)}`)));
    req.on('error', reject);
    req.end(c.body);
  });
}

/** Raw bytes that no HTTP client library would send; the answer must still be a 4xx. */
export function sendRaw(base: string, bytes: Buffer): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(bytes);
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

/** What must hold for every answer; returns the problems found (none: fine). */
export function check(c: FuzzCase, o: Outcome, target: Target): string[] {
  const problems: string[] = [];
  const what = `${c.method} ${c.path.slice(0, 100)} → ${o.status}`;
  if (o.status >= 500 || o.status < 200) problems.push(`${what}: server error`);
  if (o.headers['x-content-type-options'] !== 'nosniff') problems.push(`${what}: no nosniff`);
  if (!String(o.headers['content-security-policy'] ?? '').includes("frame-ancestors 'none'")) problems.push(`${what}: no frame-ancestors`);
  if (!o.headers['x-request-id']) problems.push(`${what}: no x-request-id`);
  const type = String(o.headers['content-type'] ?? '');
  // 431 is answered by node's parser before any route is known: JSON, or a page when the client accepts HTML.
  if (o.status >= 400 && o.status !== 431 && c.method !== 'HEAD') {
    const format = c.format ?? (String(c.headers.accept ?? '').includes('json') ? 'json' : 'page');
    if (format === 'json' && o.body !== '') {
      try {
        const parsed = JSON.parse(o.body) as { error?: unknown };
        if (typeof parsed.error !== 'string') problems.push(`${what}: JSON error without "error"`);
      } catch {
        problems.push(`${what}: error body is not JSON`);
      }
      if (!type.startsWith('application/json')) problems.push(`${what}: error is not application/json (${type})`);
    }
    if (format === 'page' && (!type.startsWith('text/html') || !o.body.includes('<h1>'))) problems.push(`${what}: error is not a page`);
  }
  const location = o.headers.location;
  if (typeof location === 'string' && !location.startsWith(target.url) && !location.startsWith(target.redirectUri)) {
    problems.push(`${what}: redirect to an unregistered place ${location.slice(0, 100)}`);
  }
  return problems;
}

const rawCases = [
  'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET /authorize?x=\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /jwks HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(70_000)}\r\n\r\n`,
  'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\n',
  'GET /jwks HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
  'GET /jwks HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n',
];

export interface FuzzResult {
  requests: number;
  problems: string[];
  statuses: Record<string, number>;
}

/** Sends `count` generated requests (or until `deadline`), `concurrency` at a time. */
export async function fuzz(
  target: Target,
  opts: { seed: number; count: number; deadline?: number; concurrency?: number },
): Promise<FuzzResult> {
  const next = generator(opts.seed, target);
  const result: FuzzResult = { requests: 0, problems: [], statuses: {} };
  const record = (status: number) => {
    result.statuses[status] = (result.statuses[status] ?? 0) + 1;
  };
  const r = prng(opts.seed ^ 0x5bd1e995);
  const worker = async () => {
    while (result.requests < opts.count && (opts.deadline === undefined || Date.now() < opts.deadline) && result.problems.length < 20) {
      result.requests++;
      if (r() < 0.01) {
        const raw = rawCases[Math.floor(r() * rawCases.length)] ?? '';
        const answer = await sendRaw(target.url, Buffer.from(raw, 'latin1'));
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
        record(status);
        if (status !== 0 && (status >= 500 || status < 400)) result.problems.push(`raw ${JSON.stringify(raw.slice(0, 60))} → ${status}`);
        continue;
      }
      const c = next();
      try {
        const o = await send(target.url, c);
        record(o.status);
        result.problems.push(...check(c, o, target));
      } catch (e) {
        result.problems.push(`${c.method} ${c.path.slice(0, 100)}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  const minutes = Number(arg('minutes') ?? 1);
  const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
  const { startFuzzServer } = await import('../test/e2e/fuzz-server.ts');
  const s = await startFuzzServer();
  process.stdout.write(`fuzzing ${s.target.url} for ${minutes} min, seed ${seed}\n`);
  const started = Date.now();
  let total = 0;
  const problems: string[] = [];
  const statuses: Record<string, number> = {};
  const deadline = started + minutes * 60_000;
  for (let round = 0; Date.now() < deadline && problems.length === 0; round++) {
    const res = await fuzz(s.target, { seed: seed + round, count: 5000, deadline });
    total += res.requests;
    problems.push(...res.problems);
    for (const [k, v] of Object.entries(res.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    s.dropLogs();
    process.stdout.write(
      `round ${round}: ${total} requests, ${Math.round((Date.now() - started) / 1000)} s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB\n`,
    );
  }
  const alive = await s.stillServes();
  const errors = s.errorLines();
  process.stdout.write(
    `${JSON.stringify({ requests: total, statuses, problems: problems.slice(0, 20), alive, errorLogLines: errors.length })}\n`,
  );
  for (const e of errors.slice(0, 5)) process.stdout.write(`${JSON.stringify(e).slice(0, 500)}\n`);
  await s.close();
  agent.destroy();
  process.exitCode = problems.length || !alive || errors.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
