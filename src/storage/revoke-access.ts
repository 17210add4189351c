// Storage.revokeAccess: ending a person's or a client's access in one transaction (DESIGN rule 5).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Storage } from './types.ts';

export function revokeAccess(db: Kysely<Database>): Storage['revokeAccess'] {
  return (owner, now) =>
    db.transaction().execute(async (trx) => {
      const o = owner as { userId?: string; clientId?: string };
      let grantIds = trx.selectFrom('grants').select('id');
      if (o.userId !== undefined) grantIds = grantIds.where('user_id', '=', o.userId);
      if (o.clientId !== undefined) grantIds = grantIds.where('client_id', '=', o.clientId);
      let sessions = 0;
      if (o.userId !== undefined && o.clientId !== undefined) {
        // One person's access for one application: the person stays signed in; the consent is forgotten.
        await trx.deleteFrom('consents').where('user_id', '=', o.userId).where('client_id', '=', o.clientId).execute();
      } else if ('userId' in owner) {
        const r = await trx.deleteFrom('sessions').where('user_id', '=', owner.userId).executeTakeFirst();
        sessions = Number(r.numDeletedRows);
        await trx.deleteFrom('interactions').where('user_id', '=', owner.userId).execute();
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
