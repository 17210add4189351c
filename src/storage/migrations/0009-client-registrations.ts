// Migration 0009: clients registered dynamically (RFC 7591 §3, RFC 7592 §3): the hash of each one's
// registration access token, and until when it must be used before cleanup removes it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_registrations')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Null once the client was used (a grant exists for it); then cleanup keeps it.
    .addColumn('unused_until', 'bigint')
    .execute();
  await db.schema.createIndex('client_registrations_unused_idx').on('client_registrations').column('unused_until').execute();
}
