// E2E: hostile input on every endpoint, security headers, trusted proxies, health and metrics.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { authorizeUrl, basic, getCode, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let auth: string;
let clientId: string;
let port: number;

before(async () => {
  t = await startTestServer({
    limits: { bodyBytes: 2048, parameterBytes: 512, headerBytes: 4096, headersTimeoutMs: 400, requestTimeoutMs: 600 },
  });
  const { client, secret } = await t.addClient();
  clientId = client.clientId;
  auth = basic(clientId, secret ?? '');
  port = Number(new URL(t.url).port);
});
after(() => t.close());

/** Sends raw bytes on one connection and returns everything the server answers before closing. */
function raw(bytes: string | Buffer, opts: { keepOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes);
    if (opts.keepOpenMs === undefined) socket.end();
    // A bounded wait: the test fails rather than hangs if the server never closes.
    setTimeout(() => socket.destroy(), opts.keepOpenMs ?? 5000).unref();
  });
}

const status = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    redirect: 'manual',
  });
}

async function jsonError(res: Response, expectedStatus: number): Promise<string> {
  assert.equal(res.status, expectedStatus);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { error: string; error_description: string };
  assert.equal(typeof body.error_description, 'string');
  return body.error;
}

async function htmlError(res: Response, expectedStatus: number): Promise<string> {
  assert.equal(res.status, expectedStatus);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /<h1>Something went wrong<\/h1>/);
  return html;
}

