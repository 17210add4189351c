// The second factors and passkeys (factor-types.ts), written once with kysely for both engines.
import { type Expression, expressionBuilder, type Kysely } from 'kysely';
import type { FactorStore, FactorSummary, PasskeyRecord } from './factor-types.ts';
import { prepare } from './prepared.ts';
import type { Database } from './schema.ts';

const passkeyFromRow = (r: Database['passkeys']): PasskeyRecord => ({
  id: r.id,
  userId: r.user_id,
  publicKey: r.public_key,
  counter: Number(r.counter),
  transports: r.transports ? r.transports.split(' ') : [],
  backupEligible: Boolean(Number(r.backup_eligible)),
  backupState: Boolean(Number(r.backup_state)),
  name: r.name,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/**
 * The counts a factor summary is made of, each a subquery on the user `userId` stands for (a value,
 * or a column of the outer query): here, and in a returning sign-in's one read (hot-statements.ts).
 */
export function factorCounts(userId: string | Expression<string>) {
  const eb = expressionBuilder<Database, never>();
  return [
    eb
      .selectFrom('totp_factors')
      .select(eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .as('totp'),
    eb.selectFrom('passkeys').select(eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).as('passkeys'),
    eb
      .selectFrom('recovery_codes')
      .select(eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .as('recovery'),
  ] as const;
}

/** A factor summary out of the counts of factorCounts. */
export function factorSummaryFromRow(row: { totp: unknown; passkeys: unknown; recovery: unknown } | undefined): FactorSummary {
  return { totp: Number(row?.totp) > 0, passkeys: Number(row?.passkeys), recoveryCodes: Number(row?.recovery) };
}

export function factorStore(db: Kysely<Database>): FactorStore {
  // Asked on every authorization of a signed-in user (authorization/decide.ts): compiled once.
  const summary = prepare<{ totp: number; passkeys: number; recovery: number }, { userId: string }>((s) =>
    db.selectNoFrom(factorCounts(s('userId'))),
  );
  return {
    async getTotp(userId) {
      const r = await db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return (
        r && {
          userId: r.user_id,
          secret: r.secret,
          confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at),
          lastStep: Number(r.last_step),
          createdAt: Number(r.created_at),
        }
      );
    },
    async beginTotp(userId, secret, now) {
      const r = await db
        .insertInto('totp_factors')
        .values({ user_id: userId, secret, confirmed_at: null, last_step: 0, created_at: now })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({ secret, last_step: 0, created_at: now }).where('totp_factors.confirmed_at', 'is', null),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async useTotpStep(userId, step, now, confirm = false) {
      // RFC 6238 §5.2: one statement, so that two requests with the same code cannot both succeed.
      let q = db.updateTable('totp_factors').set({ last_step: step }).where('user_id', '=', userId).where('last_step', '<', step);
      if (confirm) q = q.set({ confirmed_at: now }).where('confirmed_at', 'is', null);
      else q = q.where('confirmed_at', 'is not', null);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteTotp(userId) {
      const r = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async replaceRecoveryCodes(userId, hashes, now) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        if (hashes.length === 0) return;
        await trx
          .insertInto('recovery_codes')
          .values(hashes.map((h) => ({ user_id: userId, code_hash: h, used_at: null, created_at: now })))
          .execute();
      });
    },
    async useRecoveryCode(userId, hash, now) {
      const r = await db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async listPasskeys(userId) {
      const rows = await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
      return rows.map(passkeyFromRow);
    },
    async getPasskey(id) {
      const r = await db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
      return r && passkeyFromRow(r);
    },
    async addPasskey(p) {
      await db
        .insertInto('passkeys')
        .values({
          id: p.id,
          user_id: p.userId,
          public_key: p.publicKey,
          counter: p.counter,
          transports: p.transports.join(' '),
          backup_eligible: p.backupEligible ? 1 : 0,
          backup_state: p.backupState ? 1 : 0,
          name: p.name,
          created_at: p.createdAt,
          last_used_at: p.lastUsedAt,
        })
        .execute();
    },
    async usePasskey(id, counter, backupState, now) {
      // WebAuthn §6.1.1: a counter that does not grow means a cloned authenticator, unless it keeps none (0).
      const r = await db
        .updateTable('passkeys')
        .set({ counter, backup_state: backupState ? 1 : 0, last_used_at: now })
        .where('id', '=', id)
        .where('counter', counter === 0 ? '=' : '<', counter)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deletePasskey(userId, id) {
      const r = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async summary(userId) {
      return factorSummaryFromRow((await summary(db, { userId })).rows[0]);
    },
    async removeAll(userId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('totp_factors').where('user_id', '=', userId).execute();
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        await trx.deleteFrom('passkeys').where('user_id', '=', userId).execute();
      });
    },
    async saveChallenge(idHash, challenge, userId, expiresAt) {
      await db
        .insertInto('webauthn_challenges')
        .values({ id_hash: idHash, challenge, user_id: userId, expires_at: expiresAt })
        .onConflict((oc) => oc.column('id_hash').doUpdateSet({ challenge, user_id: userId, expires_at: expiresAt }))
        .execute();
    },
    async takeChallenge(idHash, now) {
      const r = await db.deleteFrom('webauthn_challenges').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      return r && Number(r.expires_at) > now ? { challenge: r.challenge, userId: r.user_id } : undefined;
    },
  };
}
