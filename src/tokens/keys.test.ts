import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import type { KeyRecord, Storage } from '../storage/types.ts';
import { ensureKeys, generateKeyRecord, loadKeyRing } from './keys.ts';
import { rotateKeys } from './rotate.ts';
import { createSealer } from './seal.ts';

const sealer = createSealer('a test secret of at least 32 characters');

const NOW = 1_700_000_000;

let storage: Storage;

before(async () => {
  storage = await openStorage('sqlite::memory:');
});

after(async () => {
  await storage.close();
});

/** A fresh in-memory store per test, so that the key sets do not mix. */
async function withStore(fn: (s: Storage) => Promise<void>): Promise<void> {
  const s = await openStorage('sqlite::memory:');
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe('generateKeyRecord', () => {
  test('uses the RFC 7638 thumbprint as kid and keeps private parts out of the public JWK', async () => {
    const record = await generateKeyRecord('ES256', NOW, { sealer });
    const pub = JSON.parse(record.publicJwk) as Record<string, unknown>;
    const priv = JSON.parse(sealer.open(record.kid, record.privateJwk)) as Record<string, unknown>;
    assert.doesNotMatch(record.privateJwk, new RegExp(String(priv.d)), 'the stored private key is sealed');
    assert.match(record.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      { kid: pub.kid, alg: pub.alg, use: pub.use, kty: pub.kty, crv: pub.crv },
      {
        kid: record.kid,
        alg: 'ES256',
        use: 'sig',
        kty: 'EC',
        crv: 'P-256',
      },
    );
    assert.equal('d' in pub, false);
    assert.equal(typeof priv.d, 'string');
    assert.deepEqual(
      { createdAt: record.createdAt, activatesAt: record.activatesAt, retiresAt: record.retiresAt, expiresAt: record.expiresAt },
      { createdAt: NOW, activatesAt: NOW, retiresAt: null, expiresAt: null },
    );
  });

  test('two keys get different kids; activatesAt can be later than now', async () => {
    const a = await generateKeyRecord('EdDSA', NOW, { sealer });
    const b = await generateKeyRecord('EdDSA', NOW, { sealer, activatesAt: NOW + 60 });
    assert.notEqual(a.kid, b.kid);
    assert.equal(b.activatesAt, NOW + 60);
    assert.equal((JSON.parse(a.publicJwk) as { crv: string }).crv, 'Ed25519');
  });
});

describe('loadKeyRing', () => {
  test('signs with the newest active key; publishes keys not yet active', async () => {
    await withStore(async (s) => {
      const old = await generateKeyRecord('ES256', NOW - 1000, { sealer, activatesAt: NOW - 1000 });
      const current = await generateKeyRecord('ES256', NOW - 10, { sealer, activatesAt: NOW - 10 });
      const next = await generateKeyRecord('ES256', NOW, { sealer, activatesAt: NOW + 100 });
      for (const k of [old, current, next]) await s.keys.create(k);
      let t = NOW;
      const ring = await loadKeyRing(s.keys, () => t, { sealer });
      assert.equal(ring.signing('ES256').kid, current.kid);
      assert.deepEqual(
        ring
          .jwks()
          .keys.map((k) => k.kid)
          .sort(),
        [old.kid, current.kid, next.kid].sort(),
      );
      t = NOW + 100;
      assert.equal(ring.signing('ES256').kid, next.kid);
    });
  });

  test('a retired key stops signing but stays published until it expires', async () => {
    await withStore(async (s) => {
      const a = await generateKeyRecord('ES256', NOW - 100, { sealer });
      await s.keys.create(a);
      let t = NOW;
      const ring = await loadKeyRing(s.keys, () => t, { sealer });
      await s.keys.retire(a.kid, NOW + 10, NOW + 20);
      await ring.reload();
      assert.equal(ring.signing('ES256').kid, a.kid);
      t = NOW + 10;
      assert.throws(() => ring.signing('ES256'), /no active ES256 signing key/);
      assert.equal(ring.verifying(a.kid)?.kid, a.kid);
      t = NOW + 20;
      await ring.reload();
      assert.equal(ring.verifying(a.kid), undefined);
      assert.deepEqual(ring.jwks().keys, []);
    });
  });

  test('throws for an alg without a key', async () => {
    await withStore(async (s) => {
      await s.keys.create(await generateKeyRecord('ES256', NOW, { sealer }));
      const ring = await loadKeyRing(s.keys, () => NOW, { sealer });
      assert.throws(() => ring.signing('EdDSA'), /no active EdDSA signing key/);
    });
  });
});

describe('ensureKeys and rotateKeys', () => {
  test('ensureKeys creates a key per missing alg, once', async () => {
    await ensureKeys(storage.keys, ['ES256', 'EdDSA', 'ES256'], NOW, sealer);
    const first = await storage.keys.list();
    assert.deepEqual(first.map((k) => k.alg).sort(), ['ES256', 'EdDSA']);
    await ensureKeys(storage.keys, ['ES256', 'EdDSA'], NOW + 1, sealer);
    assert.deepEqual(
      (await storage.keys.list()).map((k) => k.kid),
      first.map((k) => k.kid),
    );
  });

  test('rotateKeys publishes a key per configured alg that signs after keys.prePublish, retiring the old ones then', async () => {
    await withStore(async (s) => {
      const config = resolveConfig({ accessTokenAlg: 'ES256', idTokenAlg: 'EdDSA', keys: { prePublish: 600 } });
      await ensureKeys(s.keys, ['ES256', 'EdDSA'], NOW - 100, sealer);
      const before: KeyRecord[] = await s.keys.list();
      const created = await rotateKeys(s.keys, config, NOW, sealer);
      for (const k of created) assert.equal(k.activatesAt, NOW + 600);
      const early = await loadKeyRing(s.keys, () => NOW + 599, { sealer });
      assert.equal(early.signing('ES256').kid, before.find((k) => k.alg === 'ES256')?.kid, 'the old key signs until the new one activates');
      assert.equal(early.jwks().keys.length, 4, 'the new keys are published at once');
      assert.deepEqual(created.map((k) => k.alg).sort(), ['ES256', 'EdDSA']);
      const all = await s.keys.list();
      assert.equal(all.length, 4);
      const longest = Math.max(config.ttl.accessToken, config.ttl.idToken);
      for (const old of before) {
        const k = all.find((x) => x.kid === old.kid);
        assert.equal(k?.retiresAt, NOW + 600);
        assert.ok((k?.expiresAt ?? 0) >= NOW + 600 + longest, 'published at least as long as the tokens it signed live');
      }
      const ring = await loadKeyRing(s.keys, () => NOW + 600, { sealer });
      assert.equal(ring.signing('ES256').kid, created.find((k) => k.alg === 'ES256')?.kid);
      assert.equal(ring.jwks().keys.length, 4);
    });
  });
});
