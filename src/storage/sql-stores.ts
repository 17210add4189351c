// ARCHITECTURE.md rule 6: the queries both engines share, written once with kysely.
import type { Kysely } from 'kysely';
import { normalizeUsername } from '../accounts/username.ts';
import { splitScope } from '../grants/scope.ts';
import { adminListings } from './admin-stores.ts';
import { purgeExpired } from './cleanup.ts';
import { deviceCodeStore } from './device-code-store.ts';
import { factorStore, factorSummaryFromRow } from './factor-store.ts';
import { hotStatements, joinedGrant } from './hot-statements.ts';
import { type HotWrites, one, transactionHotWrites } from './hot-writes.ts';
import { keyStore } from './key-store.ts';
import { endSessions, logoutJobStore, notifyQueued, type QueuedListeners } from './logout-job-store.ts';
import { postgresHotWrites } from './postgres/hot-writes.ts';
import { registrationStore } from './registration-store.ts';
import { pushedRequestStore, usedJtiStore } from './replay-stores.ts';
import { revokeAccess } from './revoke-access.ts';
import {
  clientFromRow,
  clientToRow,
  codeFromRow,
  codeToRow,
  grantFromRow,
  grantToRow,
  interactionFromRow,
  refreshFromRow,
  refreshToRow,
  sessionFromRow,
  userFromRow,
  userToRow,
} from './rows.ts';
import { runner } from './runner.ts';
import type { Database } from './schema.ts';
import { throttleStore } from './throttle-store.ts';
import type { Storage } from './types.ts';

