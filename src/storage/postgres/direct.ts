// The pool under a kysely instance of openPostgres, for the hot statements run as named prepared
// statements (storage/runner.ts). No import of pg here: an SQLite-only install never loads it.
import { createHash } from 'node:crypto';
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from '../schema.ts';

/** What the runner needs of a pg.Pool. */
export interface PostgresPool {
  query(config: {
    name: string;
    text: string;
    values: readonly unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null; command: string }>;
}

const pools = new WeakMap<Kysely<Database>, PostgresPool>();

export function registerPostgresPool(db: Kysely<Database>, pool: PostgresPool): void {
  pools.set(db, pool);
}

export function postgresPool(db: Kysely<Database>): PostgresPool | undefined {
  return pools.get(db);
}

const names = new Map<string, string>();

/** A statement name per SQL text: PostgreSQL parses and plans it once per connection, not per request. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `lk_${createHash('sha256').update(text).digest('base64url').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/** SQLSTATE 0A000 "cached plan must not change result type": a migration changed a table under a prepared statement. */
const PLAN_CHANGED = '0A000';
/**
 * SQLSTATE 26000 "prepared statement does not exist": the server forgot a statement this connection
 * prepared, as behind a pooler in transaction mode that does not keep them (PgBouncer before 1.21, or
 * with max_prepared_statements = 0): from then on the pool's statements run unnamed.
 */
const NOT_PREPARED = '26000';
const unnamedPools = new WeakSet<PostgresPool>();

/**
 * Runs a compiled query as a named prepared statement, with the result kysely's driver would give.
 * When a migration changed a table since a connection prepared it, or the server does not keep
 * prepared statements, the statement runs unnamed.
 */
export async function runNamed<R>(pool: PostgresPool, { sql, parameters }: CompiledQuery<R>): Promise<QueryResult<R>> {
  let result: Awaited<ReturnType<PostgresPool['query']>>;
  const unnamed = () => pool.query({ name: '', text: sql, values: [...parameters] });
  if (unnamedPools.has(pool)) {
    result = await unnamed();
  } else {
    try {
      result = await pool.query({ name: nameOf(sql), text: sql, values: [...parameters] });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === NOT_PREPARED) unnamedPools.add(pool);
      else if (code !== PLAN_CHANGED) throw e;
      result = await unnamed();
    }
  }
  const { rows, rowCount, command } = result;
  // As kysely's PostgresDriver: the count of changed rows for writes.
  if (command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE') {
    return { rows: (rows ?? []) as R[], numAffectedRows: BigInt(rowCount ?? 0) };
  }
  return { rows: (rows ?? []) as R[] };
}
