// Brute-force counters (see accounts/brute-force.ts), written once with kysely for both engines.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { ThrottleRecord, ThrottleStore, WaitStep } from './types.ts';

/**
 * The wait owed after the row's count, as SQL: the steps are integers from the validated
 * configuration, written as literals so that both engines type them alike.
 */
function owedWait(waits: readonly WaitStep[]) {
  const steps = [...waits].sort((a, b) => b.failures - a.failures);
  for (const w of steps) {
    if (!Number.isSafeInteger(w.failures) || !Number.isSafeInteger(w.seconds)) throw new Error('wait steps must be integers');
  }
  if (steps.length === 0) return sql<number>`0`;
  const cases = steps.map((w) => sql`when throttle.failures >= ${sql.lit(w.failures)} then ${sql.lit(w.seconds)}`);
  return sql<number>`case ${sql.join(cases, sql` `)} else 0 end`;
}

/** The later of the stored last attempt and `now`: a statement carrying an earlier second never moves it back. */
const latest = (now: number) => sql<number>`case when throttle.last_failure_at > ${now} then throttle.last_failure_at else ${now} end`;

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
            last_failure_at: latest(now),
            expires_at: now + keepSeconds,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async reserve(key, now, keepSeconds, waits) {
      // One statement: the row is locked (PostgreSQL) or the database written by one connection at
      // a time (SQLite) while the wait is checked and the count raised, so parallel attempts on
      // any instance are counted one after the other. A refused attempt changes nothing.
      const row = await db
        .insertInto('throttle')
        .values({ key, failures: 1, last_failure_at: now, expires_at: now + keepSeconds })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({
              failures: sql<number>`case when throttle.expires_at <= ${now} then 1 else throttle.failures + 1 end`,
              last_failure_at: latest(now),
              expires_at: now + keepSeconds,
            })
            // Nothing owed is never a refusal: another instance's statement (or one that waited for a
            // pooled connection) may have counted a later second than this attempt's `now`.
            .where((eb) =>
              eb.or([
                eb('throttle.expires_at', '<=', now),
                eb(owedWait(waits), '=', 0),
                eb(sql<number>`throttle.last_failure_at + ${owedWait(waits)}`, '<=', now),
              ]),
            ),
        )
        .returningAll()
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async release(key) {
      await db
        .updateTable('throttle')
        .set({ failures: sql<number>`failures - 1` })
        .where('key', '=', key)
        .where('failures', '>', 0)
        .execute();
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
