// Migration 0007: each signing key names the key it replaces, once per algorithm, so that two
// instances rotating in the same minute cannot both add a key (the second insert does nothing).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('replaces', 'text').execute();
  await db.schema.createIndex('signing_keys_lineage_idx').on('signing_keys').columns(['alg', 'replaces']).unique().execute();
}
