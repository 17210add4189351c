// The signing keys (tokens/keys.ts), written once with kysely for both engines.
import { type Kysely, sql } from 'kysely';
import { keyFromRow, keyToRow } from './rows.ts';
import type { Database } from './schema.ts';
import type { KeyStore, Storage } from './types.ts';

export function keyStore(db: Kysely<Database>, engine: Storage['engine']): KeyStore {
  return {
    async list() {
      return (await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()).map(keyFromRow);
    },
    async create(key) {
      const r = await db
        .insertInto('signing_keys')
        .values(keyToRow(key))
        .onConflict((oc) => oc.columns(['alg', 'replaces']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async retire(kid, retiresAt, expiresAt) {
      await db.updateTable('signing_keys').set({ retires_at: retiresAt, expires_at: expiresAt }).where('kid', '=', kid).execute();
    },
    async activate(kid, at) {
      await db.updateTable('signing_keys').set({ activates_at: at }).where('kid', '=', kid).where('activates_at', '>', at).execute();
    },
    async reseal(kid, from, to) {
      const r = await db
        .updateTable('signing_keys')
        .set({ private_jwk: to })
        .where('kid', '=', kid)
        .where('private_jwk', '=', from)
        .executeTakeFirst();
      // secure_delete (sqlite/open.ts) zeroes the old bytes in the file; the log keeps them until truncated.
      if (engine === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
