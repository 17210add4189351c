// Chooses the engine from the database URL and applies the migrations.
import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { MigrationError, migrateToLatest } from './migrate.ts';
import { redactDatabaseUrl, redactPassword } from './redact.ts';
import type { Database } from './schema.ts';
import { sqlStores } from './sql-stores.ts';
import { openSqlite } from './sqlite/open.ts';
import type { Storage } from './types.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The engine a database URL names, or an error that says which URLs are understood. */
export function engineOf(url: string): Storage['engine'] {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (POSTGRES_URL.test(url)) return 'postgres';
  throw new Error(`unknown database URL "${redactDatabaseUrl(url)}": use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
}

export interface OpenOptions {
  /**
   * Whether a missing SQLite file (and its directory) is created; default true. Commands that only
   * read or change existing records pass false, so that a mistyped path is an error, not a new database.
   */
  create?: boolean;
}

/** HOST:PORT/DATABASE of a PostgreSQL URL, without user or password. */
function postgresTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return redactDatabaseUrl(url);
  }
}

/**
 * Connects to the database without migrating it (tools and tests of the migrations). PostgreSQL
 * connects lazily: an unreachable server shows at the first query.
 */
export async function connectDatabase(url: string, options: OpenOptions = {}): Promise<Kysely<Database>> {
  const engine = engineOf(url);
  if (engine === 'sqlite') {
    const path = url.slice('sqlite:'.length) || ':memory:';
    if (options.create === false && path !== ':memory:' && !existsSync(path)) {
      throw new Error(`the database ${path} does not exist (check --db or LATCHKEY_DB; \`latchkey migrate\` creates it)`);
    }
    try {
      return openSqlite(path);
    } catch (e) {
      throw new Error(`cannot open the database ${path}: ${(e as Error).message}`);
    }
  }
  // pg is loaded only when asked for, so an SQLite-only install need not have it.
  const { openPostgres } = await import('./postgres/open.ts').catch((e: unknown) => {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Error('PostgreSQL needs the pg package: npm install pg');
    throw e;
  });
  return openPostgres(url);
}

/**
 * Opens the database and migrates it to the latest schema, returning the query builder itself (for
 * tools and tests that need SQL the stores do not offer). Several processes may do this at once:
 * on PostgreSQL the migrator holds an advisory lock, so the migrations run exactly once. Errors say
 * what failed, never with the database password.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<{ db: Kysely<Database>; engine: Storage['engine'] }> {
  const engine = engineOf(url);
  const db = await connectDatabase(url, options);
  try {
    await migrateToLatest(db);
  } catch (e) {
    await db.destroy();
    if (e instanceof MigrationError && e.kind === 'access') {
      const where =
        engine === 'sqlite' ? `open the database ${url.slice('sqlite:'.length)}` : `connect to the database at ${postgresTarget(url)}`;
      throw new Error(redactPassword(`cannot ${where}: ${e.message}`, url));
    }
    throw new Error(redactPassword((e as Error).message, url));
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
export async function openStorage(url: string, options: OpenOptions = {}): Promise<Storage> {
  const { db, engine } = await openDatabase(url, options);
  return sqlStores(db, engine);
}
