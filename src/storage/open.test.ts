// Opening a database: missing files, unreachable servers, newer schemas, and no password in any message.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { engineOf, openDatabase, openStorage } from './open.ts';
import { redactDatabaseUrl, redactPassword } from './redact.ts';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('redacting database URLs', () => {
  test('the password goes, user, host and database stay', () => {
    assert.equal(redactDatabaseUrl('postgres://postgres:S3cretPw@db.internal:5432/auth'), 'postgres://postgres:***@db.internal:5432/auth');
    assert.equal(redactDatabaseUrl('postgresql://u:p%40ss@h/d?sslmode=require'), 'postgresql://u:***@h/d?sslmode=require');
    assert.equal(redactDatabaseUrl('postgres://u:a@b@h/d'), 'postgres://u:***@h/d', 'a password with a raw @');
    assert.equal(redactDatabaseUrl('postgres://h/d?user=u&password=S3cret&x=1'), 'postgres://h/d?user=u&password=***&x=1');
    assert.equal(redactDatabaseUrl('postgres://u@h/d'), 'postgres://u@h/d');
    assert.equal(redactDatabaseUrl('sqlite:./data/latchkey.db'), 'sqlite:./data/latchkey.db');
  });

  test('redactPassword removes the password from any text, also percent-decoded', () => {
    const url = 'postgres://u:p%40ss%21@h/d';
    assert.equal(redactPassword('auth failed for p@ss! and p%40ss%21', url), 'auth failed for *** and ***');
  });

  test('an unknown URL is named without its password', () => {
    assert.throws(
      () => engineOf('mysql://root:S3cretPw@h/d'),
      (e: Error) => !e.message.includes('S3cretPw'),
    );
    assert.throws(
      () => engineOf('postgres+x://root:S3cretPw@h/d'),
      (e: Error) => !e.message.includes('S3cretPw') && /unknown database URL/.test(e.message),
    );
  });
});

describe('opening', () => {
  test('create: false refuses a SQLite file that does not exist, and creates nothing', async () => {
    const path = join(dir, 'typo', 'nested', 'latchkey.db');
    await assert.rejects(openStorage(`sqlite:${path}`, { create: false }), (e: Error) => {
      assert.equal(e.message, `the database ${path} does not exist (check --db or LATCHKEY_DB; \`latchkey migrate\` creates it)`);
      return true;
    });
    assert.equal(existsSync(join(dir, 'typo')), false, 'no directory was created');
    const created = await openStorage(`sqlite:${path}`);
    await created.close();
    const reopened = await openStorage(`sqlite:${path}`, { create: false });
    await reopened.close();
  });

  test('an unreachable PostgreSQL is named host:port/database, without the password', async () => {
    await assert.rejects(openStorage('postgres://postgres:S3cretPw@127.0.0.1:1/auth'), (e: Error) => {
      assert.match(e.message, /^cannot connect to the database at 127\.0\.0\.1:1\/auth: .*ECONNREFUSED/);
      assert.doesNotMatch(e.message, /S3cretPw|migration/);
      return true;
    });
  });

  test('a schema newer than this version says so', async () => {
    const url = `sqlite:${join(dir, 'newer.db')}`;
    const { db } = await openDatabase(url);
    await sql`INSERT INTO latchkey_migrations (name, timestamp) VALUES (${'9999-from-the-future'}, ${new Date().toISOString()})`.execute(
      db,
    );
    await db.destroy();
    await assert.rejects(
      openStorage(url),
      /^Error: the database schema is newer than this version of Latchkey \(it has migration 9999-from-the-future, unknown here\)/,
    );
  });

  test('a file that is not a database is named', async () => {
    await assert.rejects(openStorage(`sqlite:${dir}`), new RegExp(`^Error: cannot open the database ${dir}`));
  });
});
