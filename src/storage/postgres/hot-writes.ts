// PostgreSQL: the write transactions of a sign-in, a code exchange and a refresh (storage/hot-writes.ts),
// each as one statement (data-modifying CTEs, PostgreSQL 17 §7.8.4), so one round trip instead of
// BEGIN, two statements and COMMIT. One statement is one transaction: both writes happen, or neither.
// SQLite has no writable CTE; it runs the same writes as a transaction without yielding.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type HotWrites, one } from '../hot-writes.ts';
import { prepare, type QueryRunner, type Slot } from '../prepared.ts';
import type { Row } from '../rows.ts';
import type { Database } from '../schema.ts';

type SqlType = 'text' | 'bigint';

/** Every column of refresh_tokens with its type: the SELECT that feeds the INSERT casts each parameter. */
const REFRESH_TYPES = {
  token_hash: 'text',
  grant_id: 'text',
  client_id: 'text',
  user_id: 'text',
  scope: 'text',
  auth_time: 'bigint',
  created_at: 'bigint',
  expires_at: 'bigint',
  consumed_at: 'bigint',
  replaced_by: 'text',
  successor: 'text',
  dpop_jkt: 'text',
} as const satisfies Record<keyof Row<'refresh_tokens'>, SqlType>;
const REFRESH_COLUMNS = Object.keys(REFRESH_TYPES) as (keyof Row<'refresh_tokens'>)[];

/** The refresh token row as typed parameters: in `INSERT … SELECT` nothing else tells PostgreSQL their types. */
function typedRefreshRow<V extends Row<'refresh_tokens'>>(s: Slot<V>): RawBuilder<unknown>[] {
  return REFRESH_COLUMNS.map((c) => sql`cast(${s(c)} as ${sql.raw(REFRESH_TYPES[c])})`.as(c) as unknown as RawBuilder<unknown>);
}

type Prefixed<T, P extends string> = { [K in keyof T & string as `${P}${K}`]: T[K] };

/** `prefix` + each key of `row`: the values of two rows in one statement, without name clashes. */
function prefixed<T extends object, P extends string>(prefix: P, row: T): Prefixed<T, P> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [`${prefix}${k}`, v])) as Prefixed<T, P>;
}

/** A row of slots named `prefix` + column. */
function slotPrefixed<T extends object, P extends string>(s: Slot<Prefixed<T, P>>, prefix: P, row: T): T {
  return Object.fromEntries(Object.keys(row).map((k) => [k, (s as (n: string) => unknown)(`${prefix}${k}`)])) as T;
}

type RotateValues = Row<'refresh_tokens'> & { old_token_hash: string; old_consumed_at: number; old_successor: string | null };
type RedeemValues = Row<'refresh_tokens'> & { code_hash: string; code_consumed_at: number };
type GrantCodeValues = Prefixed<Row<'grants'>, 'g_'> & Prefixed<Row<'codes'>, 'c_'>;

export function postgresHotWrites(db: Kysely<Database>, run: QueryRunner): HotWrites {
  const statements = cteStatements(db);
  return {
    async grantAndCode(grant, code) {
      await statements.grantAndCode(run, { ...prefixed('g_', grant), ...prefixed('c_', code) });
    },
    redeem: async (codeHash, now, refresh) => one(await statements.redeem(run, { ...refresh, code_hash: codeHash, code_consumed_at: now })),
    rotate: async (tokenHash, now, next, successor) =>
      one(await statements.rotate(run, { ...next, old_token_hash: tokenHash, old_consumed_at: now, old_successor: successor })),
  };
}

function cteStatements(db: Kysely<Database>) {
  return {
    // Consumes the old token and, only when this statement consumed it, inserts its successor.
    rotate: prepare<never, RotateValues>((s) =>
      db
        .with('consumed', (qb) =>
          qb
            .updateTable('refresh_tokens')
            .set({ consumed_at: s('old_consumed_at'), replaced_by: s('token_hash'), successor: s('old_successor') })
            .where('token_hash', '=', s('old_token_hash'))
            .where('consumed_at', 'is', null)
            .returning('token_hash'),
        )
        .insertInto('refresh_tokens')
        .columns(REFRESH_COLUMNS)
        .expression((eb) => eb.selectFrom('consumed').select(typedRefreshRow(s) as never)),
    ),
    // Consumes the code and, only when this statement consumed it, inserts the refresh token.
    redeem: prepare<never, RedeemValues>((s) =>
      db
        .with('consumed', (qb) =>
          qb
            .updateTable('codes')
            .set({ consumed_at: s('code_consumed_at') })
            .where('code_hash', '=', s('code_hash'))
            .where('consumed_at', 'is', null)
            .returning('code_hash'),
        )
        .insertInto('refresh_tokens')
        .columns(REFRESH_COLUMNS)
        .expression((eb) => eb.selectFrom('consumed').select(typedRefreshRow(s) as never)),
    ),
    // The grant and its code (§7.8.4: a data-modifying WITH runs to completion even if unread).
    grantAndCode: prepare<never, GrantCodeValues>((s, first) =>
      db
        .with('grant', (qb) =>
          qb
            .insertInto('grants')
            .values(slotPrefixed(s as never, 'g_', unprefixed<Row<'grants'>>(first, 'g_')))
            .returning('id'),
        )
        .insertInto('codes')
        .values(slotPrefixed(s as never, 'c_', unprefixed<Row<'codes'>>(first, 'c_'))),
    ),
  };
}

/** The row of `prefix`'s keys in `values`, keys without the prefix (the shape of the first run's rows). */
function unprefixed<T>(values: object, prefix: string): T {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  ) as T;
}
