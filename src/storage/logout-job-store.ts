// OpenID Connect Back-Channel Logout 1.0 §2.3 and §2.5: ending sessions queues, in the same
// transaction, one logout job per client that got a grant in them; the jobs are claimed with a lease
// (one atomic UPDATE), so that over PostgreSQL one instance at a time delivers each. Both engines.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { LogoutJobRecord, LogoutJobStore } from './types.ts';

/** Jobs never delivered are dropped after this long (the worker gives up much sooner). */
const JOB_KEEP_SECONDS = 7 * 24 * 3600;

/** Which sessions end: one, or a user's (all, or all but one). */
export type EndedSessions = { idHash: string } | { userId: string; exceptIdHash?: string };

/** The listeners told after a commit that queued jobs (the in-process worker's kick). */
export type QueuedListeners = Set<() => void>;

/**
 * Deletes the sessions and queues their logout jobs, inside `trx`; returns how many sessions ended
 * and how many jobs were queued.
 */
export async function endSessions(
  trx: Transaction<Database>,
  which: EndedSessions,
  now: number,
): Promise<{ sessions: number; queued: number }> {
  let ended = trx.selectFrom('sessions').select('sid');
  if ('idHash' in which) ended = ended.where('id_hash', '=', which.idHash);
  else {
    ended = ended.where('user_id', '=', which.userId);
    if (which.exceptIdHash !== undefined) ended = ended.where('id_hash', '!=', which.exceptIdHash);
  }
  const sids = (await ended.execute()).map((r) => r.sid).filter((s): s is string => typeof s === 'string');
  let queued = 0;
  if (sids.length > 0) {
    // §2.3: the RPs that were logged in with this session are those that got a grant in it.
    const targets = await trx
      .selectFrom('grants')
      .innerJoin('clients', 'clients.client_id', 'grants.client_id')
      .select(['grants.client_id', 'grants.user_id', 'grants.sid'])
      .distinct()
      .where('grants.sid', 'in', sids)
      .where('grants.user_id', 'is not', null)
      .where('clients.backchannel_logout_uri', 'is not', null)
      .execute();
    if (targets.length > 0) {
      await trx
        .insertInto('backchannel_logout_jobs')
        .values(
          targets.map((t) => ({
            id: randomUUID(),
            client_id: t.client_id,
            user_id: t.user_id as string,
            sid: t.sid,
            attempts: 0,
            // Due at once: the worker (kicked after the commit) delivers it within seconds.
            next_attempt_at: 0,
            lease_until: 0,
            created_at: now,
            expires_at: now + JOB_KEEP_SECONDS,
          })),
        )
        .execute();
      queued = targets.length;
    }
  }
  let del = trx.deleteFrom('sessions');
  if ('idHash' in which) del = del.where('id_hash', '=', which.idHash);
  else {
    del = del.where('user_id', '=', which.userId);
    if (which.exceptIdHash !== undefined) del = del.where('id_hash', '!=', which.exceptIdHash);
  }
  const r = await del.executeTakeFirst();
  return { sessions: Number(r.numDeletedRows), queued };
}

/** Tells the listeners when a transaction that queued jobs has committed. */
export function notifyQueued(listeners: QueuedListeners, queued: number): void {
  if (queued === 0) return;
  for (const l of listeners) l();
}

const jobFromRow = (r: Database['backchannel_logout_jobs']): LogoutJobRecord => ({
  id: r.id,
  clientId: r.client_id,
  userId: r.user_id,
  sid: r.sid,
  attempts: Number(r.attempts),
  createdAt: Number(r.created_at),
});

export function logoutJobStore(db: Kysely<Database>, listeners: QueuedListeners): LogoutJobStore {
  const store: LogoutJobStore = {
    async claim(id, nowMs, leaseMs) {
      // One atomic statement: of concurrent claims (on PostgreSQL, the second re-reads the row
      // after the first commits and no longer matches), exactly one gets the row.
      const r = await db
        .updateTable('backchannel_logout_jobs')
        .set((eb) => ({ lease_until: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('next_attempt_at', '<=', nowMs)
        .where('lease_until', '<=', nowMs)
        .returningAll()
        .executeTakeFirst();
      return r && jobFromRow(r);
    },
    async claimDue(nowMs, leaseMs, limit) {
      const due = await db
        .selectFrom('backchannel_logout_jobs')
        .select('id')
        .where('next_attempt_at', '<=', nowMs)
        .where('lease_until', '<=', nowMs)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      const claimed: LogoutJobRecord[] = [];
      for (const { id } of due) {
        const job = await store.claim(id, nowMs, leaseMs);
        if (job) claimed.push(job);
      }
      return claimed;
    },
    async finish(id) {
      await db.deleteFrom('backchannel_logout_jobs').where('id', '=', id).execute();
    },
    async retryAt(id, nextAttemptMs) {
      await db
        .updateTable('backchannel_logout_jobs')
        .set({ next_attempt_at: nextAttemptMs, lease_until: 0 })
        .where('id', '=', id)
        .execute();
    },
    onQueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}
