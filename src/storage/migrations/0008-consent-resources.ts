// Migration 0008: remembered consent covers the resources (RFC 8707) that were approved, not only the
// scopes (space-separated, like scope; rows from before cover the default audience only); and an
// interaction records that its consent step was passed (the step's outcome, read by decide.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('consents')
    .addColumn('resources', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('interactions')
    .addColumn('consented', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
