// Rotation across instances: one key per due rotation however many instances run the schedule, keys
// published before they sign (even "immediately"), and a start-up that always ends with a signing key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveConfig } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import { ensureKeys, loadKeyRing, newestKid } from './keys.ts';
import { PUBLISH_DELAY_SECONDS, rotateIfDue, rotateKeys } from './rotate.ts';
import { createSealer } from './seal.ts';

const NOW = 1_700_000_000;
const sealer = createSealer('a test secret of at least 32 characters');
const config = resolveConfig({ accessTokenAlg: 'ES256', idTokenAlg: 'EdDSA', keys: { rotateAfter: 3600, prePublish: 600 } });

describe('rotation', () => {
  test('instances running the schedule in the same minute add one key per alg, not one each', async () => {
    const s = await openStorage('sqlite::memory:');
    try {
      await ensureKeys(s.keys, ['ES256', 'EdDSA'], NOW - 7200, sealer);
      const rotated = await Promise.all([1, 2, 3].map(() => rotateIfDue(s.keys, config, NOW, sealer)));
      assert.equal(rotated.flat().length, 2, 'one instance rotated each alg');
      assert.equal((await s.keys.list()).length, 4);
      assert.deepEqual(await rotateIfDue(s.keys, config, NOW + 60, sealer), [], 'no longer due');
    } finally {
      await s.close();
    }
  });

  test('--immediately publishes first: the key signs only after every instance has reloaded twice', async () => {
    const s = await openStorage('sqlite::memory:');
    try {
      await ensureKeys(s.keys, ['ES256'], NOW - 100, sealer);
      const [created] = await rotateKeys(s.keys, config, NOW, sealer, { immediately: true, algs: ['ES256'] });
      assert.equal(created?.activatesAt, NOW + PUBLISH_DELAY_SECONDS);
      assert.ok(PUBLISH_DELAY_SECONDS * 1000 >= 2 * 4000, 'two reload intervals at least');
      const during = await loadKeyRing(s.keys, () => NOW + PUBLISH_DELAY_SECONDS - 1, { sealer });
      assert.notEqual(during.signing('ES256').kid, created?.kid);
      const after = await loadKeyRing(s.keys, () => NOW + PUBLISH_DELAY_SECONDS, { sealer });
      assert.equal(after.signing('ES256').kid, created?.kid);
    } finally {
      await s.close();
    }
  });

  test('keys rotated before the first start: start-up activates the published key instead of waiting keys.prePublish', async () => {
    const s = await openStorage('sqlite::memory:');
    try {
      const created = await rotateKeys(s.keys, config, NOW, sealer);
      assert.deepEqual(
        created.map((k) => k.activatesAt),
        [NOW + 600, NOW + 600],
      );
      const done = await ensureKeys(s.keys, ['ES256', 'EdDSA'], NOW + 5, sealer);
      assert.deepEqual(done.activated.sort(), created.map((k) => k.kid).sort());
      assert.deepEqual(done.created, []);
      const ring = await loadKeyRing(s.keys, () => NOW + 5, { sealer });
      assert.equal(ring.signing('ES256').kid, created.find((k) => k.alg === 'ES256')?.kid);
      assert.equal(ring.signing('EdDSA').kid, created.find((k) => k.alg === 'EdDSA')?.kid);
      assert.equal((await s.keys.list()).length, 2, 'no extra key');
    } finally {
      await s.close();
    }
  });

  test('the error for a missing active key names what helps', async () => {
    const s = await openStorage('sqlite::memory:');
    try {
      const ring = await loadKeyRing(s.keys, () => NOW, { sealer });
      assert.throws(() => ring.signing('ES256'), /restart the server .*keys rotate --immediately/);
    } finally {
      await s.close();
    }
  });
});

test('keys made within one second follow each other: the newest is the end of the chain', () => {
  const base = {
    alg: 'ES256' as const,
    createdAt: 100,
    publicJwk: '{}',
    privateJwk: '{}',
    activatesAt: 100,
    retiresAt: null,
    expiresAt: null,
  };
  const keys = [
    { ...base, kid: 'second', replaces: 'first' },
    { ...base, kid: 'first', replaces: null },
    { ...base, kid: 'third', replaces: 'second' },
  ];
  assert.equal(newestKid(keys, 'ES256'), 'third');
  assert.equal(newestKid(keys, 'RS256'), '');
});
