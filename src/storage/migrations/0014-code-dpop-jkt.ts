// Migration 0014: RFC 9449 §10 — the JWK thumbprint an authorization code is bound to by the
// `dpop_jkt` authorization request parameter (null when the request had none).
// Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('codes').addColumn('dpop_jkt', 'text').execute();
}
