// Migration 0002: resource indicators (RFC 8707), post-logout redirect URIs, per-client refresh
// lifetimes, and revoked access token ids (RFC 7009). Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('resources', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('clients').addColumn('refresh_token_ttl', 'bigint').execute();
  await db.schema.alterTable('clients').addColumn('refresh_token_idle_ttl', 'bigint').execute();
  await db.schema
    .alterTable('grants')
    .addColumn('resources', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('revoked_access_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_access_tokens_expires_at_idx').on('revoked_access_tokens').column('expires_at').execute();
}
