// E2E: CORS for browser-based clients (config `cors.origins`): the metadata, JWKS, token,
// registration and revocation endpoints answer preflights and name allowed origins; pages never do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const APP = 'http://localhost:6274';
const OTHER = 'https://evil.example';
let listed: TestServer;
let any: TestServer;

before(async () => {
  listed = await startTestServer({ cors: { origins: [APP] }, registration: { enabled: true } });
  any = await startTestServer({ cors: { origins: ['*'] } });
});
after(async () => {
  await listed.close();
  await any.close();
});

const preflight = (base: string, path: string, origin: string, method = 'POST') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type, mcp-protocol-version' },
  });

describe('CORS', () => {
  test('a listed origin gets preflights and its origin on metadata, JWKS, token, registration and revocation', async () => {
    for (const [path, method] of [
      ['/.well-known/oauth-authorization-server', 'GET'],
      ['/.well-known/openid-configuration', 'GET'],
      ['/jwks', 'GET'],
      ['/token', 'POST'],
      ['/register', 'POST'],
      ['/revoke', 'POST'],
    ] as const) {
      const pre = await preflight(listed.url, path, APP, method);
      assert.equal(pre.status, 204, path);
      assert.equal(pre.headers.get('access-control-allow-origin'), APP, path);
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', new RegExp(method), path);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /mcp-protocol-version/, path);
      assert.equal(pre.headers.get('vary'), 'Origin', path);
    }
    const meta = await fetch(`${listed.url}/.well-known/oauth-authorization-server`, { headers: { origin: APP } });
    assert.equal(meta.headers.get('access-control-allow-origin'), APP);
    const token = await fetch(`${listed.url}/token`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&client_id=nobody',
    });
    assert.equal(token.status, 401);
    assert.equal(token.headers.get('access-control-allow-origin'), APP);
    assert.match(token.headers.get('access-control-expose-headers') ?? '', /www-authenticate/);
  });

  test('another origin gets no CORS header, and no preflight permission', async () => {
    const pre = await preflight(listed.url, '/token', OTHER);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.equal(pre.headers.get('access-control-allow-methods'), null);
    const meta = await fetch(`${listed.url}/jwks`, { headers: { origin: OTHER } });
    assert.equal(meta.headers.get('access-control-allow-origin'), null);
  });

  test('"*" opens the metadata and JWKS to any origin, never the token endpoint', async () => {
    const meta = await fetch(`${any.url}/.well-known/oauth-authorization-server`, { headers: { origin: OTHER } });
    assert.equal(meta.headers.get('access-control-allow-origin'), '*');
    assert.equal((await fetch(`${any.url}/jwks`, { headers: { origin: OTHER } })).headers.get('access-control-allow-origin'), '*');
    const pre = await preflight(any.url, '/token', OTHER);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });

  test('pages never carry CORS headers and do not answer preflights', async () => {
    for (const path of ['/authorize', '/login/x', '/consent/x', '/end-session']) {
      const pre = await preflight(listed.url, path, APP, 'GET');
      assert.equal(pre.status, 405, path);
      assert.equal(pre.headers.get('access-control-allow-origin'), null, path);
      const page = await fetch(`${listed.url}${path}`, { headers: { origin: APP } });
      assert.equal(page.headers.get('access-control-allow-origin'), null, path);
    }
  });

  test('no origins configured: nothing changes', async () => {
    const plain = await startTestServer();
    try {
      const pre = await preflight(plain.url, '/token', APP);
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      assert.equal(pre.headers.get('vary'), null);
    } finally {
      await plain.close();
    }
  });

  test('a bad origin in the configuration is refused with the key', async () => {
    await assert.rejects(startTestServer({ cors: { origins: ['https://app.example/path'] } }), /"cors.origins.0"/);
  });
});
