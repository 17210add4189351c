// Migration 0004: race-safe refresh rotation — each consumed refresh token remembers its successor
// (by hash) and the successor's token response, sealed with a key only the old token yields.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('replaced_by', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('successor', 'text').execute();
}
