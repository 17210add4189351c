// The engine for many instances: PostgreSQL through a `pg` connection pool.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.ts';
import { registerPostgresPool } from './direct.ts';

const INT8_OID = 20;

/**
 * The pool's own type parsers: int8 (bigint, also count(*)) becomes a number instead of pg's string.
 * Every int8 column holds epoch seconds or a count, far below 2^53. Kept per pool, so that the
 * process-wide parsers of an application that embeds Latchkey are left alone.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Connections per process (default 10); N instances open up to N times this many. */
  max?: number;
}

/** Opens a pool on `url` (postgres://user:password@host:port/database?sslmode=…); connects lazily. */
export function openPostgres(url: string, options: PostgresOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'latchkey',
  });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool and the
  // next query opens a new one; without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  registerPostgresPool(db, pool);
  return db;
}
