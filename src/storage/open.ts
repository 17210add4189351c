// Chooses the engine from the database URL and applies the migrations.
import { migrateToLatest } from './migrate.ts';
import { sqlStores } from './sql-stores.ts';
import { openSqlite } from './sqlite/open.ts';
import type { Storage } from './types.ts';

/** Opens `sqlite:PATH` (or `sqlite::memory:`) and migrates it to the latest schema. */
export async function openStorage(url: string): Promise<Storage> {
  if (url.startsWith('sqlite:')) {
    const db = openSqlite(url.slice('sqlite:'.length) || ':memory:');
    await migrateToLatest(db);
    return sqlStores(db, 'sqlite');
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error('the PostgreSQL engine is not available yet: use LATCHKEY_DB=sqlite:PATH');
  }
  throw new Error(`unknown database URL "${url}": use sqlite:PATH`);
}