/** Builds every store over one kysely instance. */
export function sqlStores(db: Kysely<Database>, engine: Storage['engine']): Storage {
  const listings = adminListings(db);
  const hot = hotStatements(db);
  // The hot statements run through this: directly on SQLite (storage/runner.ts).
  const run = runner(db);
  // The write transactions of the token paths; on PostgreSQL one statement each (postgres/hot-writes.ts).
  const writes: HotWrites = engine === 'postgres' ? postgresHotWrites(db, run) : transactionHotWrites(hot, run);
  // Told after a commit that queued back-channel logout jobs (the worker of this process).
  const queued: QueuedListeners = new Set();
  const now = () => Math.floor(Date.now() / 1000);
  return {
    engine,
    clients: {
      async get(clientId) {
        const r = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
        return r && clientFromRow(r);
      },
      async create(client) {
        await db.insertInto('clients').values(clientToRow(client)).execute();
      },
      async list() {
        return (await db.selectFrom('clients').selectAll().orderBy('created_at').execute()).map(clientFromRow);
      },
      page: listings.clientPage,
      async update(client) {
        const { created_at: _, ...row } = clientToRow(client);
        const r = await db.updateTable('clients').set(row).where('client_id', '=', client.clientId).executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      },
      async delete(clientId) {
        return db.transaction().execute(async (trx) => {
          await trx.deleteFrom('consents').where('client_id', '=', clientId).execute();
          const r = await trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
          return Number(r.numDeletedRows) === 1;
        });
      },
    },
    users: {
      async getById(id) {
        const r = (await hot.user(run, { id })).rows[0];
        return r && userFromRow(r);
      },
      async getByUsername(username) {
        const r = await db
          .selectFrom('users')
          .selectAll()
          .where('username_normalized', '=', normalizeUsername(username))
          .executeTakeFirst();
        return r && userFromRow(r);
      },
      async create(user) {
        await db.insertInto('users').values(userToRow(user)).execute();
      },
      async list() {
        return (await db.selectFrom('users').selectAll().orderBy('created_at').execute()).map(userFromRow);
      },
      page: listings.userPage,
      async update(user) {
        const { created_at: _, ...row } = userToRow(user);
        const r = await db.updateTable('users').set(row).where('id', '=', user.id).executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      },
      async delete(id) {
        return db.transaction().execute(async (trx) => {
          await trx.deleteFrom('consents').where('user_id', '=', id).execute();
          for (const table of ['totp_factors', 'recovery_codes', 'passkeys'] as const) {
            await trx.deleteFrom(table).where('user_id', '=', id).execute();
          }
          const r = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
          return Number(r.numDeletedRows) === 1;
        });
      },
    },
    sessions: {
      async create(s) {
        await db
          .insertInto('sessions')
          .values({
            id_hash: s.idHash,
            user_id: s.userId,
            auth_time: s.authTime,
            expires_at: s.expiresAt,
            amr: (s.amr ?? ['pwd']).join(' '),
            sid: s.sid ?? null,
          })
          .execute();
      },
      async get(idHash, now) {
        const r = (await hot.session(run, { idHash, now })).rows[0];
        return r && sessionFromRow(r);
      },
      async getForClient(idHash, now, clientId) {
        const r = (await hot.sessionForClient(run, { idHash, now, clientId })).rows[0];
        if (!r) return undefined;
        const { c_scope, c_resources, totp, passkeys, recovery, ...session } = r;
        return {
          session: sessionFromRow(session),
          consent: c_scope === null ? undefined : { scopes: splitScope(c_scope), resources: splitScope(c_resources ?? '') },
          factors: factorSummaryFromRow({ totp, passkeys, recovery }),
        };
      },
      async delete(idHash) {
        const r = await db.transaction().execute((trx) => endSessions(trx, { idHash }, now()));
        notifyQueued(queued, r.queued);
      },
      // The user's live sessions, newest sign-in first (the account page and the admin API).
      async listForUser(userId, now) {
        const rows = await db
          .selectFrom('sessions')
          .selectAll()
          .where('user_id', '=', userId)
          .where('expires_at', '>', now)
          .orderBy('auth_time', 'desc')
          .orderBy('id_hash')
          .execute();
        return rows.map(sessionFromRow);
      },
      async deleteOthers(userId, keepIdHash) {
        const r = await db.transaction().execute((trx) => endSessions(trx, { userId, exceptIdHash: keepIdHash }, now()));
        notifyQueued(queued, r.queued);
        return r.sessions;
      },
      async upgrade(idHash, authTime, amr) {
        await db
          .updateTable('sessions')
          .set({ auth_time: authTime, amr: amr.join(' ') })
          .where('id_hash', '=', idHash)
          .execute();
      },
    },
    interactions: {
      async create(i) {
        await db
          .insertInto('interactions')
          .values({
            id: i.id,
            params: JSON.stringify(i.params),
            browser_hash: i.browserHash,
            user_id: i.userId,
            auth_time: i.authTime,
            expires_at: i.expiresAt,
            consented: i.consented ? 1 : 0,
            amr: i.amr ? i.amr.join(' ') : null,
          })
          .execute();
      },
      async get(id, now) {
        const r = await db.selectFrom('interactions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
        return r && interactionFromRow(r);
      },
      async setUser(id, userId, authTime, amr) {
        await db
          .updateTable('interactions')
          .set({ user_id: userId, auth_time: authTime, amr: amr ? amr.join(' ') : null })
          .where('id', '=', id)
          .execute();
      },
      async setConsented(id) {
        await db.updateTable('interactions').set({ consented: 1 }).where('id', '=', id).execute();
      },
      async consume(id) {
        const r = await db.deleteFrom('interactions').where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) === 1;
      },
    },
    consents: {
      async get(userId, clientId) {
        const r = (await hot.consent(run, { userId, clientId })).rows[0];
        return r && { scopes: splitScope(r.scope), resources: splitScope(r.resources) };
      },
      async remember(userId, clientId, approved, now) {
        const scope = [...new Set(approved.scopes)].sort().join(' ');
        const resources = [...new Set(approved.resources)].sort().join(' ');
        await db
          .insertInto('consents')
          .values({ user_id: userId, client_id: clientId, scope, resources, updated_at: now })
          .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope, resources, updated_at: now }))
          .execute();
      },
      list: listings.consentList,
      async listForUser(userId) {
        const rows = await db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('updated_at', 'desc').execute();
        return rows.map((r) => ({
          clientId: r.client_id,
          scopes: splitScope(r.scope),
          resources: splitScope(r.resources),
          updatedAt: Number(r.updated_at),
        }));
      },
    },
    grants: {
      async get(id) {
        const r = (await hot.grant(run, { id })).rows[0];
        return r && grantFromRow(r);
      },
      list: listings.grantList,
      async revoke(id, now) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
          await trx
            .updateTable('refresh_tokens')
            .set({ consumed_at: now })
            .where('grant_id', '=', id)
            .where('consumed_at', 'is', null)
            .execute();
        });
      },
    },
    revokedTokens: {
      async add(jti, expiresAt) {
        await db
          .insertInto('revoked_access_tokens')
          .values({ jti, expires_at: expiresAt })
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute();
      },
      async has(jti) {
        return (await db.selectFrom('revoked_access_tokens').select('jti').where('jti', '=', jti).executeTakeFirst()) !== undefined;
      },
      async isRevoked(jti, grantId) {
        const row = (await hot.isRevoked(run, { jti, grantId: grantId ?? '' })).rows[0];
        return Number(row?.revoked) > 0 || (grantId !== null && Number(row?.live_grant) === 0);
      },
    },
    codes: {
      createWithGrant: (grant, code) => writes.grantAndCode(grantToRow(grant), codeToRow(code)),
      async findWithGrant(codeHash) {
        const r = (await hot.codeWithGrant(run, { codeHash })).rows[0];
        if (!r) return undefined;
        const grant = joinedGrant(r);
        return { code: codeFromRow(r), grant: grant && grantFromRow(grant) };
      },
      async redeem(codeHash, now, refreshToken) {
        // ARCHITECTURE.md rule 5 / RFC 6749 §4.1.2: single use, enforced by one atomic statement.
        if (!refreshToken) return one(await hot.consumeCode(run, { codeHash, now }));
        return writes.redeem(codeHash, now, refreshToRow(refreshToken));
      },
    },
    refreshTokens: {
      async create(t) {
        await hot.insertRefresh(run, refreshToRow(t));
      },
      async find(tokenHash) {
        const r = (await hot.refreshToken(run, { tokenHash })).rows[0];
        return r && refreshFromRow(r);
      },
      async findWithGrant(tokenHash) {
        const r = (await hot.refreshWithGrant(run, { tokenHash })).rows[0];
        if (!r) return undefined;
        const grant = joinedGrant(r);
        return { token: refreshFromRow(r), grant: grant && grantFromRow(grant) };
      },
      async rotate(tokenHash, next, now, successor) {
        return writes.rotate(tokenHash, now, refreshToRow(next), successor);
      },
    },
    keys: keyStore(db, engine),
    throttle: throttleStore(db),
    registrations: registrationStore(db),
    audit: listings.audit,
    deviceCodes: deviceCodeStore(db),
    usedJtis: usedJtiStore(db),
    pushedRequests: pushedRequestStore(db),
    factors: factorStore(db),
    logoutJobs: logoutJobStore(db, queued),
    revokeAccess: revokeAccess(db, queued),
    cleanup: (now) => purgeExpired(db, now),
    async close() {
      await db.destroy();
    },
  };
}
