import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { prepare, slotRow } from './prepared.ts';
import { runner, step } from './runner.ts';
import { openSqlite } from './sqlite/open.ts';

// The runner is typed for the real schema; these tests use one table of their own.
async function database() {
  const db = openSqlite(':memory:');
  await sql`CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`.execute(db);
  // biome-ignore lint/suspicious/noExplicitAny: a table outside the schema, for these tests only
  const any = db as any;
  const insert = prepare((s, row: { id: string; n: number }) => any.insertInto('items').values(slotRow(s, row)));
  const bump = prepare<never, { id: string }>((s) => any.updateTable('items').set({ n: sql`n + 1` }).where('id', '=', s('id')));
  const all = async () => (await sql<{ id: string; n: number }>`SELECT id, n FROM items ORDER BY id`.execute(db)).rows;
  return { db, run: runner(db), insert, bump, all };
}

describe('statements run directly on SQLite', () => {
  test('give the results kysely gives: rows, and the count of changed rows', async () => {
    const { db, run, insert, bump, all } = await database();
    const viaKysely = (await insert(db, { id: 'a', n: 1 })) as { numAffectedRows?: bigint };
    const direct = (await insert(run, { id: 'b', n: 1 })) as { numAffectedRows?: bigint };
    assert.equal(direct.numAffectedRows, viaKysely.numAffectedRows);
    assert.equal((await bump(run, { id: 'a' })).numAffectedRows, 1n);
    assert.equal((await bump(run, { id: 'zzz' })).numAffectedRows, 0n);
    assert.deepEqual(await all(), [
      { id: 'a', n: 2 },
      { id: 'b', n: 1 },
    ]);
    await assert.rejects(insert(run, { id: 'a', n: 9 }), /UNIQUE constraint failed/);
    await db.destroy();
  });

  test('a transaction commits every step, or none when the body throws', async () => {
    const { db, run, insert, all } = await database();
    const written = await run.transaction(function* () {
      yield* step(insert.with({ id: 'a', n: 1 }));
      const r = yield* step(insert.with({ id: 'b', n: 2 }));
      return r.numAffectedRows;
    });
    assert.equal(written, 1n);
    await assert.rejects(
      run.transaction(function* () {
        yield* step(insert.with({ id: 'c', n: 3 }));
        yield* step(insert.with({ id: 'a', n: 4 }));
      }),
      /UNIQUE constraint failed/,
    );
    await assert.rejects(
      run.transaction(function* () {
        yield* step(insert.with({ id: 'd', n: 3 }));
        throw new Error('stop');
      }),
      /stop/,
    );
    assert.deepEqual(
      (await all()).map((r) => r.id),
      ['a', 'b'],
    );
    await db.destroy();
  });

  test('never join an open kysely transaction: they wait for it, and survive its rollback', async () => {
    const { db, run, insert, all } = await database();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened: () => void = () => {};
    const isOpen = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const kyselyTrx = db
      .transaction()
      .execute(async (trx) => {
        await insert(trx, { id: 'k', n: 1 });
        opened();
        await held;
        throw new Error('rolled back');
      })
      .catch((e: Error) => e.message);
    await isOpen;
    // Both are asked for while the kysely transaction is open between its statements.
    const single = insert(run, { id: 'single', n: 1 });
    const inTrx = run.transaction(function* () {
      yield* step(insert.with({ id: 'trx', n: 1 }));
    });
    release();
    assert.equal(await kyselyTrx, 'rolled back');
    await Promise.all([single, inTrx]);
    assert.deepEqual(
      (await all()).map((r) => r.id),
      ['single', 'trx'],
    );
    await db.destroy();
  });
});
