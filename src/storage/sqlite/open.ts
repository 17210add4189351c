// The embedded engine: SQLite through better-sqlite3, in WAL mode.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type CompiledQuery, Kysely, type QueryResult, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Database } from '../schema.ts';

/** Opens (creating when missing) the SQLite file at `path`, or an in-memory database for `:memory:`. */
export function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') createPrivately(path);
  const conn = new Sqlite(path);
  // Deleted and overwritten content is zeroed, not left in free space (old private keys, token hashes).
  conn.pragma('secure_delete = ON');
  conn.pragma('journal_mode = WAL');
  // WAL + NORMAL: a commit survives a process crash; only an OS crash can lose the last transactions.
  conn.pragma('synchronous = NORMAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('foreign_keys = ON');
  const database = cachingStatements(conn);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  directs.set(db, direct(conn, database));
  return db;
}

/** The connection under a kysely instance of openSqlite, for statements run without kysely (storage/runner.ts). */
export interface DirectSqlite {
  /** Whether a transaction is open on the connection (kysely's, awaiting between its statements). */
  busy(): boolean;
  /** Runs a compiled query now, with the result kysely's driver would give. */
  run<R>(query: CompiledQuery<R>): QueryResult<R>;
  /** Runs `body` between BEGIN and COMMIT (ROLLBACK when it throws). */
  transaction<T>(body: () => T): T;
}

const directs = new WeakMap<Kysely<Database>, DirectSqlite>();

/** The direct connection of a kysely instance made by openSqlite; undefined for any other. */
export function directSqlite(db: Kysely<Database>): DirectSqlite | undefined {
  return directs.get(db);
}

function direct(conn: Sqlite.Database, database: SqliteDatabase): DirectSqlite {
  // IMMEDIATE: the write lock is taken (waiting up to busy_timeout for another process) before the
  // body runs, so that a body which reads first cannot fail to upgrade its lock half way.
  const begin = conn.prepare('BEGIN IMMEDIATE');
  const commit = conn.prepare('COMMIT');
  const rollback = conn.prepare('ROLLBACK');
  return {
    busy: () => conn.inTransaction,
    run<R>({ sql, parameters }: CompiledQuery<R>): QueryResult<R> {
      // As kysely's SqliteDriver does, so that both paths give the same results.
      const stmt = database.prepare(sql);
      if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
    transaction(body) {
      begin.run();
      try {
        const value = body();
        commit.run();
        return value;
      } catch (e) {
        // A failed COMMIT (or a statement error SQLite already rolled back for) may leave none open.
        if (conn.inTransaction) rollback.run();
        throw e;
      }
    },
  };
}

/**
 * The database holds credentials: the file is created 0600, and the directories we create 0700,
 * whatever the umask. SQLite gives the -wal and -shm files the database file's mode. An existing
 * directory is left as it is (it may be shared, like /var/lib); an existing database file is
 * tightened to 0600 with its siblings, since nothing but the server needs to read it.
 */
function createPrivately(path: string): void {
  makePrivateDirectory(dirname(resolve(path)));
  if (!existsSync(path)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      fchmodSync(fd, 0o600);
      closeSync(fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (e) {
      // Missing siblings, or a file owned by another user (its owner decides): nothing to do.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    }
  }
}

/** Creates `dir` and its missing parents 0700 (whatever the umask); an existing directory is left as it is. */
export function makePrivateDirectory(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  for (let d = dir; d.length >= first.length; d = dirname(d)) chmodSync(d, 0o700);
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
