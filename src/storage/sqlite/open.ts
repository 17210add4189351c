// The embedded engine: SQLite through better-sqlite3, in WAL mode.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Database } from '../schema.ts';

/** Opens (creating when missing) the SQLite file at `path`, or an in-memory database for `:memory:`. */
export function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const conn = new Sqlite(path);
  conn.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives a process crash; only an OS crash can lose the last transactions.
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(conn) }) });
}

const STATEMENT_CACHE = 256;

/**
 * Kysely prepares every query anew; preparing costs more than running our small indexed queries.
 * The SQL text is the key (values are bound parameters), so the set of texts is small and fixed.
 * Safe because Latchkey never streams: better-sqlite3 refuses to reuse a statement mid-iteration.
 */
function cachingStatements(conn: Sqlite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => conn.close(),
    prepare(sql) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = conn.prepare(sql);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
