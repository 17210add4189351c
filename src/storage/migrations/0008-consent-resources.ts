// Migration 0008: remembered consent covers the resources (RFC 8707) that were approved, not only the
// scopes. Space-separated, like scope; rows from before cover the default audience only.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('consents')
    .addColumn('resources', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
