import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { prepare, slotRow } from './prepared.ts';

interface Db {
  items: { id: string; owner: string; n: number; note: string | null };
}

function database(): Kysely<Db> {
  const conn = new Sqlite(':memory:');
  conn.exec('CREATE TABLE items (id TEXT PRIMARY KEY, owner TEXT NOT NULL, n INTEGER NOT NULL, note TEXT)');
  return new Kysely<Db>({ dialect: new SqliteDialect({ database: conn }) });
}

describe('prepared statements', () => {
  test('run with new values each time, constants as compiled, the same rows as the kysely query', async () => {
    const db = database();
    const insert = prepare((s, row: Db['items']) => db.insertInto('items').values(slotRow(s, row)));
    await insert(db, { id: 'a', owner: 'ann', n: 1, note: null });
    await insert(db, { id: 'b', owner: 'ann', n: 5, note: 'x' });
    await insert(db, { id: 'c', owner: 'bob', n: 9, note: null });
    const above = prepare<Db['items'], { owner: string; min: number }>((s) =>
      db.selectFrom('items').selectAll().where('owner', '=', s('owner')).where('n', '>', s('min')).where('note', 'is', null).orderBy('id'),
    );
    assert.deepEqual((await above(db, { owner: 'ann', min: 0 })).rows, [{ id: 'a', owner: 'ann', n: 1, note: null }]);
    assert.deepEqual((await above(db, { owner: 'bob', min: 2 })).rows, [{ id: 'c', owner: 'bob', n: 9, note: null }]);
    assert.deepEqual((await above(db, { owner: 'bob', min: 9 })).rows, []);
    const direct = await db
      .selectFrom('items')
      .selectAll()
      .where('owner', '=', 'ann')
      .where('n', '>', 0)
      .where('note', 'is', null)
      .orderBy('id')
      .execute();
    assert.deepEqual((await above(db, { owner: 'ann', min: 0 })).rows, direct);
    await db.destroy();
  });

  test('an update reports the rows it changed, and runs inside a transaction', async () => {
    const db = database();
    await db.insertInto('items').values({ id: 'a', owner: 'ann', n: 1, note: null }).execute();
    const bump = prepare<never, { id: string; n: number }>((s) =>
      db
        .updateTable('items')
        .set({ n: s('n') })
        .where('id', '=', s('id'))
        .where('note', 'is', null),
    );
    const changed = await db.transaction().execute((trx) => bump(trx, { id: 'a', n: 2 }));
    assert.equal(Number(changed.numAffectedRows), 1);
    assert.equal(Number((await bump(db, { id: 'zzz', n: 3 })).numAffectedRows), 0);
    assert.equal((await db.selectFrom('items').select('n').where('id', '=', 'a').executeTakeFirstOrThrow()).n, 2);
    await db.destroy();
  });

  test('a missing value is a programming error, not a silent NULL', async () => {
    const db = database();
    const find = prepare<Db['items'], { id: string }>((s) => db.selectFrom('items').selectAll().where('id', '=', s('id')));
    await find(db, { id: 'a' });
    await assert.rejects(async () => find(db, {} as { id: string }), /no value for "id"/);
    await db.destroy();
  });
});
