// The periodic purge of expired rows (maintenance.ts), in batches, written once for both engines.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

const CLEANUP_BATCH = 500;

/** Deletes every expired row of the tables that expire; returns how many. */
export async function purgeExpired(db: Kysely<Database>, now: number): Promise<number> {
  let total = 0;
  const tables = [
    ['codes', 'code_hash'],
    ['refresh_tokens', 'token_hash'],
    ['sessions', 'id_hash'],
    ['interactions', 'id'],
    ['grants', 'id'],
    ['revoked_access_tokens', 'jti'],
    ['signing_keys', 'kid'],
    ['throttle', 'key'],
    ['audit_events', 'id'],
    ['used_jtis', 'key'],
    ['pushed_requests', 'id_hash'],
    ['device_codes', 'device_code_hash'],
    ['webauthn_challenges', 'id_hash'],
    ['backchannel_logout_jobs', 'id'],
  ] as const;
  for (const [table, key] of tables) {
    for (;;) {
      const r = await db
        .deleteFrom(table)
        .where(key, 'in', (qb) => qb.selectFrom(table).select(key).where('expires_at', '<', now).limit(CLEANUP_BATCH))
        .executeTakeFirst();
      const deleted = Number(r.numDeletedRows);
      total += deleted;
      if (deleted < CLEANUP_BATCH) break;
      // Let requests in between batches: cleanup never holds the database for long.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return total;
}
