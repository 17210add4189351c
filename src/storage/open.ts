// Chooses the engine from the database URL and applies the migrations.
import type { Kysely } from 'kysely';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import { sqlStores } from './sql-stores.ts';
import { openSqlite } from './sqlite/open.ts';
import type { Storage } from './types.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The engine a database URL names, or an error that says which URLs are understood. */
export function engineOf(url: string): Storage['engine'] {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (POSTGRES_URL.test(url)) return 'postgres';
  throw new Error(`unknown database URL "${url}": use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
}

/**
 * Opens the database and migrates it to the latest schema, returning the query builder itself (for
 * tools and tests that need SQL the stores do not offer). Several processes may do this at once:
 * on PostgreSQL the migrator holds an advisory lock, so the migrations run exactly once.
 */
export async function openDatabase(url: string): Promise<{ db: Kysely<Database>; engine: Storage['engine'] }> {
  const engine = engineOf(url);
  let db: Kysely<Database>;
  if (engine === 'sqlite') {
    db = openSqlite(url.slice('sqlite:'.length) || ':memory:');
  } else {
    // pg is loaded only when asked for, so an SQLite-only install need not have it.
    const { openPostgres } = await import('./postgres/open.ts').catch((e: unknown) => {
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Error('PostgreSQL needs the pg package: npm install pg');
      throw e;
    });
    db = openPostgres(url);
  }
  try {
    await migrateToLatest(db);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, engine };
}

/**
 * Opens `sqlite:PATH` (or `sqlite::memory:`) or `postgres://…` and migrates it to the latest schema
 * (several instances may do this at once). Give it to the server with `ServerOptions.storage` to share
 * it with your own calls, such as {@link registerClient}; close it yourself afterwards.
 *
 * @example
 * ```ts
 * import { openStorage, startServer } from 'latchkey';
 *
 * const storage = await openStorage('postgres://latchkey:secret@127.0.0.1:5432/latchkey');
 * const server = await startServer({ port: 9000 }, { storage });
 * ```
 */
export async function openStorage(url: string): Promise<Storage> {
  const { db, engine } = await openDatabase(url);
  return sqlStores(db, engine);
}
