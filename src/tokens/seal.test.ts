// Private keys at rest: sealing, the secret's sources, and re-encryption under a new secret.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import { generateSecret, resolveSecret, SECRET_FILE_NAME } from './key-secret.ts';
import { ensureKeys, generateKeyRecord, loadKeyRing } from './keys.ts';
import { reencryptKeys } from './reencrypt.ts';
import { createSealer, isClear, sealedUnder } from './seal.ts';

const NOW = 1_700_000_000;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-seal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A = 'secret A, long enough to be accepted here';
const B = 'secret B, long enough to be accepted here';

describe('createSealer', () => {
  test('seals with AES-256-GCM bound to the kid; opens what it sealed', () => {
    const s = createSealer(A);
    const sealed = s.seal('kid-1', '{"d":"private-part"}');
    assert.equal(isClear(sealed), false);
    assert.equal(sealedUnder(sealed), s.secretId);
    assert.doesNotMatch(sealed, /private-part/);
    assert.notEqual(s.seal('kid-1', '{"d":"private-part"}'), sealed, 'a fresh IV each time');
    assert.equal(s.open('kid-1', sealed), '{"d":"private-part"}');
    assert.throws(() => s.open('kid-2', sealed), /altered/, 'moved to another row');
    const parts = sealed.split('.');
    parts[3] = `${parts[3]?.slice(0, -2)}AA`;
    assert.throws(() => s.open('kid-1', parts.join('.')), /altered/);
  });

  test('a value sealed under another secret is a ConfigError naming both secret ids', () => {
    const sealed = createSealer(B).seal('kid', 'x');
    const a = createSealer(A);
    assert.throws(
      () => a.open('kid', sealed),
      (e: unknown) => e instanceof ConfigError && e.message.includes(a.secretId) && e.message.includes(createSealer(B).secretId),
    );
    assert.equal(createSealer(A, B).open('kid', sealed), 'x', 'several secrets are recognised by their id');
  });
});

describe('resolveSecret', () => {
  test('generates the embedded default once, 0600, in the data directory; reads it afterwards', () => {
    // The database's directory exists by then: the secret is resolved after the database is opened.
    const sub = join(dir, 'data');
    mkdirSync(sub);
    const path = join(sub, SECRET_FILE_NAME);
    const first = resolveSecret({ db: `sqlite:${join(sub, 'latchkey.db')}` });
    assert.equal(first.source, 'generated');
    assert.equal(first.path, path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8').trim(), first.secret);
    const again = resolveSecret({ db: `sqlite:${join(sub, 'latchkey.db')}` });
    assert.deepEqual(again, { secret: first.secret, source: 'data-directory', path });
  });

  test('the configured secret or file wins; PostgreSQL without one, both at once, or a short one are ConfigErrors', () => {
    assert.equal(resolveSecret({ db: 'postgres://h/db', secret: A }).secret, A);
    const file = join(dir, 'secret-file');
    writeFileSync(file, `${B}\n`);
    assert.deepEqual(resolveSecret({ db: 'postgres://h/db', secretFile: file }), { secret: B, source: 'file', path: file });
    assert.throws(
      () => resolveSecret({ db: 'postgres://h/db' }),
      (e: unknown) => e instanceof ConfigError && /LATCHKEY_SECRET/.test(e.message),
    );
    assert.throws(() => resolveSecret({ db: 'postgres://h/db', secret: A, secretFile: file }), ConfigError);
    assert.throws(() => resolveSecret({ db: 'sqlite::memory:', secret: 'short' }), /shorter than 32/);
    assert.throws(() => resolveSecret({ db: 'sqlite::memory:', secretFile: join(dir, 'missing') }), /secretFile.*missing.*ENOENT/);
    assert.equal(resolveSecret({ db: 'sqlite::memory:' }).source, 'memory');
    assert.equal(generateSecret().length, 43);
  });
});

describe('keys at rest', () => {
  test('ensureKeys seals keys stored in clear; the ring still signs with them', async () => {
    const storage = await openStorage('sqlite::memory:');
    try {
      const sealer = createSealer(A);
      const record = await generateKeyRecord('ES256', NOW - 10, { sealer });
      const clear = sealer.open(record.kid, record.privateJwk);
      await storage.keys.create({ ...record, privateJwk: clear });
      const done = await ensureKeys(storage.keys, ['ES256'], NOW, sealer);
      assert.deepEqual(done.sealed, [record.kid]);
      const stored = (await storage.keys.list())[0]?.privateJwk ?? '';
      assert.equal(sealedUnder(stored), sealer.secretId);
      assert.equal((await loadKeyRing(storage.keys, () => NOW, { sealer })).signing('ES256').kid, record.kid);
    } finally {
      await storage.close();
    }
  });

  test('reencryptKeys moves every key to the new secret, is idempotent, and changes nothing on an unknown key', async () => {
    const storage = await openStorage('sqlite::memory:');
    try {
      const a = createSealer(A);
      const b = createSealer(B);
      for (const alg of ['ES256', 'RS256'] as const) await storage.keys.create(await generateKeyRecord(alg, NOW, { sealer: a }));
      const result = await reencryptKeys(storage.keys, a, b);
      assert.equal(result.reencrypted.length, 2);
      for (const k of await storage.keys.list()) assert.equal(sealedUnder(k.privateJwk), b.secretId);
      assert.deepEqual((await reencryptKeys(storage.keys, a, b)).unchanged.length, 2);
      await loadKeyRing(storage.keys, () => NOW, { sealer: b });
      await assert.rejects(
        loadKeyRing(storage.keys, () => NOW, { sealer: a }),
        ConfigError,
      );

      const c = createSealer('secret C, long enough to be accepted here');
      await storage.keys.create(await generateKeyRecord('EdDSA', NOW, { sealer: c }));
      const before = await storage.keys.list();
      await assert.rejects(reencryptKeys(storage.keys, b, a), ConfigError);
      assert.deepEqual(await storage.keys.list(), before, 'nothing written');
    } finally {
      await storage.close();
    }
  });
});
