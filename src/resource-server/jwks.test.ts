// RFC 7517 §5 and RFC 9068 §4: key rotation, unknown kid refetch with cooldown, unreachable JWKS.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import { ResourceServerError } from './errors.ts';
import type { SigningKey, StubServer } from './test-support.ts';
import { AUDIENCE, makeKey, signAccessToken, startStubServer } from './test-support.ts';
import { createVerifier } from './verifier.ts';

describe('remote JWKS (RFC 7517 §5)', () => {
  let stub: StubServer;
  let current: SigningKey;
  let next: SigningKey;
  let unknown: SigningKey;

  before(async () => {
    stub = await startStubServer();
    current = await makeKey('ES256', 'current');
    next = await makeKey('RS256', 'next');
    unknown = await makeKey('ES256', 'unknown');
  });
  after(() => stub.close());
  beforeEach(() => {
    stub.keys = [current.publicJwk];
    stub.jwksStatus = 200;
    stub.counts = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
    // Only Date is faked: the JWKS cooldown and cache age are measured with Date.now().
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
  });
  afterEach(() => mock.timers.reset());

  const noMatchingKey = (error: unknown): boolean =>
    error instanceof ResourceServerError && error.code === 'invalid_token' && /No key of the issuer/.test(error.description);

  it('refetches once on an unknown kid, refuses if still unknown, then accepts a rotated key', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    await v.verify(await signAccessToken(current, stub.issuer));
    assert.equal(stub.counts.jwks, 1);

    mock.timers.tick(31_000);
    await assert.rejects(v.verify(await signAccessToken(unknown, stub.issuer)), noMatchingKey);
    assert.equal(stub.counts.jwks, 2, 'one refetch for the unknown kid');

    // Within the cooldown an unknown kid causes no further request.
    await assert.rejects(v.verify(await signAccessToken(unknown, stub.issuer)), noMatchingKey);
    assert.equal(stub.counts.jwks, 2);

    // The issuer rotates: the new key appears in the JWKS.
    stub.keys = [current.publicJwk, next.publicJwk];
    const rotated = await signAccessToken(next, stub.issuer);
    await assert.rejects(v.verify(rotated), noMatchingKey, 'still cooling down');
    assert.equal(stub.counts.jwks, 2);
    mock.timers.tick(30_000);
    assert.equal((await v.verify(rotated)).sub, 'user-1');
    assert.equal(stub.counts.jwks, 3, 'one refetch picked up the rotated key');
    assert.equal((await v.verify(await signAccessToken(next, stub.issuer))).sub, 'user-1');
    assert.equal((await v.verify(await signAccessToken(current, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.jwks, 3);
  });

  it('honours a shorter configured cooldown', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri, jwksCooldownSeconds: 0 });
    await v.verify(await signAccessToken(current, stub.issuer));
    stub.keys = [current.publicJwk, next.publicJwk];
    assert.equal((await v.verify(await signAccessToken(next, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.jwks, 2);
  });

  it('fetches the JWKS again once the cache max age has passed', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    await v.verify(await signAccessToken(current, stub.issuer));
    mock.timers.tick(5 * 60_000);
    await v.verify(await signAccessToken(current, stub.issuer));
    assert.equal(stub.counts.jwks, 1);
    mock.timers.tick(6 * 60_000);
    await v.verify(await signAccessToken(current, stub.issuer));
    assert.equal(stub.counts.jwks, 2);
  });

  it('reports an unavailable JWKS as an error other than ResourceServerError', async () => {
    stub.jwksStatus = 500;
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    const error = await v.verify(await signAccessToken(current, stub.issuer)).catch((e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof ResourceServerError));
    stub.jwksStatus = 200;
    assert.equal((await v.verify(await signAccessToken(current, stub.issuer))).sub, 'user-1');
  });

  it('reports an unreachable JWKS host as an error other than ResourceServerError', async () => {
    const gone = await startStubServer();
    await gone.close();
    const v = createVerifier({ issuer: gone.issuer, audience: AUDIENCE, jwksUri: gone.jwksUri, timeoutSeconds: 1 });
    const error = await v.verify(await signAccessToken(current, gone.issuer)).catch((e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof ResourceServerError));
  });

  it('uses the injected fetch', async () => {
    const urls: string[] = [];
    const v = createVerifier({
      issuer: stub.issuer,
      audience: AUDIENCE,
      jwksUri: stub.jwksUri,
      fetch: (url, init) => {
        urls.push(url);
        return fetch(url, init);
      },
    });
    await v.verify(await signAccessToken(current, stub.issuer));
    assert.deepEqual(urls, [stub.jwksUri]);
  });
});
