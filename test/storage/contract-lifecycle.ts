// Storage contract, part 4: usernames compared without regard to case and Unicode forms, changing
// and deleting users and clients, ending a person's or a client's access, and migration 0005.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, migrateUpTo } from '../../src/storage/migrate.ts';
import { sqlStores } from '../../src/storage/sql-stores.ts';
import { type Ctx, client, code, grant, interaction, NOW, refresh, unique, user } from './fixtures.ts';

export function lifecycleContract(ctx: Ctx): void {
  describe('usernames', () => {
    test('are one account without regard to letter case and Unicode compatibility forms', async () => {
      const u = user({ username: 'Zoë' });
      await ctx.storage.users.create(u);
      for (const typed of ['Zoë', 'zoë', 'ZOË', 'Zoe\u0308', 'Ｚｏë', ' zoë ']) {
        assert.equal((await ctx.storage.users.getByUsername(typed))?.id, u.id, typed);
      }
      // The name keeps the spelling it was created with.
      assert.equal((await ctx.storage.users.getById(u.id))?.username, 'Zoë');
      await assert.rejects(ctx.storage.users.create(user({ username: 'zOË' })));
      await assert.rejects(ctx.storage.users.create(user({ username: 'Ｚｏë' })));
      assert.equal(await ctx.storage.users.getByUsername('zoe'), undefined);
    });
  });

  describe('changing and deleting users', () => {
    test('update replaces every field but the creation time, and the lookup follows a new name', async () => {
      const u = user({ username: 'frank' });
      await ctx.storage.users.create(u);
      const changed = {
        ...u,
        username: 'Franky',
        passwordHash: '$argon2id$new',
        email: 'f@example.com',
        emailVerified: true,
        name: 'Frank',
        disabledAt: NOW + 5,
        createdAt: NOW + 99,
      };
      assert.equal(await ctx.storage.users.update(changed), true);
      assert.deepEqual(await ctx.storage.users.getById(u.id), { ...changed, createdAt: NOW });
      assert.equal((await ctx.storage.users.getByUsername('FRANKY'))?.id, u.id);
      assert.equal(await ctx.storage.users.getByUsername('frank'), undefined);
      assert.equal(await ctx.storage.users.update(user()), false, 'an unknown user is not created');
      assert.equal(await ctx.storage.users.update({ ...changed, disabledAt: null }), true);
      assert.equal((await ctx.storage.users.getById(u.id))?.disabledAt, null, 'enabled again');
    });

    test('update refuses a name another account has once normalized', async () => {
      const a = user({ username: 'grace' });
      const b = user({ username: 'heidi' });
      await ctx.storage.users.create(a);
      await ctx.storage.users.create(b);
      await assert.rejects(ctx.storage.users.update({ ...b, username: 'GRACE' }));
    });

    test('delete removes the user and the consents they gave, once', async () => {
      const u = user();
      await ctx.storage.users.create(u);
      await ctx.storage.consents.remember(u.id, 'client-x', { scopes: ['openid'], resources: [] }, NOW);
      await ctx.storage.consents.remember('someone-else', 'client-x', { scopes: ['openid'], resources: [] }, NOW);
      assert.equal(await ctx.storage.users.delete(u.id), true);
      assert.equal(await ctx.storage.users.getById(u.id), undefined);
      assert.equal(await ctx.storage.users.getByUsername(u.username), undefined);
      assert.equal(await ctx.storage.consents.get(u.id, 'client-x'), undefined);
      assert.deepEqual(await ctx.storage.consents.get('someone-else', 'client-x'), { scopes: ['openid'], resources: [] });
      assert.equal(await ctx.storage.users.delete(u.id), false);
    });
  });

  describe('changing and deleting clients', () => {
    test('update replaces every field but the creation time; delete removes the client and its consents', async () => {
      const c = client({ secretHash: 'old' });
      await ctx.storage.clients.create(c);
      const changed = {
        ...c,
        secretHash: 'new',
        name: 'Renamed',
        redirectUris: ['https://b.example/cb'],
        grantTypes: ['authorization_code', 'refresh_token'] as const,
        scope: 'openid email',
        postLogoutRedirectUris: ['https://b.example/bye'],
        resources: ['https://api.example/'],
        refreshTokenTtl: 10,
        refreshTokenIdleTtl: 5,
        disabledAt: NOW,
        createdAt: NOW + 99,
      };
      assert.equal(await ctx.storage.clients.update({ ...changed, grantTypes: [...changed.grantTypes] }), true);
      assert.deepEqual(await ctx.storage.clients.get(c.clientId), { ...changed, grantTypes: [...changed.grantTypes], createdAt: NOW });
      assert.equal(await ctx.storage.clients.update(client()), false);

      await ctx.storage.consents.remember('user-z', c.clientId, { scopes: ['openid'], resources: [] }, NOW);
      await ctx.storage.consents.remember('user-z', 'other-client', { scopes: ['openid'], resources: [] }, NOW);
      assert.equal(await ctx.storage.clients.delete(c.clientId), true);
      assert.equal(await ctx.storage.clients.get(c.clientId), undefined);
      assert.equal(await ctx.storage.consents.get('user-z', c.clientId), undefined);
      assert.deepEqual(await ctx.storage.consents.get('user-z', 'other-client'), { scopes: ['openid'], resources: [] });
      assert.equal(await ctx.storage.clients.delete(c.clientId), false);
    });
  });

  describe('revokeAccess', () => {
    /** One grant with a code, a live and a consumed refresh token. */
    async function grantOf(userId: string, clientId: string) {
      const g = grant({ userId, clientId });
      const c = code(g.id, { userId, clientId });
      const live = refresh(g.id, { userId, clientId });
      const used = refresh(g.id, { userId, clientId, consumedAt: NOW - 1 });
      await ctx.storage.codes.createWithGrant(g, c);
      await ctx.storage.refreshTokens.create(live);
      await ctx.storage.refreshTokens.create(used);
      return { g, c, live, used };
    }

    test("a person's: sessions, pending interactions and grants end; nobody else's", async () => {
      const me = unique('user');
      const other = unique('user');
      const mine = [await grantOf(me, 'client-a'), await grantOf(me, 'client-b')];
      const theirs = await grantOf(other, 'client-a');
      const sessions = [unique('s'), unique('s')];
      for (const idHash of sessions) await ctx.storage.sessions.create({ idHash, userId: me, authTime: NOW, expiresAt: NOW + 100 });
      const theirSession = { idHash: unique('s'), userId: other, authTime: NOW, expiresAt: NOW + 100 };
      await ctx.storage.sessions.create(theirSession);
      const pending = interaction({ userId: me, authTime: NOW });
      const anonymous = interaction();
      await ctx.storage.interactions.create(pending);
      await ctx.storage.interactions.create(anonymous);

      assert.deepEqual(await ctx.storage.revokeAccess({ userId: me }, NOW + 1), { sessions: 2, grants: 2 });

      for (const idHash of sessions) assert.equal(await ctx.storage.sessions.get(idHash, NOW), undefined);
      assert.ok(await ctx.storage.sessions.get(theirSession.idHash, NOW));
      assert.equal(await ctx.storage.interactions.get(pending.id, NOW), undefined);
      assert.ok(await ctx.storage.interactions.get(anonymous.id, NOW));
      for (const m of mine) {
        assert.equal((await ctx.storage.grants.get(m.g.id))?.revokedAt, NOW + 1);
        assert.equal(await ctx.storage.revokedTokens.isRevoked(unique('jti'), m.g.id), true);
        assert.equal((await ctx.storage.refreshTokens.find(m.live.tokenHash))?.consumedAt, NOW + 1);
        assert.equal((await ctx.storage.refreshTokens.find(m.used.tokenHash))?.consumedAt, NOW - 1, 'an earlier consumption is kept');
        assert.equal(await ctx.storage.codes.redeem(m.c.codeHash, NOW + 2, null), false, 'the code was consumed');
      }
      assert.equal((await ctx.storage.grants.get(theirs.g.id))?.revokedAt, null);
      assert.equal((await ctx.storage.refreshTokens.find(theirs.live.tokenHash))?.consumedAt, null);
      assert.equal(await ctx.storage.codes.redeem(theirs.c.codeHash, NOW + 2, null), true);

      assert.deepEqual(await ctx.storage.revokeAccess({ userId: me }, NOW + 3), { sessions: 0, grants: 0 }, 'nothing is left to end');
      assert.equal((await ctx.storage.grants.get(mine[0]?.g.id ?? ''))?.revokedAt, NOW + 1, 'the first revocation time is kept');
    });

    test("a client's: its grants end, other clients' and sessions stay", async () => {
      const app = unique('client');
      const person = unique('user');
      const ofApp = [await grantOf(person, app), await grantOf(unique('user'), app)];
      const ofOther = await grantOf(person, unique('client'));
      const session = { idHash: unique('s'), userId: person, authTime: NOW, expiresAt: NOW + 100 };
      await ctx.storage.sessions.create(session);

      assert.deepEqual(await ctx.storage.revokeAccess({ clientId: app }, NOW + 1), { sessions: 0, grants: 2 });

      for (const m of ofApp) {
        assert.equal((await ctx.storage.grants.get(m.g.id))?.revokedAt, NOW + 1);
        assert.equal((await ctx.storage.refreshTokens.find(m.live.tokenHash))?.consumedAt, NOW + 1);
      }
      assert.equal((await ctx.storage.grants.get(ofOther.g.id))?.revokedAt, null);
      assert.equal((await ctx.storage.refreshTokens.find(ofOther.live.tokenHash))?.consumedAt, null);
      assert.ok(await ctx.storage.sessions.get(session.idHash, NOW));
    });
  });

  describe('migration 0005', () => {
    const insertUser = (id: string, username: string, createdAt: number) =>
      sql`INSERT INTO users (id, username, password_hash, email, email_verified, name, created_at)
          VALUES (${id}, ${username}, ${'$argon2id$x'}, ${null}, ${0}, ${null}, ${createdAt})`;

    test('backfills the normalized usernames of existing accounts', async () => {
      const db = await ctx.unmigrated();
      await migrateUpTo(db, '0004-refresh-successor');
      await insertUser('old-1', 'Bob', NOW).execute(db);
      await insertUser('old-2', 'ｃａｒｏｌ', NOW + 1).execute(db);
      await migrateToLatest(db);
      const storage = sqlStores(db, ctx.storage.engine);
      assert.equal((await storage.users.getByUsername('bob'))?.id, 'old-1');
      assert.equal((await storage.users.getByUsername('CAROL'))?.id, 'old-2');
      assert.equal((await storage.users.getById('old-1'))?.disabledAt, null);
      await assert.rejects(storage.users.create(user({ username: 'BOB' })));
    });

    test('stops, changing nothing, when two accounts become one name; runs once one is renamed', async () => {
      const db = await ctx.unmigrated();
      await migrateUpTo(db, '0004-refresh-successor');
      await insertUser('dup-1', 'Alice', NOW).execute(db);
      await insertUser('dup-2', 'alice', NOW + 1).execute(db);
      await assert.rejects(migrateToLatest(db), /migration 0005-account-lifecycle failed: the usernames "Alice" and "alice" are one name/);
      await sql`UPDATE users SET username = ${'alice2'} WHERE id = ${'dup-2'}`.execute(db);
      await migrateToLatest(db);
      const storage = sqlStores(db, ctx.storage.engine);
      assert.equal((await storage.users.getByUsername('ALICE'))?.id, 'dup-1');
      assert.equal((await storage.users.getByUsername('Alice2'))?.id, 'dup-2');
    });
  });
}
