// E2E: Latchkey mounted in an Express app behind body parsers — an already-parsed body is used (with
// the duplicate-parameter rule kept), and a body another middleware swallowed is refused at once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { pino } from 'pino';
import { buildClient } from '../../src/clients/register.ts';
import { createAuthorizationServer } from '../../src/server.ts';
import type { AuthorizationServer } from '../../src/server-types.ts';
import { openStorage } from '../../src/storage/open.ts';
import type { Storage } from '../../src/storage/types.ts';
import { basic } from '../helpers/flow.ts';
import { TEST_SECRET } from '../helpers/server.ts';

let dir: string;
let http: Server;
let base: string;
let auth: AuthorizationServer;
let storage: Storage;
let credentials: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-embedded-'));
  const app = express();
  // Each mount point has its own parser in front of Latchkey, as applications commonly do.
  app.use('/form', express.urlencoded({ extended: false }), (req, res) => auth.handler(req, res));
  app.use('/text', express.text({ type: '*/*' }), (req, res) => auth.handler(req, res));
  app.use('/swallow', (req, _res, next) => {
    req.resume();
    req.on('end', () => next());
  });
  app.use('/swallow', (req, res) => auth.handler(req, res));
  http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  storage = await openStorage(`sqlite:${join(dir, 'embedded.db')}`);
  auth = await createAuthorizationServer(
    { issuer: `${base}/form`, db: 'sqlite::memory:', secret: TEST_SECRET },
    { storage, logger: pino({ level: 'silent' }) },
  );
  const { record, secret } = buildClient(
    { name: 'machine', grantTypes: ['client_credentials'], redirectUris: [], scope: '' },
    [],
    Math.floor(Date.now() / 1000),
  );
  await storage.clients.create(record);
  credentials = basic(record.clientId, secret ?? '');
});

after(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
  await auth.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const token = (mount: string, body: string) =>
  fetch(`${base}/${mount}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: credentials },
    body,
    // A body waited for that never comes would hang here: the answer must come at once.
    signal: AbortSignal.timeout(10_000),
  });

test('behind express.urlencoded() the parsed body is used', async () => {
  const res = await token('form', 'grant_type=client_credentials');
  assert.equal(res.status, 200, await res.clone().text());
  assert.ok(((await res.json()) as { access_token?: string }).access_token);
});

test('behind express.urlencoded() a repeated parameter is still refused', async () => {
  const res = await token('form', 'grant_type=client_credentials&grant_type=client_credentials');
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: string; error_description: string };
  assert.equal(body.error, 'invalid_request');
  assert.match(body.error_description, /repeated/);
});

test('behind express.text() the raw text is parsed as the form', async () => {
  const res = await token('text', 'grant_type=client_credentials');
  assert.equal(res.status, 200);
});

test('a body another middleware swallowed is refused at once, naming the cause', async () => {
  const res = await token('swallow', 'grant_type=client_credentials');
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: string; error_description: string };
  assert.equal(body.error, 'invalid_request');
  assert.match(body.error_description, /already read.*mount Latchkey before body parsers/);
});

test('in Fastify, under a prefix, with the raw request and no body parser of its own', async () => {
  const fastify = Fastify();
  fastify.addContentTypeParser('application/x-www-form-urlencoded', (_req, _payload, done) => done(null));
  let fastifyAuth: AuthorizationServer | undefined;
  fastify.all('/auth/*', (request, reply) => {
    reply.hijack();
    fastifyAuth?.handler(request.raw, reply.raw);
  });
  const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
  try {
    fastifyAuth = await createAuthorizationServer(
      { issuer: `${url}/auth`, db: 'sqlite::memory:', secret: TEST_SECRET },
      { storage, logger: pino({ level: 'silent' }) },
    );
    const metadata = await fetch(`${url}/auth/.well-known/oauth-authorization-server`);
    assert.equal(metadata.status, 200);
    assert.equal(((await metadata.json()) as { token_endpoint: string }).token_endpoint, `${url}/auth/token`);
    const res = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: credentials },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200, await res.clone().text());
  } finally {
    await fastifyAuth?.close();
    await fastify.close();
  }
});
