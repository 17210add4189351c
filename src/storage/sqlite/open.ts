// The embedded engine: SQLite through better-sqlite3, in WAL mode.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
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
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
}
