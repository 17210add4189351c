// The statements every token request and returning sign-in runs, compiled by kysely once
// (storage/prepared.ts). The rest of the SQL is in sql-stores.ts.
import type { Kysely } from 'kysely';
import { factorCounts } from './factor-store.ts';
import { prepare, slotRow } from './prepared.ts';
import type { Row } from './rows.ts';
import type { Database } from './schema.ts';

/** `cols` if it names every column of T; otherwise a compile error saying which are missing. */
function allColumns<T>() {
  return <const C extends readonly (keyof T & string)[]>(
    cols: C & ([Exclude<keyof T, C[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, C[number]> }),
  ): C => cols;
}

const GRANT_COLUMNS = allColumns<Database['grants']>()([
  'id',
  'client_id',
  'user_id',
  'scope',
  'auth_time',
  'created_at',
  'expires_at',
  'revoked_at',
  'resources',
  'sid',
  'amr',
  'acr',
]);
type GrantColumn = (typeof GRANT_COLUMNS)[number];
/** A row of `table` joined with its grant, whose columns come back as g_<column> (NULL when the grant is gone). */
type WithGrant<T extends keyof Database> = Row<T> & Record<`g_${GrantColumn}`, unknown>;
/** The grant's columns of such a join, from the table aliased `g`. */
const JOINED_GRANT_COLUMNS = GRANT_COLUMNS.map((c) => `g.${c} as g_${c}` as const);

/** A `grants` row out of the g_<column> fields of a joined row; undefined when the join found none. */
export function joinedGrant(r: Record<string, unknown>): Row<'grants'> | undefined {
  if (r.g_id === null || r.g_id === undefined) return undefined;
  return Object.fromEntries(GRANT_COLUMNS.map((c) => [c, r[`g_${c}`]])) as Row<'grants'>;
}

/** The statements of the token paths, compiled once (storage/prepared.ts). */
export function hotStatements(db: Kysely<Database>) {
  return {
    user: prepare<Row<'users'>, { id: string }>((s) => db.selectFrom('users').selectAll().where('id', '=', s('id'))),
    session: prepare<Row<'sessions'>, { idHash: string; now: number }>((s) =>
      db.selectFrom('sessions').selectAll().where('id_hash', '=', s('idHash')).where('expires_at', '>', s('now')),
    ),
    // A returning sign-in's first read: the session, the consent for the client, the user's factors.
    sessionForClient: prepare<
      Row<'sessions'> & { c_scope: string | null; c_resources: string | null; totp: number; passkeys: number; recovery: number },
      { idHash: string; now: number; clientId: string }
    >((s) =>
      db
        .selectFrom('sessions as s')
        .leftJoin('consents as c', (join) => join.onRef('c.user_id', '=', 's.user_id').on('c.client_id', '=', s('clientId')))
        .selectAll('s')
        .select(['c.scope as c_scope', 'c.resources as c_resources'])
        .select((eb) => factorCounts(eb.ref('s.user_id')))
        .where('s.id_hash', '=', s('idHash'))
        .where('s.expires_at', '>', s('now')),
    ),
    consent: prepare<{ scope: string; resources: string }, { userId: string; clientId: string }>((s) =>
      db.selectFrom('consents').select(['scope', 'resources']).where('user_id', '=', s('userId')).where('client_id', '=', s('clientId')),
    ),
    grant: prepare<Row<'grants'>, { id: string }>((s) => db.selectFrom('grants').selectAll().where('id', '=', s('id'))),
    isRevoked: prepare<{ revoked: number; live_grant: number }, { jti: string; grantId: string }>((s) =>
      db.selectNoFrom((eb) => [
        eb.selectFrom('revoked_access_tokens').select(eb.fn.countAll<number>().as('n')).where('jti', '=', s('jti')).as('revoked'),
        eb
          .selectFrom('grants')
          .select(eb.fn.countAll<number>().as('n'))
          .where('id', '=', s('grantId'))
          .where('revoked_at', 'is', null)
          .as('live_grant'),
      ]),
    ),
    insertGrant: prepare((s, row: Row<'grants'>) => db.insertInto('grants').values(slotRow(s, row))),
    insertCode: prepare((s, row: Row<'codes'>) => db.insertInto('codes').values(slotRow(s, row))),
    // The code and its grant in one read: the first step of a code exchange.
    codeWithGrant: prepare<WithGrant<'codes'>, { codeHash: string }>((s) =>
      db
        .selectFrom('codes as c')
        .leftJoin('grants as g', 'g.id', 'c.grant_id')
        .selectAll('c')
        .select(JOINED_GRANT_COLUMNS)
        .where('c.code_hash', '=', s('codeHash')),
    ),
    // ARCHITECTURE.md rule 5 / RFC 6749 §4.1.2: single use, enforced by one atomic statement.
    consumeCode: prepare<never, { codeHash: string; now: number }>((s) =>
      db
        .updateTable('codes')
        .set({ consumed_at: s('now') })
        .where('code_hash', '=', s('codeHash'))
        .where('consumed_at', 'is', null),
    ),
    // The refresh token and its grant in one read: the first step of a refresh.
    refreshWithGrant: prepare<WithGrant<'refresh_tokens'>, { tokenHash: string }>((s) =>
      db
        .selectFrom('refresh_tokens as t')
        .leftJoin('grants as g', 'g.id', 't.grant_id')
        .selectAll('t')
        .select(JOINED_GRANT_COLUMNS)
        .where('t.token_hash', '=', s('tokenHash')),
    ),
    refreshToken: prepare<Row<'refresh_tokens'>, { tokenHash: string }>((s) =>
      db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', s('tokenHash')),
    ),
    consumeRefresh: prepare<never, { tokenHash: string; now: number; replacedBy: string; successor: string | null }>((s) =>
      db
        .updateTable('refresh_tokens')
        .set({ consumed_at: s('now'), replaced_by: s('replacedBy'), successor: s('successor') })
        .where('token_hash', '=', s('tokenHash'))
        .where('consumed_at', 'is', null),
    ),
    insertRefresh: prepare((s, row: Row<'refresh_tokens'>) => db.insertInto('refresh_tokens').values(slotRow(s, row))),
  };
}
