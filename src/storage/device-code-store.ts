// RFC 8628: device authorization requests, written once with kysely for both engines.
import { type Kysely, sql } from 'kysely';
import { grantToRow, splitAmr } from './rows.ts';
import type { Database } from './schema.ts';
import type { DeviceCodeRecord, DeviceCodeStore } from './types.ts';

const SLOW_DOWN_STEP = 5;

const fromRow = (r: Database['device_codes']): DeviceCodeRecord => ({
  deviceCodeHash: r.device_code_hash,
  userCodeHash: r.user_code_hash,
  clientId: r.client_id,
  scope: r.scope,
  resources: JSON.parse(r.resources) as string[],
  status: r.status as DeviceCodeRecord['status'],
  userId: r.user_id,
  authTime: r.auth_time === null ? null : Number(r.auth_time),
  amr: splitAmr(r.amr) ?? [],
  interval: Number(r.interval),
  lastPolledAt: r.last_polled_at === null ? null : Number(r.last_polled_at),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

export function deviceCodeStore(db: Kysely<Database>): DeviceCodeStore {
  return {
    async create(d) {
      await db
        .insertInto('device_codes')
        .values({
          device_code_hash: d.deviceCodeHash,
          user_code_hash: d.userCodeHash,
          client_id: d.clientId,
          scope: d.scope,
          resources: JSON.stringify(d.resources),
          status: d.status,
          user_id: d.userId,
          auth_time: d.authTime,
          amr: d.amr.join(' '),
          interval: d.interval,
          last_polled_at: d.lastPolledAt,
          slowed: 0,
          created_at: d.createdAt,
          expires_at: d.expiresAt,
        })
        .execute();
    },
    async findPending(userCodeHash, now) {
      const r = await db
        .selectFrom('device_codes')
        .selectAll()
        .where('user_code_hash', '=', userCodeHash)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return r && fromRow(r);
    },
    async decide(deviceCodeHash, outcome, now) {
      const set =
        outcome === 'denied'
          ? { status: 'denied' }
          : { status: 'approved', user_id: outcome.userId, auth_time: outcome.authTime, amr: outcome.amr.join(' ') };
      const r = await db
        .updateTable('device_codes')
        .set(set)
        .where('device_code_hash', '=', deviceCodeHash)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async poll(deviceCodeHash, now) {
      // Every right-hand side reads the row as it was before this statement, on both engines.
      const early = sql<boolean>`(device_codes.last_polled_at is not null and device_codes.last_polled_at + device_codes.interval > ${now})`;
      const r = await db
        .updateTable('device_codes')
        .set({
          last_polled_at: now,
          interval: sql<number>`case when ${early} then device_codes.interval + ${sql.lit(SLOW_DOWN_STEP)} else device_codes.interval end`,
          // RETURNING sees the new row: whether this poll was early is kept in the row itself.
          slowed: sql<number>`case when ${early} then 1 else 0 end`,
        })
        .where('device_code_hash', '=', deviceCodeHash)
        .returningAll()
        .executeTakeFirst();
      if (!r) return undefined;
      return { record: fromRow(r), tooFast: Number(r.slowed) === 1 };
    },
    async redeem(deviceCodeHash, grant) {
      return db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('device_codes')
          .set({ status: 'consumed' })
          .where('device_code_hash', '=', deviceCodeHash)
          .where('status', '=', 'approved')
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx.insertInto('grants').values(grantToRow(grant)).execute();
        return true;
      });
    },
  };
}
