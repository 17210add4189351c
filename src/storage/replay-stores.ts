// One-time values shared by every instance, written once with kysely for both engines: the `jti` of
// client assertions and DPoP proofs (RFC 7523 §3, RFC 9449 §11.1), and pushed authorization
// requests (RFC 9126 §4).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { PushedRequestRecord, PushedRequestStore, UsedJtiStore } from './types.ts';

export function usedJtiStore(db: Kysely<Database>): UsedJtiStore {
  return {
    async use(key, expiresAt) {
      // One insert that does nothing on conflict: the primary key decides, on both engines, which
      // of concurrent presentations is the first (RFC 7523 §3 item 7, RFC 9449 §11.1).
      const r = await db
        .insertInto('used_jtis')
        .values({ key, expires_at: expiresAt })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}

export function pushedRequestStore(db: Kysely<Database>): PushedRequestStore {
  return {
    async create(p) {
      await db
        .insertInto('pushed_requests')
        .values({ id_hash: p.idHash, client_id: p.clientId, params: JSON.stringify(p.params), expires_at: p.expiresAt })
        .execute();
    },
    async consume(idHash, now) {
      // RFC 9126 §4: one-time use, by one atomic delete.
      const r = await db.deleteFrom('pushed_requests').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      if (!r || Number(r.expires_at) <= now) return undefined;
      return {
        idHash: r.id_hash,
        clientId: r.client_id,
        params: JSON.parse(r.params) as PushedRequestRecord['params'],
        expiresAt: Number(r.expires_at),
      };
    },
  };
}
