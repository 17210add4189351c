// E2E: the resource-server module in real Express and Fastify apps and plain node:http, against a real
// Latchkey (JWKS discovered from its metadata, and introspection mode against its endpoint).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { type AccessTokenRequest, requireAccessToken } from '../../src/resource-server/index.ts';
import { basic, tokenRequest } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const API = 'https://api.example.com';
let t: TestServer;
let token: string;
let auth: string;
let service: { id: string; secret: string };

before(async () => {
  t = await startTestServer({ scopes: ['api:read', 'api:write'] });
  const { client, secret } = await t.addClient({
    grantTypes: ['client_credentials'],
    redirectUris: [],
    scope: 'api:read api:write',
    resources: [API],
  });
  service = { id: client.clientId, secret: secret ?? '' };
  auth = basic(client.clientId, secret ?? '');
  const res = await tokenRequest(t.url, { grant_type: 'client_credentials', scope: 'api:read', resource: API }, auth);
  assert.equal(res.status, 200);
  token = String(res.body.access_token);
});
after(() => t.close());

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const call = async (url: string, bearer?: string) => {
  const res = await fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', body: await res.text() };
};

/** The same four checks for every framework: no token, valid, missing scope, wrong audience. */
async function checkApi(base: string): Promise<void> {
  const none = await call(`${base}/read`);
  assert.equal(none.status, 401);
  assert.match(none.challenge, /^Bearer realm="/);
  assert.doesNotMatch(none.challenge, /error=/);
  const ok = await call(`${base}/read`, token);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).sub, service.id);
  const scope = await call(`${base}/write`, token);
  assert.equal(scope.status, 403);
  assert.match(scope.challenge, /error="insufficient_scope"/);
  assert.match(scope.challenge, /scope="api:write"/);
  const other = await tokenRequest(t.url, { grant_type: 'client_credentials', scope: 'api:read' }, auth);
  const audience = await call(`${base}/read`, String(other.body.access_token));
  assert.equal(audience.status, 401, 'a token for the default audience is not for this API');
  assert.match(audience.challenge, /error="invalid_token"/);
}

describe('requireAccessToken', () => {
  const options = () => ({ issuer: t.url, audience: API, realm: 'api' });

  test('in Express, as route middleware', async () => {
    const app = express();
    app.get('/read', requireAccessToken({ ...options(), scopes: ['api:read'] }), (req, res) => {
      res.json({ sub: req.auth?.sub });
    });
    app.get('/write', requireAccessToken({ ...options(), scopes: ['api:write'] }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = createServer(app);
    try {
      await checkApi(await listen(server));
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('in Fastify, as a preHandler hook', async () => {
    const app = Fastify();
    const read = requireAccessToken({ ...options(), scopes: ['api:read'] });
    const write = requireAccessToken({ ...options(), scopes: ['api:write'] });
    // Fastify's hook types are its own; the middleware takes its request and reply as they are.
    app.get('/read', { preHandler: (request, reply) => read(request, reply) }, async (request) => ({
      sub: request.auth?.sub,
    }));
    app.get('/write', { preHandler: (request, reply) => write(request, reply) }, async () => ({ ok: true }));
    try {
      await checkApi(await app.listen({ port: 0, host: '127.0.0.1' }));
    } finally {
      await app.close();
    }
  });

  test('in plain node:http', async () => {
    const read = requireAccessToken({ ...options(), scopes: ['api:read'] });
    const write = requireAccessToken({ ...options(), scopes: ['api:write'] });
    const server = createServer((req: IncomingMessage & AccessTokenRequest, res) => {
      const guard = req.url === '/write' ? write : read;
      void guard(req, res, () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ sub: req.auth?.sub }));
      });
    });
    try {
      await checkApi(await listen(server));
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  test('in introspection mode, a revoked token is refused at once', async () => {
    const fresh = await tokenRequest(t.url, { grant_type: 'client_credentials', scope: 'api:read', resource: API }, auth);
    const jwt = String(fresh.body.access_token);
    const guard = requireAccessToken({
      ...options(),
      scopes: ['api:read'],
      introspection: { clientId: service.id, clientSecret: service.secret, cacheSeconds: 0 },
    });
    const server = createServer((req: IncomingMessage & AccessTokenRequest, res) => {
      void guard(req, res, () => res.end('ok'));
    });
    try {
      const base = await listen(server);
      assert.equal((await call(`${base}/read`, jwt)).status, 200);
      const revoke = await fetch(`${t.url}/revoke`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: jwt }),
      });
      assert.equal(revoke.status, 200);
      await revoke.arrayBuffer();
      const after = await call(`${base}/read`, jwt);
      assert.equal(after.status, 401);
      assert.match(after.challenge, /error="invalid_token"/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
