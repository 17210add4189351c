// The storage contract on PostgreSQL (a new database per suite and per fresh() call, in the run's
// cluster), and start-up migrations of several instances at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { openDatabase, openStorage } from '../../src/storage/open.ts';
import type { Database } from '../../src/storage/schema.ts';
import { sqlStores } from '../../src/storage/sql-stores.ts';
import type { GrantRecord, Storage } from '../../src/storage/types.ts';
import { createTestDatabase, pgSkip } from '../helpers/postgres.ts';
import { storageContract } from './contract.ts';
import { code, grant } from './fixtures.ts';

storageContract({ name: 'postgres', create: createTestDatabase, skip: pgSkip });

describe('postgres migrations', { skip: pgSkip }, () => {
  test('four instances starting at once on an empty database migrate it exactly once', async () => {
    const t = await createTestDatabase();
    try {
      const opened = await Promise.all(Array.from({ length: 4 }, () => openStorage(t.url)));
      await Promise.all(opened.map((s) => s.close()));
      const { db } = await openDatabase(t.url);
      try {
        const rows = await db
          .selectFrom('latchkey_migrations' as never)
          .select(['name' as never])
          .execute();
        const names = (rows as { name: string }[]).map((r) => r.name);
        assert.ok(names.length >= 3, names.join());
        assert.equal(new Set(names).size, names.length, 'each migration recorded once');
        assert.deepEqual(names, [...names].sort());
      } finally {
        await db.destroy();
      }
    } finally {
      await t.drop();
    }
  });

  test('an unreachable server is an error naming the problem, not a hang', async () => {
    await assert.rejects(openStorage('postgres://postgres@127.0.0.1:1/none'), /ECONNREFUSED|connect/);
  });
});

describe('postgres named statements', { skip: pgSkip }, () => {
  /** A new database with one stored grant, the stores over it, and its query builder for raw SQL. */
  async function withGrant(body: (db: Kysely<Database>, storage: Storage, g: GrantRecord) => Promise<void>): Promise<void> {
    const t = await createTestDatabase();
    const { db } = await openDatabase(t.url);
    try {
      const storage = sqlStores(db, 'postgres');
      const g = grant();
      await storage.codes.createWithGrant(g, code(g.id));
      await body(db, storage, g);
    } finally {
      await db.destroy();
      await t.drop();
    }
  }

  test('a column added under a prepared statement (a rolling migration) does not break it', () =>
    withGrant(async (db, storage, g) => {
      // Every connection of the pool prepares the grant read (SELECT *) ...
      await Promise.all(Array.from({ length: 12 }, () => storage.grants.get(g.id)));
      // ... and then the table gets a column, as a newer instance's migration would do.
      await sql`ALTER TABLE grants ADD COLUMN later_column text`.execute(db);
      const after = await Promise.all(Array.from({ length: 12 }, () => storage.grants.get(g.id)));
      for (const read of after) assert.deepEqual(read, g);
    }));

  test('a server that forgot the prepared statements (a pooler in transaction mode) is answered unnamed', () =>
    withGrant(async (db, storage, g) => {
      // One after the other, so that the pool hands out the same connection each time.
      assert.deepEqual(await storage.grants.get(g.id), g);
      await sql`DEALLOCATE ALL`.execute(db);
      assert.deepEqual(await storage.grants.get(g.id), g);
      assert.deepEqual(await storage.grants.get(g.id), g);
    }));
});
