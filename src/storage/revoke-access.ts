// Storage.revokeAccess: ending a person's or a client's access in one transaction (ARCHITECTURE.md rule 5).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Storage } from './types.ts';

export function revokeAccess(db: Kysely<Database>): Storage['revokeAccess'] {
  return (owner, now) =>
    db.transaction().execute(async (trx) => {
      const grantIds =
        'userId' in owner
          ? trx.selectFrom('grants').select('id').where('user_id', '=', owner.userId)
          : trx.selectFrom('grants').select('id').where('client_id', '=', owner.clientId);
      let sessions = 0;
      if ('userId' in owner) {
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
