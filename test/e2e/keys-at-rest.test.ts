// E2E: signing keys encrypted at rest and a database nobody else can read: file modes, no private key
// material in the SQLite file or its log, clear keys of older versions encrypted at the first start,
// clear start-up errors, and re-encryption under a new secret.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStorage } from '../../src/storage/open.ts';
import { SECRET_FILE_NAME } from '../../src/tokens/key-secret.ts';
import { generateKeyRecord } from '../../src/tokens/keys.ts';
import { createSealer } from '../../src/tokens/seal.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { runCli } from '../helpers/spawn.ts';

const root = mkdtempSync(join(tmpdir(), 'latchkey-at-rest-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SECRET = 'the secret this database is encrypted under!';
const mode = (path: string) => statSync(path).mode & 0o777;

/** The private `d` of every key the server holds (base64url), from its key ring. */
function privateParts(t: TestServer): string[] {
  const ring = t.server.deps.keys;
  return ring.jwks().keys.map((k) => {
    const d = ring.verifying(String(k.kid))?.key.export({ format: 'jwk' }).d;
    assert.ok(d, `the server holds the private part of ${k.kid}`);
    return d;
  });
}

/** The private parts found in the database file or its write-ahead log, as text or as raw bytes. */
function leaked(dbPath: string, parts: string[]): string[] {
  const files = [dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f));
  return parts.filter((d) => files.some((bytes) => bytes.includes(d) || bytes.includes(Buffer.from(d, 'base64url'))));
}

describe('a new SQLite database', () => {
  test('is 0600 with its -wal/-shm and secret in a 0700 directory whatever the umask, and holds no private key', async () => {
    const dataDir = join(root, 'fresh', 'data');
    const dbPath = join(dataDir, 'latchkey.db');
    const umask = process.umask(0);
    let t: TestServer;
    try {
      t = await startTestServer({ db: `sqlite:${dbPath}`, secret: undefined });
    } finally {
      process.umask(umask);
    }
    try {
      assert.equal(mode(join(root, 'fresh')), 0o700, 'directories it creates');
      assert.equal(mode(dataDir), 0o700);
      for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, join(dataDir, SECRET_FILE_NAME)]) assert.equal(mode(f), 0o600, f);
      const generated = t.logs.filter((l) => l.event === 'secret.generated');
      assert.equal(generated.length, 1, 'said once');
      assert.equal(generated[0]?.path, join(dataDir, SECRET_FILE_NAME));
      const secret = readFileSync(join(dataDir, SECRET_FILE_NAME), 'utf8').trim();
      assert.equal(JSON.stringify(t.logs).includes(secret), false, 'the secret is never logged');
      const parts = privateParts(t);
      assert.equal(parts.length, 2);
      assert.deepEqual(leaked(dbPath, parts), []);
    } finally {
      await t.close();
    }
  });

  test('an existing directory keeps its mode (it may be shared); the database in it is still 0600', async () => {
    const shared = join(root, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    const t = await startTestServer({ db: `sqlite:${join(shared, 'latchkey.db')}` });
    await t.close();
    assert.equal(mode(shared), 0o755);
    assert.equal(mode(join(shared, 'latchkey.db')), 0o600);
  });
});

