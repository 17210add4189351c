import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/types.ts';
import { signJwt, signJwtAsync } from './jws.ts';
import { generateKeyRecord, type KeyRing, loadKeyRing, type SigningAlg } from './keys.ts';
import { createSealer } from './seal.ts';

const sealer = createSealer('a test secret of at least 32 characters');

const NOW = 1_700_000_000;
const clock = () => NOW;
const ALGS: SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

let storage: Storage;
let ring: KeyRing;

before(async () => {
  const [opened, records] = await Promise.all([
    openStorage('sqlite::memory:'),
    Promise.all(ALGS.map((alg) => generateKeyRecord(alg, NOW - 10, { sealer }))),
  ]);
  storage = opened;
  for (const record of records) await storage.keys.create(record);
  ring = await loadKeyRing(storage.keys, clock, { sealer });
});

after(async () => {
  await storage.close();
});

describe('signJwt', () => {
  for (const alg of ALGS) {
    test(`${alg}: the signature verifies against the published JWK Set`, async () => {
      const key = ring.signing(alg);
      const payload = { iss: 'https://as.example', sub: 'u1', n: 1, s: 'é ✓', nested: { a: [1, 2] } };
      const jwt = signJwt(payload, key, 'at+jwt');
      const { payload: verified, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(ring.jwks()), {
        algorithms: [alg],
        typ: 'at+jwt',
      });
      assert.deepEqual(verified, payload);
      assert.deepEqual(protectedHeader, { alg, typ: 'at+jwt', kid: key.kid });
    });

    test(`${alg}: the header carries alg, typ and kid exactly`, () => {
      const key = ring.signing(alg);
      const header = decodeProtectedHeader(signJwt({}, key, 'JWT'));
      assert.deepEqual(header, { alg, typ: 'JWT', kid: key.kid });
    });

    test(`${alg}: a changed payload does not verify`, async () => {
      const key = ring.signing(alg);
      const [h, , s] = signJwt({ sub: 'alice' }, key, 'JWT').split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'mallory' })).toString('base64url')}.${s}`;
      await assert.rejects(jwtVerify(forged, createLocalJWKSet(ring.jwks())), errors.JWSSignatureVerificationFailed);
    });
  }

  for (const alg of ALGS) {
    test(`${alg}: signJwtAsync gives a token that verifies, with the same header and payload`, async () => {
      const key = ring.signing(alg);
      const payload = { iss: 'https://as.example', sub: 'u2', s: 'é ✓' };
      const jwt = await signJwtAsync(payload, key, 'JWT');
      const { payload: verified, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(ring.jwks()), {
        algorithms: [alg],
        typ: 'JWT',
      });
      assert.deepEqual(verified, payload);
      assert.deepEqual(protectedHeader, { alg, typ: 'JWT', kid: key.kid });
      // RSASSA-PKCS1-v1_5 and Ed25519 are deterministic: the pool's signature is the same bytes.
      if (alg !== 'ES256') assert.equal(jwt, signJwt(payload, key, 'JWT'));
    });
  }

  test('ES256 signatures are R || S (64 bytes), not DER (RFC 7518 §3.4)', () => {
    const sig = signJwt({ a: 1 }, ring.signing('ES256'), 'JWT').split('.')[2] ?? '';
    assert.equal(Buffer.from(sig, 'base64url').length, 64);
  });

  test('the output is three base64url segments without padding', () => {
    for (const alg of ALGS) {
      const parts = signJwt({ a: '?>~' }, ring.signing(alg), 'JWT').split('.');
      assert.equal(parts.length, 3);
      for (const p of parts) assert.match(p, /^[A-Za-z0-9_-]+$/);
    }
  });
});

describe('key ring', () => {
  test('publishes one public key per alg, with kid, alg and use, and no private parts', () => {
    const { keys } = ring.jwks();
    assert.equal(keys.length, ALGS.length);
    for (const alg of ALGS) {
      const jwk = keys.find((k) => k.alg === alg);
      assert.ok(jwk, alg);
      assert.equal(jwk.kid, ring.signing(alg).kid);
      assert.equal(jwk.use, 'sig');
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(priv in jwk, false, `${alg} ${priv}`);
    }
  });

  test('verifying(kid) returns the key that signed', () => {
    for (const alg of ALGS) {
      const key = ring.signing(alg);
      assert.equal(ring.verifying(key.kid)?.alg, alg);
    }
    assert.equal(ring.verifying('unknown'), undefined);
  });

  test('a token signed with one key does not verify under another key of the same alg', async () => {
    const s = await openStorage('sqlite::memory:');
    try {
      await s.keys.create(await generateKeyRecord('ES256', NOW - 10, { sealer }));
      const other = await loadKeyRing(s.keys, clock, { sealer });
      const jwt = signJwt({ sub: 'x' }, other.signing('ES256'), 'JWT');
      await assert.rejects(jwtVerify(jwt, createLocalJWKSet(ring.jwks())), errors.JWKSNoMatchingKey);
    } finally {
      await s.close();
    }
  });
});
