// RFC 9068 §4: validation of JWT access tokens against the issuer's JWKS.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ResourceServerError } from './errors.ts';
import type { SigningKey, StubServer } from './test-support.ts';
import { AUDIENCE, b64json, makeKey, signAccessToken, startStubServer } from './test-support.ts';
import { createVerifier } from './verifier.ts';
import { verifyAccessToken } from './verify-access-token.ts';

function refusedWith(code: string, description?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ResourceServerError, `expected a ResourceServerError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (description !== undefined) assert.match(error.description, description);
    return true;
  };
}

describe('JWT access tokens (RFC 9068 §4)', () => {
  let stub: StubServer;
  let es256: SigningKey;
  let rs256: SigningKey;
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    stub = await startStubServer();
    es256 = await makeKey('ES256', 'es-1');
    rs256 = await makeKey('RS256', 'rs-1');
  });
  after(() => stub.close());
  beforeEach(() => {
    stub.keys = [es256.publicJwk, rs256.publicJwk];
    stub.metadata = { oauth: true, openid: false };
    stub.counts = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
  });
  const verifier = () => createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri });

  it('accepts valid ES256 and RS256 tokens and returns their claims', async () => {
    const v = verifier();
    const claims = await v.verify(await signAccessToken(es256, stub.issuer));
    assert.equal(claims.iss, stub.issuer);
    assert.equal(claims.sub, 'user-1');
    assert.equal(claims.client_id, 'client-1');
    assert.equal(claims.scope, 'read write');
    assert.equal((await v.verify(await signAccessToken(rs256, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.jwks, 1, 'the JWKS is fetched once and cached');
  });

  it('accepts typ application/at+jwt in any case', async () => {
    const v = verifier();
    for (const typ of ['application/at+jwt', 'AT+JWT', 'Application/AT+JWT']) {
      assert.equal((await v.verify(await signAccessToken(es256, stub.issuer, { header: { typ } }))).sub, 'user-1');
    }
  });

  it('refuses an ID token (typ JWT or no typ) before fetching keys', async () => {
    const v = verifier();
    for (const typ of ['JWT', undefined, 'application/jwt', 'at+jwt+x']) {
      const token = await signAccessToken(es256, stub.issuer, { header: { typ } });
      await assert.rejects(v.verify(token), refusedWith('invalid_token', /typ must be at\+jwt/));
    }
    assert.equal(stub.counts.jwks, 0);
  });

  it('refuses an expired token, but not within the clock tolerance', async () => {
    const v = verifier();
    const expired = await signAccessToken(es256, stub.issuer, { claims: { iat: now() - 600, exp: now() - 60 } });
    await assert.rejects(v.verify(expired), refusedWith('invalid_token', /expired/));
    const justExpired = await signAccessToken(es256, stub.issuer, { claims: { iat: now() - 600, exp: now() - 2 } });
    assert.equal((await v.verify(justExpired)).sub, 'user-1');
    await assert.rejects(v.verify(justExpired, { clockTolerance: 0 }), refusedWith('invalid_token', /expired/));
  });

  it('refuses a token without exp', async () => {
    const token = await signAccessToken(es256, stub.issuer, { claims: { exp: undefined } });
    await assert.rejects(verifier().verify(token), refusedWith('invalid_token', /exp/));
  });

  it('refuses tokens not valid yet or issued in the future beyond the tolerance', async () => {
    const v = verifier();
    await assert.rejects(
      v.verify(await signAccessToken(es256, stub.issuer, { claims: { nbf: now() + 60 } })),
      refusedWith('invalid_token', /not valid yet/),
    );
    await assert.rejects(
      v.verify(await signAccessToken(es256, stub.issuer, { claims: { iat: now() + 60 } })),
      refusedWith('invalid_token', /future/),
    );
    assert.equal((await v.verify(await signAccessToken(es256, stub.issuer, { claims: { nbf: now() + 3, iat: now() + 3 } }))).sub, 'user-1');
  });

  it('refuses a token for another audience and accepts one listing ours', async () => {
    const v = verifier();
    await assert.rejects(
      v.verify(await signAccessToken(es256, stub.issuer, { claims: { aud: 'https://other.test' } })),
      refusedWith('invalid_token', /not meant for this resource/),
    );
    const multi = await signAccessToken(es256, stub.issuer, { claims: { aud: ['https://other.test', AUDIENCE] } });
    assert.deepEqual((await v.verify(multi)).aud, ['https://other.test', AUDIENCE]);
    const listed = createVerifier({ issuer: stub.issuer, audience: ['https://a.test', AUDIENCE], jwksUri: stub.jwksUri });
    assert.equal((await listed.verify(await signAccessToken(es256, stub.issuer))).sub, 'user-1');
  });

  it('refuses a token from another issuer, compared exactly', async () => {
    const v = verifier();
    for (const iss of ['https://evil.test', `${stub.issuer}/`, stub.issuer.toUpperCase()]) {
      await assert.rejects(
        v.verify(await signAccessToken(es256, stub.issuer, { claims: { iss } })),
        refusedWith('invalid_token', /issuer/),
      );
    }
  });

  it('refuses alg none without fetching keys', async () => {
    const now_ = now();
    const payload = { iss: stub.issuer, aud: AUDIENCE, sub: 'user-1', client_id: 'client-1', jti: 'j', iat: now_, exp: now_ + 300 };
    const v = verifier();
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${b64json({ alg, typ: 'at+jwt' })}.${b64json(payload)}.`;
      await assert.rejects(v.verify(token), refusedWith('invalid_token', /algorithm is not allowed/));
    }
    assert.equal(stub.counts.jwks, 0);
  });

  it('refuses HS256 even when signed with a published symmetric key', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-that-is-32-bytes!');
    stub.keys = [...stub.keys, { kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'hs', alg: 'HS256' }];
    const token = await new SignJWT({ iss: stub.issuer, aud: AUDIENCE, sub: 'u', client_id: 'c', jti: 'j', iat: now(), exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'hs' })
      .sign(secret);
    await assert.rejects(verifier().verify(token), refusedWith('invalid_token', /algorithm is not allowed/));
  });

  it('refuses an algorithm outside the configured allow-list', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri, algorithms: ['ES256'] });
    await assert.rejects(v.verify(await signAccessToken(rs256, stub.issuer)), refusedWith('invalid_token', /algorithm/));
    assert.equal((await v.verify(await signAccessToken(es256, stub.issuer))).sub, 'user-1');
  });

  it('refuses to be configured with none or HMAC algorithms', () => {
    for (const algorithms of [['none'], ['HS256'], ['ES256', 'HS512'], []]) {
      assert.throws(() => createVerifier({ issuer: stub.issuer, audience: AUDIENCE, algorithms }), TypeError);
    }
  });

  it('refuses a tampered signature or payload', async () => {
    const v = verifier();
    const token = await signAccessToken(es256, stub.issuer);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    await assert.rejects(v.verify(`${header}.${payload}.${flipped}`), refusedWith('invalid_token', /signature is invalid/));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = b64json({ ...claims, scope: 'read write admin' });
    await assert.rejects(v.verify(`${header}.${forged}.${signature}`), refusedWith('invalid_token', /signature is invalid/));
  });

  it('refuses a token signed by a key the issuer does not publish under that kid', async () => {
    const impostor = await makeKey('ES256', 'es-1');
    await assert.rejects(
      verifier().verify(await signAccessToken(impostor, stub.issuer)),
      refusedWith('invalid_token', /signature is invalid/),
    );
  });

  it('refuses malformed and encrypted-looking tokens', async () => {
    const v = verifier();
    for (const token of ['abc', 'a.b.c', 'a.b.c.d.e', '', 'x'.repeat(20_000)]) {
      await assert.rejects(v.verify(token), refusedWith('invalid_token'));
    }
  });

  it('requires the RFC 9068 claims sub, client_id, iat and jti', async () => {
    const v = verifier();
    for (const claim of ['sub', 'client_id', 'iat', 'jti']) {
      const token = await signAccessToken(es256, stub.issuer, { claims: { [claim]: undefined } });
      await assert.rejects(v.verify(token), refusedWith('invalid_token'), claim);
    }
  });

  it('refuses a sender-constrained token presented as a bearer token', async () => {
    const token = await signAccessToken(es256, stub.issuer, { claims: { cnf: { jkt: 'abc' } } });
    await assert.rejects(verifier().verify(token), refusedWith('invalid_token', /bound to a key/));
  });

  it('checks scopes: all required scopes must be granted', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE, jwksUri: stub.jwksUri, scopes: ['read'] });
    assert.equal((await v.verify(await signAccessToken(es256, stub.issuer))).scope, 'read write');
    const token = await signAccessToken(es256, stub.issuer, { claims: { scope: 'read' } });
    await assert.rejects(v.verify(token, { scopes: ['read', 'admin'] }), (error: unknown) => {
      assert.ok(error instanceof ResourceServerError);
      assert.equal(error.code, 'insufficient_scope');
      assert.equal(error.status, 403);
      assert.equal(error.scope, 'read admin');
      assert.match(error.wwwAuthenticate('api'), /error="insufficient_scope", .*scope="read admin"$/);
      return true;
    });
    const noScope = await signAccessToken(es256, stub.issuer, { claims: { scope: undefined } });
    await assert.rejects(v.verify(noScope), refusedWith('insufficient_scope'));
    await assert.rejects(
      v.verify(await signAccessToken(es256, stub.issuer, { claims: { scope: 'reader' } })),
      refusedWith('insufficient_scope'),
    );
  });

  it('never puts token contents in the error description', async () => {
    const token = await signAccessToken(es256, stub.issuer, { claims: { aud: 'secret-audience-value', sub: 'secret-subject' } });
    const error = await verifier()
      .verify(token)
      .catch((e: unknown) => e);
    assert.ok(error instanceof ResourceServerError);
    for (const text of [error.description, error.message, error.wwwAuthenticate('r')]) {
      assert.doesNotMatch(text, /secret-|eyJ/);
    }
  });
});

