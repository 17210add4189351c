// RFC 7591 §3 and RFC 7592 §3: clients registered dynamically, written once with kysely for both engines.
import type { Kysely } from 'kysely';
import { clientToRow } from './rows.ts';
import type { Database } from './schema.ts';
import type { RegistrationRecord, RegistrationStore } from './types.ts';

const BATCH = 500;

const fromRow = (r: Database['client_registrations']): RegistrationRecord => ({
  clientId: r.client_id,
  tokenHash: r.token_hash,
  createdAt: Number(r.created_at),
  unusedUntil: r.unused_until === null ? null : Number(r.unused_until),
});

export function registrationStore(db: Kysely<Database>): RegistrationStore {
  return {
    async create(client, registration) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('clients').values(clientToRow(client)).execute();
        await trx
          .insertInto('client_registrations')
          .values({
            client_id: registration.clientId,
            token_hash: registration.tokenHash,
            created_at: registration.createdAt,
            unused_until: registration.unusedUntil,
          })
          .execute();
      });
    },
    async get(clientId) {
      const r = await db.selectFrom('client_registrations').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return r && fromRow(r);
    },
    async delete(clientId) {
      await db.deleteFrom('client_registrations').where('client_id', '=', clientId).execute();
    },
    async removeUnused(now) {
      // A client with a grant was used: it stays (grants live at least as long as their tokens, and
      // this runs every maintenance round).
      await db
        .updateTable('client_registrations')
        .set({ unused_until: null })
        .where('unused_until', 'is not', null)
        .where((eb) => eb.exists(eb.selectFrom('grants').select('id').whereRef('grants.client_id', '=', 'client_registrations.client_id')))
        .execute();
      let total = 0;
      for (;;) {
        const ids = (
          await db.selectFrom('client_registrations').select('client_id').where('unused_until', '<', now).limit(BATCH).execute()
        ).map((r) => r.client_id);
        if (ids.length === 0) break;
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('consents').where('client_id', 'in', ids).execute();
          await trx.deleteFrom('clients').where('client_id', 'in', ids).execute();
          await trx.deleteFrom('client_registrations').where('client_id', 'in', ids).execute();
        });
        total += ids.length;
        if (ids.length < BATCH) break;
      }
      return total;
    },
  };
}
