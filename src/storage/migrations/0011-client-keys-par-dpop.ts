// Migration 0011: clients that authenticate with keys (RFC 7523 private_key_jwt: `jwks`, `jwks_uri`),
// pushed authorization requests (RFC 9126), DPoP (RFC 9449: the key a public client's refresh tokens
// are bound to), the one-time identifiers (`jti`) of client assertions and DPoP proofs, and device
// authorization requests (RFC 8628).
// Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
  await db.schema.alterTable('clients').addColumn('jwks_uri', 'text').execute();
  await db.schema
    .alterTable('clients')
    .addColumn('require_pushed_authorization_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('clients')
    .addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'text').execute();

  // A `jti` is used once: the primary key makes a second insert fail on both engines, so that of
  // any number of concurrent presentations exactly one is accepted.
  await db.schema
    .createTable('used_jtis')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('used_jtis_expires_at_idx').on('used_jtis').column('expires_at').execute();

  await db.schema
    .createTable('pushed_requests')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pushed_requests_expires_at_idx').on('pushed_requests').column('expires_at').execute();

  // RFC 8628: device codes, stored as hashes; status pending → approved or denied → consumed.
  await db.schema
    .createTable('device_codes')
    .addColumn('device_code_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('resources', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('auth_time', 'bigint')
    .addColumn('interval', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', 'bigint')
    // Whether the last poll came too early (set by the same statement that records it).
    .addColumn('slowed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_codes_expires_at_idx').on('device_codes').column('expires_at').execute();
}
