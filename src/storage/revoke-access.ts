// Storage.revokeAccess: ending a person's, a client's, a consent's or one grant's access in one
// transaction (ARCHITECTURE.md rule 5).
import type { Kysely } from 'kysely';
import { endSessions, notifyQueued, type QueuedListeners } from './logout-job-store.ts';
import type { Database } from './schema.ts';
import type { AccessOwner, Storage } from './types.ts';

export function revokeAccess(db: Kysely<Database>, queued: QueuedListeners): Storage['revokeAccess'] {
  return async (owner, now) => {
    let jobs = 0;
    const result = await db.transaction().execute(async (trx) => {
      let grantIds = trx.selectFrom('grants').select('id');
      if ('grantId' in owner) grantIds = grantIds.where('id', '=', owner.grantId);
      if ('userId' in owner) grantIds = grantIds.where('user_id', '=', owner.userId);
      if ('clientId' in owner) grantIds = grantIds.where('client_id', '=', owner.clientId);
      let sessions = 0;
      if (isPerson(owner)) {
        // OIDC Back-Channel Logout 1.0 §2.5: the clients of the ended sessions are told, from the queue.
        const r = await endSessions(trx, { userId: owner.userId }, now);
        sessions = r.sessions;
        jobs = r.queued;
        await trx.deleteFrom('interactions').where('user_id', '=', owner.userId).execute();
      }
      if ('userId' in owner && 'clientId' in owner) {
        // Consent withdrawn: the next authorization request asks again.
        await trx.deleteFrom('consents').where('user_id', '=', owner.userId).where('client_id', '=', owner.clientId).execute();
      }
      // A code not yet exchanged, and every refresh token, stop working with their grant.
      await trx.updateTable('codes').set({ consumed_at: now }).where('grant_id', 'in', grantIds).where('consumed_at', 'is', null).execute();
      await trx
        .updateTable('refresh_tokens')
        .set({ consumed_at: now })
        .where('grant_id', 'in', grantIds)
        .where('consumed_at', 'is', null)
        .execute();
      const g = await trx
        .updateTable('grants')
        .set({ revoked_at: now })
        .where('id', 'in', grantIds)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return { sessions, grants: Number(g.numUpdatedRows) };
    });
    notifyQueued(queued, jobs);
    return result;
  };
}

function isPerson(owner: AccessOwner): owner is { userId: string } {
  return 'userId' in owner && !('clientId' in owner);
}
