// Storage.revokeAccess: ending a person's, a client's, a consent's or one grant's access in one
// transaction (ARCHITECTURE.md rule 5).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { AccessOwner, Storage } from './types.ts';

export function revokeAccess(db: Kysely<Database>): Storage['revokeAccess'] {
  return (owner, now) =>
    db.transaction().execute(async (trx) => {
      let grantIds = trx.selectFrom('grants').select('id');
      if ('grantId' in owner) grantIds = grantIds.where('id', '=', owner.grantId);
      if ('userId' in owner) grantIds = grantIds.where('user_id', '=', owner.userId);
      if ('clientId' in owner) grantIds = grantIds.where('client_id', '=', owner.clientId);
      let sessions = 0;
      if (isPerson(owner)) {
        const r = await trx.deleteFrom('sessions').where('user_id', '=', owner.userId).executeTakeFirst();
        sessions = Number(r.numDeletedRows);
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
}

function isPerson(owner: AccessOwner): owner is { userId: string } {
  return 'userId' in owner && !('clientId' in owner);
}
