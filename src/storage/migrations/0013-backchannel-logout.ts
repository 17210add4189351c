// Migration 0013: OpenID Connect Back-Channel Logout 1.0 — the session id (`sid`, §2.4) of each login
// session and of the grants issued in it (§2.3: the OP remembers which RPs were logged in), the
// clients' `backchannel_logout_uri` and `backchannel_logout_session_required` (§2.2), and the durable
// queue of logout tokens to deliver (§2.5), retried with backoff. Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('sid', 'text').execute();
  await db.schema.alterTable('grants').addColumn('sid', 'text').execute();
  await db.schema.createIndex('grants_sid_idx').on('grants').column('sid').execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
  await db.schema
    .alterTable('clients')
    .addColumn('backchannel_logout_session_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // One row per logout token to deliver; next_attempt_at and lease_until are epoch milliseconds.
  await db.schema
    .createTable('backchannel_logout_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sid', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('backchannel_logout_jobs_next_attempt_at_idx')
    .on('backchannel_logout_jobs')
    .column('next_attempt_at')
    .execute();
  await db.schema.createIndex('backchannel_logout_jobs_expires_at_idx').on('backchannel_logout_jobs').column('expires_at').execute();
}
