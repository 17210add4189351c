// RFC 7662 §2 and §4: token introspection, client_secret_basic and caching of active results.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import { ResourceServerError } from './errors.ts';
import { basicCredentials, formUrlEncode } from './introspection.ts';
import type { StubServer } from './test-support.ts';
import { AUDIENCE, startStubServer } from './test-support.ts';
import { createVerifier } from './verifier.ts';

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('form-urlencodes id and secret before base64', () => {
    assert.equal(formUrlEncode('a b+c:d/é%'), 'a+b%2Bc%3Ad%2F%C3%A9%25');
    const header = basicCredentials('rs:api 1', 'p@ss word+/:');
    assert.ok(header.startsWith('Basic '));
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    assert.equal(decoded, 'rs%3Aapi+1:p%40ss+word%2B%2F%3A');
    const [id, secret] = decoded.split(':').map((part) => decodeURIComponent(part.replaceAll('+', ' ')));
    assert.deepEqual([id, secret], ['rs:api 1', 'p@ss word+/:']);
  });
});

describe('introspection mode (RFC 7662)', () => {
  let stub: StubServer;
  const now = () => Math.floor(Date.now() / 1000);
  const clientId = 'resource server';
  const clientSecret = 's3cret:+/';

  before(async () => {
    stub = await startStubServer();
  });
  after(() => stub.close());
  beforeEach(() => {
    stub.activeTokens.clear();
    stub.introspectionCalls = [];
    stub.introspectionStatus = 200;
    stub.counts = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
  });
  afterEach(() => mock.timers.reset());

  const activeClaims = (extra: Record<string, unknown> = {}) => ({
    iss: stub.issuer,
    sub: 'user-1',
    aud: AUDIENCE,
    client_id: 'client-1',
    scope: 'read write',
    token_type: 'Bearer',
    iat: now(),
    exp: now() + 300,
    ...extra,
  });
  const verifier = (cacheSeconds?: number, scopes?: string[]) =>
    createVerifier({
      issuer: stub.issuer,
      audience: AUDIENCE,
      ...(scopes === undefined ? {} : { scopes }),
      introspection: {
        endpoint: stub.introspectionEndpoint,
        clientId,
        clientSecret,
        ...(cacheSeconds === undefined ? {} : { cacheSeconds }),
      },
    });

  it('accepts an active token and sends a well-formed request', async () => {
    stub.activeTokens.set('opaque-token-1', activeClaims());
    const claims = await verifier().verify('opaque-token-1');
    assert.equal(claims.sub, 'user-1');
    assert.equal(claims.client_id, 'client-1');
    assert.equal(claims.active, undefined);
    assert.equal(stub.introspectionCalls.length, 1);
    const call = stub.introspectionCalls[0];
    assert.ok(call !== undefined);
    assert.equal(call.body.get('token'), 'opaque-token-1');
    assert.equal(call.body.get('token_type_hint'), 'access_token');
    assert.equal(call.contentType, 'application/x-www-form-urlencoded');
    assert.equal(call.authorization, basicCredentials(clientId, clientSecret));
  });

  it('refuses an inactive token with invalid_token and never caches it', async () => {
    const v = verifier();
    for (let i = 0; i < 2; i++) {
      await assert.rejects(v.verify('unknown-token'), (error: unknown) => {
        assert.ok(error instanceof ResourceServerError);
        assert.equal(error.code, 'invalid_token');
        assert.equal(error.status, 401);
        assert.match(error.description, /not active/);
        return true;
      });
    }
    assert.equal(stub.counts.introspection, 2);
  });

  it('caches an active result for cacheSeconds (default 30)', async () => {
    stub.activeTokens.set('t', activeClaims());
    const v = verifier();
    await v.verify('t');
    mock.timers.tick(29_000);
    const cached = await v.verify('t');
    assert.equal(cached.sub, 'user-1');
    assert.equal(stub.counts.introspection, 1);
    mock.timers.tick(2_000);
    await v.verify('t');
    assert.equal(stub.counts.introspection, 2);
  });

  it('never caches past exp', async () => {
    stub.activeTokens.set('short', activeClaims({ exp: now() + 10 }));
    const v = verifier(60);
    await v.verify('short');
    mock.timers.tick(9_000);
    await v.verify('short');
    assert.equal(stub.counts.introspection, 1);
    mock.timers.tick(2_000);
    // The server now says inactive: the cached answer must not be used after exp.
    stub.activeTokens.delete('short');
    await assert.rejects(v.verify('short'), ResourceServerError);
    assert.equal(stub.counts.introspection, 2);
  });

  it('does not cache when cacheSeconds is 0, and sees a revocation at once', async () => {
    stub.activeTokens.set('t', activeClaims());
    const v = verifier(0);
    await v.verify('t');
    stub.activeTokens.delete('t');
    await assert.rejects(v.verify('t'), ResourceServerError);
    assert.equal(stub.counts.introspection, 2);
  });

  it('checks scopes on every use of a cached result', async () => {
    stub.activeTokens.set('t', activeClaims({ scope: 'read' }));
    const v = verifier(30, ['read']);
    await v.verify('t');
    await assert.rejects(
      v.verify('t', { scopes: ['admin'] }),
      (error: unknown) => error instanceof ResourceServerError && error.code === 'insufficient_scope' && error.scope === 'admin',
    );
    assert.equal(stub.counts.introspection, 1);
  });

  it('refuses active tokens with the wrong audience, issuer, type or an expiry in the past', async () => {
    const v = verifier();
    const cases: Record<string, Record<string, unknown>> = {
      aud: activeClaims({ aud: 'https://other.test' }),
      noAud: activeClaims({ aud: undefined }),
      iss: activeClaims({ iss: 'https://evil.test' }),
      type: activeClaims({ token_type: 'refresh_token' }),
      exp: activeClaims({ exp: now() - 60 }),
      noExp: activeClaims({ exp: undefined }),
      noSub: activeClaims({ sub: undefined }),
    };
    for (const [name, claims] of Object.entries(cases)) {
      stub.activeTokens.set(name, claims);
      await assert.rejects(
        v.verify(name),
        (error: unknown) => error instanceof ResourceServerError && error.code === 'invalid_token',
        name,
      );
    }
  });

  it('fills iss from the issuer when the response omits it', async () => {
    stub.activeTokens.set('t', activeClaims({ iss: undefined }));
    assert.equal((await verifier().verify('t')).iss, stub.issuer);
  });

  it('discovers the introspection endpoint from metadata', async () => {
    stub.activeTokens.set('t', activeClaims());
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, introspection: { clientId, clientSecret } });
    assert.equal((await v.verify('t')).sub, 'user-1');
    assert.equal(stub.counts.oauthMetadata, 1);
    assert.equal(stub.counts.introspection, 1);
  });

  it('reports a failing introspection endpoint as an error other than ResourceServerError', async () => {
    stub.introspectionStatus = 401;
    const error = await verifier()
      .verify('t')
      .catch((e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof ResourceServerError));
    assert.match(error.message, /HTTP 401/);
  });

  it('shares one request among concurrent verifications of the same token', async () => {
    stub.activeTokens.set('t', activeClaims());
    const v = verifier();
    const results = await Promise.all([v.verify('t'), v.verify('t'), v.verify('t')]);
    assert.deepEqual(
      results.map((claims) => claims.sub),
      ['user-1', 'user-1', 'user-1'],
    );
    assert.equal(stub.counts.introspection, 1);
  });
});
