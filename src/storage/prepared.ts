// Statements built and compiled by kysely once, then run with new values. On the token paths,
// building and compiling a kysely query costs more than running the small indexed statement it
// compiles to; the SQL is still written once with kysely for both engines (ARCHITECTURE.md rule 6).
import type { Compilable, CompiledQuery, QueryResult, RootOperationNode } from 'kysely';

/** Stands for the value named `name` in the built query, typed as that value. */
export type Slot<V> = <K extends keyof V & string>(name: K) => V[K];

/** What runs a compiled query: the database or a transaction. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A statement compiled on its first use and then run with new values. */
export interface Prepared<R, V extends object> {
  (runner: QueryRunner, values: V): Promise<QueryResult<R>>;
  /** The compiled query with these values, to run later (a step of a transaction, storage/runner.ts). */
  with(values: V): CompiledQuery<R>;
}

/** `f()` as a promise: a synchronous throw becomes a rejection, as from an async function, without its extra turn. */
export function settled<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

const MARK = '\u0000latchkey-slot\u0000';

interface Template {
  sql: string;
  query: RootOperationNode;
  queryId: CompiledQuery['queryId'];
  /** Per parameter: the slot name to take from the values, or the constant the builder put there. */
  parameters: ({ slot: string } | { value: unknown })[];
}

/**
 * A prepared statement: `build` gets a `slot` function and the values of the first use (to shape
 * inserts from a row object with `slotRow`), and returns the kysely query. Every value that changes
 * between runs must come from a slot; the rest is compiled in as it was on the first use.
 */
export function prepare<R, V extends object>(build: (slot: Slot<V>, first: V) => Compilable<R>): Prepared<R, V> {
  let template: Template | undefined;
  const withValues = (values: V): CompiledQuery<R> => {
    template ??= compile(build, values);
    const source = values as Record<string, unknown>;
    const parameters = template.parameters.map((p) => {
      if (!('slot' in p)) return p.value;
      // A programming error, not bad input: every slot is a required value.
      if (!(p.slot in source)) throw new Error(`prepared statement: no value for "${p.slot}"`);
      return source[p.slot];
    });
    const { sql, query, queryId } = template;
    return { sql, query, queryId, parameters };
  };
  const run = (runner: QueryRunner, values: V) => settled(() => runner.executeQuery<R>(withValues(values)));
  return Object.assign(run, { with: withValues });
}

function compile<R, V extends object>(build: (slot: Slot<V>, first: V) => Compilable<R>, first: V): Template {
  const slot = ((name: string) => `${MARK}${name}`) as Slot<V>;
  const compiled = build(slot, first).compile();
  return {
    sql: compiled.sql,
    query: compiled.query,
    queryId: compiled.queryId,
    parameters: compiled.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(MARK) ? { slot: p.slice(MARK.length) } : { value: p },
    ),
  };
}

/** A row of slots named after the row's own keys: `values(slotRow(slot, first))` inserts any row of that shape. */
export function slotRow<T extends object>(slot: Slot<T>, row: T): T {
  return Object.fromEntries(Object.keys(row).map((k) => [k, slot(k as keyof T & string)])) as T;
}
