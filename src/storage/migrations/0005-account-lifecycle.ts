// Migration 0005: disabling accounts and clients, usernames unique without regard to case and
// Unicode compatibility forms, and the indexes that find a person's or a client's sessions and grants.
// Written once for both engines.
import { type Kysely, sql } from 'kysely';
import { normalizeUsername } from '../../accounts/username.ts';

interface Before {
  users: { id: string; username: string; created_at: number };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const users = db as unknown as Kysely<Before>;
  const rows = await users.selectFrom('users').select(['id', 'username', 'created_at']).orderBy('created_at').execute();
  // Checked before any change: SQLite has no transactional DDL, so a half-applied migration would stay.
  const seen = new Map<string, string>();
  for (const r of rows) {
    const key = normalizeUsername(r.username);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(
        `the usernames "${other}" and "${r.username}" are one name once letter case and Unicode forms are ignored: rename one of them (UPDATE users SET username = … WHERE id = …) and migrate again`,
      );
    }
    seen.set(key, r.username);
  }

  await db.schema
    .alterTable('users')
    .addColumn('username_normalized', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
  await db.schema.alterTable('clients').addColumn('disabled_at', 'bigint').execute();
  for (const r of rows) {
    await sql`UPDATE users SET username_normalized = ${normalizeUsername(r.username)} WHERE id = ${r.id}`.execute(db);
  }
  await db.schema.createIndex('users_username_normalized_idx').on('users').column('username_normalized').unique().execute();
  for (const [table, column] of [
    ['sessions', 'user_id'],
    ['grants', 'user_id'],
    ['grants', 'client_id'],
  ] as const) {
    await db.schema.createIndex(`${table}_${column}_idx`).on(table).column(column).execute();
  }
}