describe('JWKS discovery (RFC 8414 §3)', () => {
  let stub: StubServer;
  let key: SigningKey;
  before(async () => {
    stub = await startStubServer();
    key = await makeKey('ES256', 'k1');
    stub.keys = [key.publicJwk];
  });
  after(() => stub.close());
  beforeEach(() => {
    stub.metadata = { oauth: true, openid: false };
    stub.counts = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
  });

  it('finds jwks_uri in oauth-authorization-server metadata once', async () => {
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE });
    await v.verify(await signAccessToken(key, stub.issuer));
    await v.verify(await signAccessToken(key, stub.issuer));
    assert.deepEqual(stub.counts, { oauthMetadata: 1, openidMetadata: 0, jwks: 1, introspection: 0 });
  });

  it('falls back to openid-configuration', async () => {
    stub.metadata = { oauth: false, openid: true };
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE });
    assert.equal((await v.verify(await signAccessToken(key, stub.issuer))).sub, 'user-1');
    assert.equal(stub.counts.oauthMetadata, 1);
    assert.equal(stub.counts.openidMetadata, 1);
  });

  it('refuses metadata that names another issuer, and retries discovery later', async () => {
    stub.metadata = { oauth: true, openid: false, issuer: 'https://evil.test' };
    const v = createVerifier({ issuer: stub.issuer, audience: AUDIENCE });
    const token = await signAccessToken(key, stub.issuer);
    const error = await v.verify(token).catch((e: unknown) => e);
    assert.ok(error instanceof Error && !(error instanceof ResourceServerError));
    assert.match(error.message, /another issuer/);
    stub.metadata = { oauth: true, openid: false };
    assert.equal((await v.verify(token)).sub, 'user-1');
    assert.equal(stub.counts.oauthMetadata, 2);
  });

  it('verifyAccessToken reuses one verifier, and its JWKS cache, per issuer', async () => {
    const options = { issuer: stub.issuer, audience: AUDIENCE, scopes: ['read'] };
    assert.equal((await verifyAccessToken(await signAccessToken(key, stub.issuer), options)).sub, 'user-1');
    assert.equal((await verifyAccessToken(await signAccessToken(key, stub.issuer), { ...options, scopes: [] })).sub, 'user-1');
    assert.equal(stub.counts.jwks, 1);
    assert.equal(stub.counts.oauthMetadata, 1);
    // Per-call options are not taken from an earlier call.
    const token = await signAccessToken(key, stub.issuer, { claims: { scope: 'write' } });
    await assert.rejects(verifyAccessToken(token, options), refusedWith('insufficient_scope'));
    await assert.rejects(
      verifyAccessToken(token, { ...options, scopes: [], audience: 'https://other.test' }),
      refusedWith('invalid_token'),
    );
    assert.equal((await verifyAccessToken(token, { issuer: stub.issuer, audience: AUDIENCE })).scope, 'write');
  });
});
