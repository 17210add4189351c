// How the stores run their compiled statements (storage/prepared.ts). On SQLite, a statement runs
// on the better-sqlite3 connection directly, and a transaction from BEGIN to COMMIT without yielding
// to the event loop: kysely's path (connection mutex, promise chain per statement) costs more than the
// small indexed statements of a token request. On PostgreSQL a statement runs as a named prepared
// statement (postgres/direct.ts); transactions there, and on SQLite while a kysely transaction holds
// the connection, go through kysely.
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import { postgresPool, runNamed } from './postgres/direct.ts';
import { type QueryRunner, settled } from './prepared.ts';
import type { Database } from './schema.ts';
import { directSqlite } from './sqlite/open.ts';

/**
 * A transaction's body, one for both engines: it yields each statement and gets its result back
 * (`const r = yield* step(query)`). It must not await anything: on SQLite it runs synchronously.
 */
export type TransactionBody<T> = Generator<CompiledQuery, T, QueryResult<unknown>>;

/** One statement of a transaction body. */
export function* step<R>(query: CompiledQuery<R>): Generator<CompiledQuery, QueryResult<R>, QueryResult<unknown>> {
  return (yield query) as QueryResult<R>;
}

export interface Runner extends QueryRunner {
  /** Runs the body's statements in one transaction; a throw rolls it back. */
  transaction<T>(body: () => TransactionBody<T>): Promise<T>;
}

export function runner(db: Kysely<Database>): Runner {
  const direct = directSqlite(db);
  const viaKysely: Runner = {
    executeQuery: (query) => db.executeQuery(query),
    transaction: (body) =>
      db.transaction().execute(async (trx) => {
        const steps = body();
        let next = steps.next();
        while (!next.done) next = steps.next(await trx.executeQuery(next.value));
        return next.value;
      }),
  };
  const pool = postgresPool(db);
  // PostgreSQL: named prepared statements, parsed and planned once per connection.
  if (pool) return { ...viaKysely, executeQuery: (query) => runNamed(pool, query) };
  if (!direct) return viaKysely;
  return {
    executeQuery(query) {
      // A kysely transaction open on the connection (it awaits between its statements): a statement
      // run now would join it. Queue behind it on kysely's mutex instead.
      if (direct.busy()) return viaKysely.executeQuery(query);
      return settled(() => direct.run(query));
    },
    transaction(body) {
      if (direct.busy()) return viaKysely.transaction(body);
      return settled(() =>
        direct.transaction(() => {
          const steps = body();
          let next = steps.next();
          while (!next.done) next = steps.next(direct.run(next.value));
          return next.value;
        }),
      );
    },
  };
}
