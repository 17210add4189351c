// RFC 6750 §2.1 and §3: the middleware with node:http, and with Express- and Fastify-shaped objects.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AccessTokenRequest } from './middleware.ts';
import { requireAccessToken } from './middleware.ts';
import type { SigningKey, StubServer } from './test-support.ts';
import { AUDIENCE, makeKey, signAccessToken, startStubServer } from './test-support.ts';

describe('requireAccessToken', () => {
  let stub: StubServer;
  let key: SigningKey;
  let api: Server;
  let apiUrl: string;
  let handled = 0;
  const unexpected: unknown[] = [];

  before(async () => {
    stub = await startStubServer();
    key = await makeKey('ES256', 'k1');
    stub.keys = [key.publicJwk];
    const mw = requireAccessToken({
      issuer: stub.issuer,
      audience: AUDIENCE,
      scopes: ['read'],
      realm: 'demo api',
      jwksUri: stub.jwksUri,
      jwksCooldownSeconds: 0,
      onError: (error) => unexpected.push(error),
    });
    api = createServer(async (req, res) => {
      await mw(req, res, () => {
        handled++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: (req as AccessTokenRequest).auth?.sub }));
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/resource`;
  });
  after(async () => {
    api.closeAllConnections();
    await new Promise<void>((resolve) => api.close(() => resolve()));
    await stub.close();
  });
  beforeEach(() => {
    handled = 0;
    unexpected.length = 0;
    stub.jwksStatus = 200;
  });

  const get = async (authorization?: string) => {
    const response = await fetch(apiUrl, authorization === undefined ? {} : { headers: { authorization } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };

  describe('with node:http, over real HTTP', () => {
    it('passes a valid token on with req.auth set', async () => {
      const response = await get(`Bearer ${await signAccessToken(key, stub.issuer)}`);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { sub: 'user-1' });
      assert.equal(handled, 1);
    });

    it('answers a request without a token with a bare challenge (RFC 6750 §3.1)', async () => {
      for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
        const response = await get(authorization);
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="demo api"');
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.deepEqual(response.body, {});
      }
      assert.equal(handled, 0);
    });

    it('answers a malformed Authorization header with 400 invalid_request', async () => {
      const response = await get('Bearer  two-spaces');
      assert.equal(response.status, 400);
      assert.equal(response.body.error, 'invalid_request');
      assert.match(
        response.headers.get('www-authenticate') ?? '',
        /^Bearer realm="demo api", error="invalid_request", error_description="/,
      );
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(handled, 0);
    });

    it('answers an invalid token with 401 invalid_token', async () => {
      const token = await signAccessToken(key, stub.issuer, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } });
      const response = await get(`Bearer ${token}`);
      assert.equal(response.status, 401);
      assert.deepEqual(response.body, { error: 'invalid_token', error_description: 'The access token expired' });
      assert.equal(
        response.headers.get('www-authenticate'),
        'Bearer realm="demo api", error="invalid_token", error_description="The access token expired"',
      );
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(handled, 0);
    });

    it('answers a token lacking the scope with 403 insufficient_scope', async () => {
      const token = await signAccessToken(key, stub.issuer, { claims: { scope: 'write' } });
      const response = await get(`Bearer ${token}`);
      assert.equal(response.status, 403);
      assert.equal(response.body.error, 'insufficient_scope');
      assert.equal(response.body.scope, 'read');
      assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope", error_description="[^"]+", scope="read"$/);
      assert.equal(handled, 0);
    });

    it('answers 503 temporarily_unavailable when the JWKS cannot be fetched, and keeps serving', async () => {
      stub.jwksStatus = 503;
      const other = await makeKey('ES256', 'k2');
      const response = await get(`Bearer ${await signAccessToken(other, stub.issuer)}`);
      assert.equal(response.status, 503);
      assert.equal(response.body.error, 'temporarily_unavailable');
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(unexpected.length, 1);
      assert.equal(handled, 0);
      stub.jwksStatus = 200;
      assert.equal((await get(`Bearer ${await signAccessToken(key, stub.issuer)}`)).status, 200);
    });
  });

  describe('calling conventions', () => {
    const middleware = (onError?: (error: unknown) => void) =>
      requireAccessToken({
        issuer: stub.issuer,
        audience: AUDIENCE,
        scopes: ['read'],
        jwksUri: stub.jwksUri,
        ...(onError === undefined ? {} : { onError }),
      });

    function expressResponse() {
      const sent = { statusCode: 200, headers: {} as Record<string, string>, body: undefined as string | undefined };
      return {
        sent,
        get statusCode() {
          return sent.statusCode;
        },
        set statusCode(value: number) {
          sent.statusCode = value;
        },
        headersSent: false,
        setHeader(name: string, value: string) {
          sent.headers[name.toLowerCase()] = value;
        },
        end(body?: string) {
          sent.body = body;
        },
        // Express has these too; the middleware must not mistake Express for Fastify.
        header() {
          throw new Error('not expected');
        },
        send() {
          throw new Error('not expected');
        },
      };
    }

    it('Express: (req, res, next) sets req.auth and calls next() without arguments', async () => {
      const req: AccessTokenRequest = { headers: { authorization: `Bearer ${await signAccessToken(key, stub.issuer)}` } };
      const res = expressResponse();
      const nextArgs: unknown[][] = [];
      await middleware()(req, res, (...args: unknown[]) => nextArgs.push(args));
      assert.deepEqual(nextArgs, [[]]);
      assert.equal(req.auth?.sub, 'user-1');
      assert.equal(res.sent.body, undefined);
    });

    it('Express: answers a bad token and never calls next', async () => {
      const req: AccessTokenRequest = { headers: { authorization: 'Bearer not-a-jwt' } };
      const res = expressResponse();
      let nextCalled = false;
      await middleware()(req, res, () => {
        nextCalled = true;
      });
      assert.equal(nextCalled, false);
      assert.equal(req.auth, undefined);
      assert.equal(res.sent.statusCode, 401);
      assert.match(res.sent.headers['www-authenticate'] ?? '', /^Bearer error="invalid_token"/);
      assert.equal(res.sent.headers['cache-control'], 'no-store');
      assert.equal(JSON.parse(res.sent.body ?? '').error, 'invalid_token');
    });

    function fastifyPair(authorization?: string) {
      const request: AccessTokenRequest = { headers: authorization === undefined ? {} : { authorization }, raw: {} };
      const reply = {
        sent: false,
        statusCode: 200,
        headers: {} as Record<string, string>,
        payload: undefined as unknown,
        code(statusCode: number) {
          this.statusCode = statusCode;
          return this;
        },
        header(name: string, value: string) {
          this.headers[name.toLowerCase()] = value;
          return this;
        },
        send(payload?: unknown) {
          this.payload = payload;
          this.sent = true;
          return this;
        },
      };
      return { request, reply };
    }

    it('Fastify: a preHandler (request, reply) sets request.auth and leaves the reply alone', async () => {
      const mw = middleware();
      // Fastify refuses async hooks that declare a third parameter.
      assert.ok(mw.length <= 2);
      const { request, reply } = fastifyPair(`Bearer ${await signAccessToken(key, stub.issuer)}`);
      let doneCalled = false;
      await mw(request, reply, () => {
        doneCalled = true;
      });
      assert.equal(request.auth?.sub, 'user-1');
      assert.equal(reply.sent, false);
      assert.equal(doneCalled, false, 'Fastify continues when the promise resolves');
    });

    it('Fastify: answers through reply.code/header/send', async () => {
      const { request, reply } = fastifyPair();
      await middleware()(request, reply);
      assert.equal(reply.sent, true);
      assert.equal(reply.statusCode, 401);
      assert.equal(reply.headers['www-authenticate'], 'Bearer');
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.deepEqual(JSON.parse(String(reply.payload)), {});

      const scoped = fastifyPair(`Bearer ${await signAccessToken(key, stub.issuer, { claims: { scope: 'other' } })}`);
      await middleware()(scoped.request, scoped.reply);
      assert.equal(scoped.reply.statusCode, 403);
      assert.equal(scoped.request.auth, undefined);
      assert.match(scoped.reply.headers['www-authenticate'] ?? '', /scope="read"/);
    });

    it('never rejects on unexpected failures, even when the error hook throws', async () => {
      stub.jwksStatus = 500;
      const other = await makeKey('ES256', 'k3');
      const req: AccessTokenRequest = { headers: { authorization: `Bearer ${await signAccessToken(other, stub.issuer)}` } };
      const res = expressResponse();
      await middleware(() => {
        throw new Error('logger down');
      })(req, res, () => assert.fail('next must not be called'));
      assert.equal(res.sent.statusCode, 503);
      assert.equal(JSON.parse(res.sent.body ?? '').error, 'temporarily_unavailable');
    });

    it('refuses invalid options at construction', () => {
      assert.throws(() => requireAccessToken({ issuer: 'not a url', audience: AUDIENCE }), TypeError);
      assert.throws(() => requireAccessToken({ issuer: stub.issuer, audience: [] }), TypeError);
      assert.throws(() => requireAccessToken({ issuer: stub.issuer, audience: AUDIENCE, scopes: ['a b'] }), TypeError);
      assert.throws(() => requireAccessToken({ issuer: `${stub.issuer}?x=1`, audience: AUDIENCE }), TypeError);
    });
  });
});
