// The listings the admin API pages through (ordered by a key, after a cursor) and the audit events
// kept in the database, written once for both engines with kysely.
import { type Kysely, sql } from 'kysely';
import { normalizeUsername } from '../accounts/username.ts';
import { splitScope } from '../grants/scope.ts';
import { clientFromRow, grantFromRow, userFromRow } from './rows.ts';
import type { Database } from './schema.ts';
import type { AuditStore, ClientStore, ConsentStore, GrantStore, UserStore } from './types.ts';

/** `%`, `_` and the escape character itself are matched literally (LIKE … ESCAPE '!'). */
const likeLiteral = (s: string) => s.replace(/[!%_]/g, '!$&');

export function adminListings(db: Kysely<Database>): {
  clientPage: ClientStore['page'];
  userPage: UserStore['page'];
  consentList: ConsentStore['list'];
  grantList: GrantStore['list'];
  audit: AuditStore;
} {
  return {
    async clientPage({ after, limit }) {
      let q = db.selectFrom('clients').selectAll().orderBy('client_id').limit(limit);
      if (after !== undefined) q = q.where('client_id', '>', after);
      return (await q.execute()).map(clientFromRow);
    },
    async userPage({ after, limit, search }) {
      let q = db.selectFrom('users').selectAll().orderBy('id').limit(limit);
      if (after !== undefined) q = q.where('id', '>', after);
      if (search) {
        const pattern = `%${likeLiteral(normalizeUsername(search))}%`;
        const email = `%${likeLiteral(search.toLowerCase())}%`;
        // Both engines know ESCAPE; without it SQLite has no escape character and PostgreSQL uses a backslash.
        q = q.where(sql<boolean>`(username_normalized LIKE ${pattern} ESCAPE '!' OR lower(email) LIKE ${email} ESCAPE '!')`);
      }
      return (await q.execute()).map(userFromRow);
    },
    async consentList(owner, { after, limit }) {
      const byUser = 'userId' in owner;
      const other = byUser ? 'client_id' : 'user_id';
      let q = db
        .selectFrom('consents')
        .selectAll()
        .where(byUser ? 'user_id' : 'client_id', '=', byUser ? owner.userId : owner.clientId)
        .orderBy(other)
        .limit(limit);
      if (after !== undefined) q = q.where(other, '>', after);
      return (await q.execute()).map((r) => ({
        userId: r.user_id,
        clientId: r.client_id,
        scopes: splitScope(r.scope),
        resources: splitScope(r.resources),
        updatedAt: Number(r.updated_at),
      }));
    },
    async grantList(owner, now, { after, limit }) {
      let q = db.selectFrom('grants').selectAll().where('revoked_at', 'is', null).where('expires_at', '>', now).orderBy('id').limit(limit);
      q = 'userId' in owner ? q.where('user_id', '=', owner.userId) : q.where('client_id', '=', owner.clientId);
      if (after !== undefined) q = q.where('id', '>', after);
      return (await q.execute()).map(grantFromRow);
    },
    audit: {
      async add(e) {
        await db
          .insertInto('audit_events')
          .values({
            id: e.id,
            at: e.at,
            event: e.event,
            client_id: e.clientId,
            user_id: e.userId,
            data: JSON.stringify(e.data),
            expires_at: e.expiresAt,
          })
          .execute();
      },
      async query({ after, limit, from, to, userId, clientId, event }) {
        let q = db.selectFrom('audit_events').selectAll().orderBy('id').limit(limit);
        if (after !== undefined) q = q.where('id', '>', after);
        if (from !== undefined) q = q.where('at', '>=', from);
        if (to !== undefined) q = q.where('at', '<', to);
        if (userId !== undefined) q = q.where('user_id', '=', userId);
        if (clientId !== undefined) q = q.where('client_id', '=', clientId);
        if (event !== undefined) q = q.where('event', '=', event);
        return (await q.execute()).map((r) => ({
          id: r.id,
          at: Number(r.at),
          event: r.event,
          clientId: r.client_id,
          userId: r.user_id,
          data: JSON.parse(r.data) as Record<string, unknown>,
          expiresAt: Number(r.expires_at),
        }));
      },
    },
  };
}
