// Migration 0012: what the admin API and the claims configuration need — per-user roles and groups
// (JSON lists, emitted as claims), and the audit events kept in the database for a retention period.
// Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_expires_at_idx').on('audit_events').column('expires_at').execute();
  await db.schema.createIndex('audit_events_client_id_idx').on('audit_events').column('client_id').execute();
  await db.schema.createIndex('audit_events_user_id_idx').on('audit_events').column('user_id').execute();
  await db.schema.createIndex('consents_client_id_idx').on('consents').column('client_id').execute();
}
