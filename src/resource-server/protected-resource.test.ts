// RFC 9728 §2-§3 and §5.1: the metadata document, its location, its handler, and the challenges
// that point to it (MCP authorization).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { bearerChallenge, ResourceServerError } from './errors.ts';
import { toMcpAuthInfo } from './mcp.ts';
import { requireAccessToken } from './middleware.ts';
import { protectedResourceHandler, protectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource.ts';
import { AUDIENCE, makeKey, type SigningKey, type StubServer, signAccessToken, startStubServer } from './test-support.ts';

const RESOURCE = 'https://mcp.example.com/mcp';
const ISSUER = 'https://auth.example.com';
const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

describe('protectedResourceMetadata', () => {
  test('carries resource, authorization_servers, scopes without offline_access, and header bearer', () => {
    assert.deepEqual(
      protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [ISSUER], scopesSupported: ['mcp:tools', 'offline_access'] }),
      { resource: RESOURCE, authorization_servers: [ISSUER], scopes_supported: ['mcp:tools'], bearer_methods_supported: ['header'] },
    );
  });
  test('refuses a resource with a fragment, a relative one, and no authorization server', () => {
    assert.throws(() => protectedResourceMetadata({ resource: `${RESOURCE}#x`, authorizationServers: [ISSUER] }), TypeError);
    assert.throws(() => protectedResourceMetadata({ resource: '/mcp', authorizationServers: [ISSUER] }), TypeError);
    assert.throws(() => protectedResourceMetadata({ resource: RESOURCE, authorizationServers: [] }), TypeError);
  });
});

describe('protectedResourceMetadataUrl (RFC 9728 §3.1)', () => {
  test('inserts the well-known path between host and path', () => {
    assert.equal(protectedResourceMetadataUrl(RESOURCE), PRM);
    assert.equal(
      protectedResourceMetadataUrl('https://mcp.example.com/a/b?x=1'),
      'https://mcp.example.com/.well-known/oauth-protected-resource/a/b?x=1',
    );
  });
  test('an origin, with or without its slash, has the bare well-known path', () => {
    assert.equal(protectedResourceMetadataUrl('https://mcp.example.com'), 'https://mcp.example.com/.well-known/oauth-protected-resource');
    assert.equal(protectedResourceMetadataUrl('https://mcp.example.com/'), 'https://mcp.example.com/.well-known/oauth-protected-resource');
  });
});

describe('challenges (RFC 9728 §5.1)', () => {
  test('a request without a token gets resource_metadata and the scope it needs', () => {
    assert.equal(
      bearerChallenge(undefined, { resourceMetadata: PRM, scope: 'mcp:tools' }),
      `Bearer resource_metadata="${PRM}", scope="mcp:tools"`,
    );
  });
  test('insufficient_scope carries the scopes of the operation and resource_metadata', () => {
    const e = new ResourceServerError('insufficient_scope', 'more scope needed', { scope: 'mcp:tools mcp:write' });
    assert.equal(
      e.wwwAuthenticate(undefined, { resourceMetadata: PRM, scope: 'ignored' }),
      `Bearer error="insufficient_scope", error_description="more scope needed", scope="mcp:tools mcp:write", resource_metadata="${PRM}"`,
    );
  });
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('protectedResourceHandler', () => {
  const handler = protectedResourceHandler({ resource: RESOURCE, authorizationServers: [ISSUER], scopesSupported: ['mcp:tools'] });
  let node: Server;
  let nodeUrl: string;
  let app: Server;
  let appUrl: string;
  const fastify = Fastify();

  before(async () => {
    node = createServer((req, res) => void handler(req, res, () => res.writeHead(404).end('next')));
    nodeUrl = await listen(node);
    const e = express();
    e.use(handler);
    e.use((_req, res) => {
      res.status(404).send('next');
    });
    app = createServer(e);
    appUrl = await listen(app);
    for (const path of handler.paths) {
      fastify.route({ method: ['GET', 'HEAD', 'OPTIONS', 'POST'], url: path, handler: (request, reply) => handler(request, reply) });
    }
    await fastify.ready();
  });
  after(async () => {
    node.close();
    app.close();
    await fastify.close();
  });

  test('node:http and Express serve both paths with CORS, and pass other paths on', async () => {
    for (const base of [nodeUrl, appUrl]) {
      for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
        const res = await fetch(`${base}${path}`);
        assert.equal(res.status, 200, `${base}${path}`);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.deepEqual(await res.json(), handler.metadata);
      }
      const other = await fetch(`${base}/.well-known/oauth-protected-resource/other`);
      assert.equal(await other.text(), 'next');
    }
  });

  test('a preflight is answered, and another method is 405', async () => {
    const pre = await fetch(`${nodeUrl}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'mcp-protocol-version');
    assert.equal((await fetch(`${nodeUrl}/.well-known/oauth-protected-resource/mcp`, { method: 'POST' })).status, 405);
  });

  test('Fastify serves the document through the reply', async () => {
    const res = await fastify.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), handler.metadata);
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });
});

describe('requireAccessToken with resourceMetadata', () => {
  let stub: StubServer;
  let key: SigningKey;
  let api: Server;
  let url: string;

  before(async () => {
    stub = await startStubServer();
    key = await makeKey('ES256', 'k1');
    stub.keys = [key.publicJwk];
    const guard = requireAccessToken({
      issuer: stub.issuer,
      audience: AUDIENCE,
      scopes: ['mcp:tools'],
      jwksUri: stub.jwksUri,
      resourceMetadata: PRM,
    });
    api = createServer((req, res) => void guard(req, res, () => res.end('ok')));
    url = await listen(api);
  });
  after(async () => {
    api.close();
    await stub.close();
  });

  test('401 without a token names the metadata and the scope, and exposes the header to CORS', async () => {
    const res = await fetch(url);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${PRM}", scope="mcp:tools"`);
    assert.equal(res.headers.get('access-control-expose-headers'), 'WWW-Authenticate');
  });

  test('a token for another audience is invalid_token with the metadata', async () => {
    const token = await signAccessToken(key, stub.issuer, { claims: { aud: 'https://other.example' } });
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token".*scope="mcp:tools", resource_metadata="/);
  });

  test('403 insufficient_scope names every scope needed and the metadata', async () => {
    const token = await signAccessToken(key, stub.issuer, { claims: { scope: 'other' } });
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="mcp:tools", resource_metadata="/);
  });
});

describe('toMcpAuthInfo', () => {
  test('maps the claims to the SDK AuthInfo, with the accepted audience as resource', () => {
    const claims = {
      iss: ISSUER,
      sub: 'u1',
      aud: ['https://as.example', RESOURCE],
      exp: 1_900_000_000,
      client_id: 'c1',
      scope: 'mcp:tools openid',
    };
    const info = toMcpAuthInfo('tok', claims, RESOURCE);
    assert.equal(info.token, 'tok');
    assert.equal(info.clientId, 'c1');
    assert.deepEqual(info.scopes, ['mcp:tools', 'openid']);
    assert.equal(info.expiresAt, 1_900_000_000);
    assert.equal(info.resource?.href, RESOURCE);
    assert.equal(info.extra?.sub, 'u1');
    const { scope: _scope, ...withoutScope } = claims;
    assert.deepEqual(toMcpAuthInfo('tok', withoutScope).scopes, []);
  });
});