describe('hostile input gets a 4xx in the format of the endpoint', () => {
  test('an oversized body: 413, JSON on /token, a page on /login', async () => {
    const big = `grant_type=x&pad=${'a'.repeat(3000)}`;
    assert.equal(await jsonError(await post('/token', big, { authorization: auth }), 413), 'invalid_request');
    await htmlError(await post('/login/abc', big), 413);
  });

  test('an oversized parameter', async () => {
    assert.equal(await jsonError(await post('/token', `grant_type=${'a'.repeat(600)}`), 400), 'invalid_request');
    await htmlError(await fetch(`${t.url}/authorize?state=${'s'.repeat(600)}`), 400);
  });

  test('invalid percent-encoding, invalid UTF-8 and NUL', async () => {
    for (const body of ['grant_type=%zz', 'grant_type=%C3%28', 'grant_type=a%00b']) {
      assert.equal(await jsonError(await post('/token', body, { authorization: auth }), 400), 'invalid_request', body);
    }
    assert.equal(await jsonError(await post('/token', Buffer.from([0x61, 0x3d, 0xff, 0xfe])), 400), 'invalid_request');
    for (const q of ['client_id=%', 'client_id=%FF', 'client_id=%00']) await htmlError(await fetch(`${t.url}/authorize?${q}`), 400);
  });

  test('a repeated parameter', async () => {
    assert.equal(await jsonError(await post('/token', 'grant_type=a&grant_type=b', { authorization: auth }), 400), 'invalid_request');
  });

  test('the wrong content type', async () => {
    const res = await post('/token', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json', authorization: auth });
    assert.equal(await jsonError(res, 400), 'invalid_request');
    await htmlError(await post('/login/abc', '<x/>', { 'content-type': 'text/xml' }), 400);
  });

  test('an unsupported method: 405 with Allow', async () => {
    const put = await fetch(`${t.url}/token`, { method: 'PUT' });
    assert.equal(await jsonError(put, 405), 'method_not_allowed');
    assert.equal(put.headers.get('allow'), 'POST');
    const del = await fetch(`${t.url}/authorize`, { method: 'DELETE' });
    await htmlError(del, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD, POST');
    const opt = await fetch(`${t.url}/jwks`, { method: 'OPTIONS' });
    assert.equal(await jsonError(opt, 405), 'method_not_allowed');
    assert.equal(opt.headers.get('allow'), 'GET, HEAD');
  });

  test('an unknown path: 404, a page for people and JSON for programs', async () => {
    await htmlError(await fetch(`${t.url}/nothing`), 404);
    assert.equal(await jsonError(await fetch(`${t.url}/nothing`, { headers: { accept: 'application/json' } }), 404), 'not_found');
  });

  test('a method node does not know, a malformed request line and a non-ASCII target', async () => {
    const bad = await raw('FOO / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(status(bad), 400);
    assert.match(bad, /x-content-type-options: nosniff/i);
    assert.equal(status(await raw('GET / HTTP/9\r\n\r\n')), 400);
    assert.equal(status(await raw(Buffer.from('GET /authorize?x=\xe9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'))), 400);
  });

  test('absurd headers: 431 with the security headers', async () => {
    const res = await raw(`GET /jwks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    assert.equal(status(res), 431);
    assert.match(res, /content-security-policy: default-src 'none'; frame-ancestors 'none'/i);
    assert.match(res, /"error":"invalid_request"/);
    // The log line of the refusal carries the request id the answer names.
    const id = /x-request-id: ([0-9a-f-]{36})/i.exec(res)?.[1];
    assert.ok(id);
    assert.equal(t.logs.find((l) => l.msg === 'malformed request refused' && l.request_id === id)?.status, 431);
  });

  test('a slow body: 408 in the endpoint format, then the connection is closed', async () => {
    const res = await raw(
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant',
      {
        keepOpenMs: 5000,
      },
    );
    assert.equal(status(res), 408);
    assert.match(res, /"error":"invalid_request"/);
    assert.match(res, /connection: close/i);
  });

  test('slow headers: 408 and closed', async () => {
    const res = await raw('GET /jwks HTTP/1.1\r\nHost: x\r\n', { keepOpenMs: 5000 });
    assert.equal(status(res), 408);
  });

  test('the server still answers normally afterwards', async () => {
    const res = await fetch(`${t.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });
});

describe('security headers on every response', () => {
  const common = (h: Headers) => {
    assert.equal(h.get('x-content-type-options'), 'nosniff');
    assert.equal(h.get('referrer-policy'), 'no-referrer');
    const csp = h.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.match(h.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(h.get('strict-transport-security'), null);
  };

  test('pages, JSON, redirects, errors, 404 and 405', async () => {
    const { challenge } = pkce();
    const requests: [string, RequestInit?][] = [
      [
        authorizeUrl(t.url, {
          response_type: 'code',
          client_id: clientId,
          redirect_uri: REDIRECT_URI,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          scope: 'openid',
        }),
      ],
      [`${t.url}/authorize?client_id=nobody`],
      [`${t.url}/login/expired`],
      [`${t.url}/consent/expired`],
      [`${t.url}/token`, { method: 'POST' }],
      [`${t.url}/token`],
      [`${t.url}/userinfo`],
      [`${t.url}/jwks`],
      [`${t.url}/.well-known/openid-configuration`],
      [`${t.url}/.well-known/oauth-authorization-server`],
      [`${t.url}/introspect`, { method: 'POST' }],
      [`${t.url}/revoke`, { method: 'POST' }],
      [`${t.url}/end-session`],
      [`${t.url}/healthz`],
      [`${t.url}/readyz`],
      [`${t.url}/metrics`],
      [`${t.url}/missing`],
      [`${t.url}/jwks`, { method: 'HEAD' }],
    ];
    for (const [url, init] of requests) {
      const res = await fetch(url, { redirect: 'manual', ...init });
      assert.ok(res.status < 500, `${url} answered ${res.status}`);
      common(res.headers);
      await res.arrayBuffer();
    }
  });

  test('HSTS when the issuer is https', async () => {
    const https = await startTestServer({ issuer: 'https://auth.example.test' });
    try {
      const address = https.server.http.address();
      const p = typeof address === 'object' && address ? address.port : 0;
      for (const path of ['/jwks', '/missing', '/authorize']) {
        const res = await fetch(`http://127.0.0.1:${p}${path}`);
        assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000');
        await res.arrayBuffer();
      }
    } finally {
      await https.close();
    }
  });
});

describe('proxy headers are believed only when configured', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-request-id': 'trace-abc.1' };

  test('ignored by default', async () => {
    const res = await fetch(`${t.url}/healthz`, { headers: forwarded });
    await res.arrayBuffer();
    const id = res.headers.get('x-request-id');
    assert.notEqual(id, 'trace-abc.1');
    const line = t.logs.find((l) => l.request_id === id && l.msg === 'request');
    assert.equal(line?.ip, '127.0.0.1');
  });

  test('used with trustProxy: client address, protocol and request id', async () => {
    const proxied = await startTestServer({ trustProxy: 1 });
    try {
      const res = await fetch(`${proxied.url}/healthz`, { headers: { ...forwarded, 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } });
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-request-id'), 'trace-abc.1');
      const line = proxied.logs.find((l) => l.request_id === 'trace-abc.1' && l.msg === 'request');
      assert.equal(line?.ip, '203.0.113.7');
      assert.equal(line?.proto, 'https');
      const bad = await fetch(`${proxied.url}/healthz`, { headers: { 'x-request-id': 'no spaces allowed', 'x-forwarded-for': 'garbage' } });
      await bad.arrayBuffer();
      assert.notEqual(bad.headers.get('x-request-id'), 'no spaces allowed');
      assert.equal(proxied.logs.find((l) => l.request_id === bad.headers.get('x-request-id') && l.msg === 'request')?.ip, '127.0.0.1');
    } finally {
      await proxied.close();
    }
  });
});

describe('health and metrics', () => {
  test('/healthz and /readyz', async () => {
    const live = await fetch(`${t.url}/healthz`);
    assert.deepEqual(await live.json(), { status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', keys: 'ok' } });
  });

  test('/metrics counts requests per route, latency, tokens per grant and failures', async () => {
    const user = await t.addUser();
    const e = await getCode(t.url, clientId, user);
    const ok = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
      auth,
    );
    assert.equal(ok.status, 200);
    assert.equal((await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: 'x' }, basic(clientId, 'wrong'))).status, 401);
    const res = await fetch(`${t.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^latchkey_http_requests_total\{method="POST",route="\/token",status="200"\} \d+$/m);
    assert.match(text, /^latchkey_http_requests_total\{method="GET",route="\/login\/:id",status="200"\} \d+$/m);
    assert.match(text, /^latchkey_http_request_duration_seconds_bucket\{le="\+Inf",route="\/token"\} \d+$/m);
    assert.match(text, /^latchkey_tokens_issued_total\{grant_type="authorization_code"\} [1-9]\d*$/m);
    assert.match(text, /^latchkey_client_auth_failures_total [1-9]\d*$/m);
    assert.match(text, /^# TYPE latchkey_reuse_detected_total counter$/m);
    assert.match(text, /^# TYPE latchkey_login_failures_total counter$/m);
  });
});