describe('a database whose keys an older version stored in clear', () => {
  const dbPath = join(root, 'old', 'latchkey.db');
  const db = `sqlite:${dbPath}`;

  test('is encrypted at the first start with a secret, and the clear keys are gone from the file and its log', async () => {
    const storage = await openStorage(db);
    const sealer = createSealer('only used to produce the clear records here');
    const now = Math.floor(Date.now() / 1000) - 60;
    const clear: string[] = [];
    for (const alg of ['ES256', 'RS256'] as const) {
      const k = await generateKeyRecord(alg, now, { sealer, replaces: '' });
      const jwk = sealer.open(k.kid, k.privateJwk);
      clear.push(String((JSON.parse(jwk) as { d: string }).d));
      await storage.keys.create({ ...k, privateJwk: jwk });
    }
    await storage.close();
    assert.equal(leaked(dbPath, clear).length, 2, 'the old format leaves the private keys readable in the file');

    const t = await startTestServer({ db, secret: SECRET });
    try {
      assert.ok(t.logs.some((l) => l.event === 'key.sealed'));
      assert.deepEqual(privateParts(t).sort(), [...clear].sort(), 'the same keys, still signing');
      assert.equal((await fetch(`${t.url}/readyz`)).status, 200);
      assert.deepEqual(leaked(dbPath, clear), []);
    } finally {
      await t.close();
    }
    assert.deepEqual(leaked(dbPath, clear), []);
  });

  test('a wrong secret stops start-up with one line naming the setting, not a stack trace', async () => {
    const r = await runCli(['serve', '--db', db, '--port', '0', '--host', '127.0.0.1'], {
      env: { LATCHKEY_SECRET: 'not the secret this database is encrypted under' },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^latchkey: .*encrypted under the secret with id .*LATCHKEY_SECRET/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('start-up errors', () => {
  test('PostgreSQL without a secret stops before connecting, naming the setting and not the password', async () => {
    const r = await runCli(['serve', '--db', 'postgres://latchkey:S3cretPw@127.0.0.1:1/latchkey', '--port', '0'], {
      env: { LATCHKEY_SECRET: '', LATCHKEY_SECRET_FILE: '' },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"secret" is required with PostgreSQL.*LATCHKEY_SECRET/);
    assert.doesNotMatch(r.stderr, /S3cretPw/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

describe('latchkey keys re-encrypt', () => {
  test('moves every key to a new secret read from a file; the old secret no longer opens them; the server starts', async () => {
    const dataDir = join(root, 'reencrypt');
    const db = `sqlite:${join(dataDir, 'latchkey.db')}`;
    // Before the first start: the keys are created, and so is the data directory's secret.
    const rotated = await runCli(['keys', 'rotate', '--json'], { env: { LATCHKEY_DB: db } });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stderr, /generated the secret/);
    const secretFile = join(dataDir, SECRET_FILE_NAME);
    const old = readFileSync(secretFile, 'utf8').trim();
    assert.equal(rotated.stdout.includes(old) || rotated.stderr.includes(old), false, 'the secret is never printed');

    const newFile = join(root, 'new-secret');
    const next = 'the new secret, from a file, never on the command line';
    writeFileSync(newFile, `${next}\n`, { mode: 0o600 });
    const r = await runCli(['keys', 're-encrypt', '--new-secret-file', newFile, '--json'], { env: { LATCHKEY_DB: db } });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { secret_id: string; reencrypted: string[]; unchanged: string[] };
    assert.equal(out.reencrypted.length, 2);
    assert.equal(out.secret_id, createSealer(next).secretId);
    assert.equal(readFileSync(secretFile, 'utf8').trim(), next, 'the embedded default now reads the new secret');
    assert.equal(mode(secretFile), 0o600);
    const listed = JSON.parse((await runCli(['keys', 'list', '--json'], { env: { LATCHKEY_DB: db } })).stdout) as { secret_id: string }[];
    assert.deepEqual(
      listed.map((k) => k.secret_id),
      [out.secret_id, out.secret_id],
    );
    const again = JSON.parse(
      (await runCli(['keys', 're-encrypt', '--new-secret-file', newFile, '--json'], { env: { LATCHKEY_DB: db } })).stdout,
    ) as {
      unchanged: string[];
    };
    assert.equal(again.unchanged.length, 2, 'running it twice changes nothing');

    const withOld = await runCli(['serve', '--db', db, '--port', '0', '--host', '127.0.0.1'], { env: { LATCHKEY_SECRET: old } });
    assert.equal(withOld.code, 1);
    assert.match(withOld.stderr, /cannot|encrypted under/);

    // Keys rotated before the first start wait keys.prePublish to sign: start-up activates them instead.
    const t = await startTestServer({ db, secret: undefined });
    try {
      assert.equal((await fetch(`${t.url}/readyz`)).status, 200);
      assert.ok(t.logs.some((l) => l.event === 'key.activated'));
      assert.equal(
        t.logs.some((l) => l.event === 'secret.generated'),
        false,
      );
    } finally {
      await t.close();
    }
  });
});
