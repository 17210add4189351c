// RFC 7517 §5 and RFC 9068 §4: keys and checks prepared once are dropped as soon as what they came from changes.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it, mock } from 'node:test';
import { ResourceServerError } from './errors.ts';
import type { SigningKey, StubServer } from './test-support.ts';
import { AUDIENCE, b64json, makeKey, signAccessToken, startStubServer } from './test-support.ts';
import type { VerifyOptions } from './types.ts';
import { createVerifier } from './verifier.ts';
import { verifyAccessToken } from './verify-access-token.ts';

const refused = (code: string, description?: RegExp) => (error: unknown) =>
  error instanceof ResourceServerError && error.code === code && (description === undefined || description.test(error.description));

describe('keys imported once per kid', () => {
  let stub: StubServer;
  let first: SigningKey;
  let second: SigningKey;

  before(async () => {
    stub = await startStubServer();
    first = await makeKey('ES256', 'first');
    second = await makeKey('ES256', 'second');
  });
  after(() => stub.close());
  beforeEach(() => {
    stub.keys = [first.publicJwk, second.publicJwk];
    stub.counts = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
  });
  afterEach(() => mock.timers.reset());

  it('stops accepting a key the issuer withdrew once the JWKS is fetched again', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    assert.equal((await v.verify(await signAccessToken(second, stub.issuer))).sub, 'user-1');
    assert.equal((await v.verify(await signAccessToken(second, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.jwks, 1);

    stub.keys = [first.publicJwk];
    mock.timers.tick(601_000);
    // The refetch caused by the cache age replaces the set; the withdrawn key is gone with it.
    assert.equal((await v.verify(await signAccessToken(first, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.jwks, 2);
    await assert.rejects(v.verify(await signAccessToken(second, stub.issuer)), refused('invalid_token', /No key of the issuer/));
  });

  it('does not take a kid that is not a string for the string it looks like', async () => {
    const numbered = await makeKey('ES256', '7');
    stub.keys = [numbered.publicJwk];
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    assert.equal((await v.verify(await signAccessToken(numbered, stub.issuer))).sub, 'user-1');
    const token = await signAccessToken(numbered, stub.issuer, { header: { kid: 7 } });
    await assert.rejects(v.verify(token), refused('invalid_token', /No key of the issuer/));
  });

  it('refuses an exp that parses as Infinity', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });
    const now = Math.floor(Date.now() / 1000);
    const header = b64json({ alg: 'ES256', typ: 'at+jwt', kid: first.kid });
    const claims = { iss: stub.issuer, aud: AUDIENCE, sub: 'u', client_id: 'c', jti: 'j', iat: now };
    const payload = Buffer.from(`${JSON.stringify(claims).slice(0, -1)},"exp":1e999}`).toString('base64url');
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      first.privateKey,
      new TextEncoder().encode(`${header}.${payload}`),
    );
    const token = `${header}.${payload}.${Buffer.from(signature).toString('base64url')}`;
    await assert.rejects(v.verify(token), refused('invalid_token', /no expiry/));
  });
});

describe('verifyAccessToken with the same options object', () => {
  let stub: StubServer;
  let key: SigningKey;

  before(async () => {
    stub = await startStubServer();
    key = await makeKey('ES256', 'k');
    stub.keys = [key.publicJwk];
  });
  after(() => stub.close());

  it('follows changes made to the options between calls', async () => {
    const scopes = ['read'];
    const audience = [AUDIENCE];
    const options: VerifyOptions = { issuer: stub.issuer, audience, scopes, jwksUri: stub.jwksUri };
    const token = await signAccessToken(key, stub.issuer);
    assert.equal((await verifyAccessToken(token, options)).sub, 'user-1');

    scopes.push('admin');
    await assert.rejects(verifyAccessToken(token, options), refused('insufficient_scope'));
    scopes.pop();
    assert.equal((await verifyAccessToken(token, options)).sub, 'user-1');

    audience[0] = 'https://other.test';
    await assert.rejects(verifyAccessToken(token, options), refused('invalid_token', /not meant for this resource/));
    audience[0] = AUDIENCE;

    options.algorithms = ['RS256'];
    await assert.rejects(verifyAccessToken(token, options), refused('invalid_token', /algorithm is not allowed/));
    delete options.algorithms;

    scopes.push('not a scope');
    await assert.rejects(verifyAccessToken(token, options), TypeError);
    scopes.pop();
    assert.equal((await verifyAccessToken(token, options)).sub, 'user-1');
    assert.equal(stub.counts.jwks, 1);
  });
});
