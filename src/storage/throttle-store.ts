// Brute-force counters (see accounts/brute-force.ts), written once with kysely for both engines.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { ThrottleRecord, ThrottleStore } from './types.ts';

const toRecord = (r: Database['throttle']): ThrottleRecord => ({
  key: r.key,
  failures: Number(r.failures),
  lastFailureAt: Number(r.last_failure_at),
  expiresAt: Number(r.expires_at),
});

export function throttleStore(db: Kysely<Database>): ThrottleStore {
  return {
    async get(keys, now) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('throttle').selectAll().where('key', 'in', keys).where('expires_at', '>', now).execute();
      return rows.map(toRecord);
    },
    async fail(key, now, keepSeconds) {
      // One atomic upsert, so that concurrent failures on several instances all count; a counter
      // whose row has expired starts again at 1.
      const row = await db
        .insertInto('throttle')
        .values({ key, failures: 1, last_failure_at: now, expires_at: now + keepSeconds })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when throttle.expires_at <= ${now} then 1 else throttle.failures + 1 end`,
            last_failure_at: now,
            expires_at: now + keepSeconds,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async remember(key, now, keepSeconds) {
      await db
        .insertInto('throttle')
        .values({ key, failures: 0, last_failure_at: now, expires_at: now + keepSeconds })
        .onConflict((oc) => oc.column('key').doUpdateSet({ failures: 0, last_failure_at: now, expires_at: now + keepSeconds }))
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('throttle').where('key', '=', key).execute();
    },
  };
}
