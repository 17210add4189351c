// The key ring across instances: a key created elsewhere is found on demand (rate limited), and an
// explicit reload always sees changes made before it was called.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { generateKeyRecord, loadKeyRing } from './keys.ts';
import { createSealer } from './seal.ts';

const sealer = createSealer('a test secret of at least 32 characters');

const NOW = 1_700_000_000;

/** A store shared by "instances", counting reads; `hold` keeps the next read pending until released. */
function sharedStore() {
  const keys: KeyRecord[] = [];
  let reads = 0;
  let gate: Promise<void> | undefined;
  const store: KeyStore = {
    async list() {
      reads++;
      const snapshot = keys.map((k) => ({ ...k }));
      if (gate) await gate;
      return snapshot;
    },
    async create(key) {
      keys.push(key);
      return true;
    },
    async retire() {},
    async activate() {},
    async reseal() {
      return false;
    },
  };
  return {
    store,
    reads: () => reads,
    hold() {
      let release = () => {};
      gate = new Promise<void>((r) => {
        release = () => {
          gate = undefined;
          r();
        };
      });
      return release;
    },
  };
}

describe('key ring reload', () => {
  test('an unknown kid reloads the ring once; more unknown kids within the interval do not query again', async () => {
    const s = sharedStore();
    await s.store.create(await generateKeyRecord('ES256', NOW, { sealer }));
    const ring = await loadKeyRing(s.store, () => NOW, { sealer, missReloadMs: 60_000 });
    assert.equal(s.reads(), 1);

    // Another instance rotates: this ring learns of the key when a token names it.
    const rotated = await generateKeyRecord('ES256', NOW, { sealer });
    await s.store.create(rotated);
    assert.equal(ring.verifying(rotated.kid), undefined);
    assert.equal((await ring.resolve(rotated.kid))?.kid, rotated.kid);
    assert.equal(s.reads(), 2);

    for (let i = 0; i < 20; i++) assert.equal(await ring.resolve(`made-up-${i}`), undefined);
    assert.equal(s.reads(), 2, 'made-up kids cost no further queries');
    // A known kid never queries.
    assert.ok(await ring.resolve(rotated.kid));
    assert.equal(s.reads(), 2);
  });

  test('reload() called during a load that began before a change still returns with the change', async () => {
    const s = sharedStore();
    await s.store.create(await generateKeyRecord('ES256', NOW - 10, { sealer }));
    const ring = await loadKeyRing(s.store, () => NOW, { sealer });
    const release = s.hold();
    const stale = ring.reload(); // reads the store now, before the new key exists
    const added = await generateKeyRecord('ES256', NOW, { sealer });
    await s.store.create(added);
    const fresh = ring.reload();
    const third = ring.reload(); // shares the queued load
    release();
    await Promise.all([stale, fresh, third]);
    assert.equal(ring.verifying(added.kid)?.kid, added.kid);
    assert.equal(ring.signing('ES256').kid, added.kid);
    assert.equal(s.reads(), 3, 'the initial load, the stale one, and one queued for both later callers');
  });
});
