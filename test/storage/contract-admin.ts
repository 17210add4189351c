// Storage contract, part 5: the listings of the admin API (ordered, after a cursor), withdrawing a
// consent and revoking one grant in one transaction, and the audit events kept in the database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ctx, client, code, grant, NOW, refresh, unique, user } from './fixtures.ts';

export function adminContract(ctx: Ctx): void {
  describe('admin listings', () => {
    test('users page by id after a cursor; search matches username or email, % and _ literally', async () => {
      const { storage } = await ctx.fresh();
      const prefix = unique('pg').replace('-', '');
      const made = [];
      for (let i = 0; i < 5; i++) {
        const u = user({ id: `${prefix}-${i}`, username: `${prefix}_${i}`, email: i === 4 ? 'Someone.Else@Example.com' : null });
        await storage.users.create(u);
        made.push(u.id);
      }
      const first = await storage.users.page({ limit: 2 });
      assert.deepEqual(
        first.map((u) => u.id),
        made.slice(0, 2),
      );
      const next = await storage.users.page({ limit: 10, after: made[1] });
      assert.deepEqual(
        next.map((u) => u.id),
        made.slice(2),
      );
      assert.equal((await storage.users.page({ limit: 10, search: prefix.toUpperCase() })).length, 5);
      assert.deepEqual(
        (await storage.users.page({ limit: 10, search: 'else@example' })).map((u) => u.id),
        [made[4]],
      );
      assert.equal((await storage.users.page({ limit: 10, search: `${prefix}%` })).length, 0);
      assert.equal((await storage.users.page({ limit: 10, search: `${prefix}_1` })).length, 1);
      await storage.close();
    });

    test('clients page by client_id; sessions, grants and consents list per owner', async () => {
      const { storage } = await ctx.fresh();
      for (const id of ['c-b', 'c-a', 'c-c']) await storage.clients.create(client({ clientId: id }));
      assert.deepEqual(
        (await storage.clients.page({ limit: 2, after: 'c-a' })).map((c) => c.clientId),
        ['c-b', 'c-c'],
      );
      await storage.sessions.create({ idHash: 's1', userId: 'u1', authTime: NOW, expiresAt: NOW + 10 });
      await storage.sessions.create({ idHash: 's2', userId: 'u1', authTime: NOW, expiresAt: NOW - 1 });
      assert.deepEqual(
        (await storage.sessions.listForUser('u1', NOW)).map((s) => s.idHash),
        ['s1'],
      );
      const live = grant({ id: 'g1', userId: 'u1', clientId: 'c-a' });
      await storage.codes.createWithGrant(live, code('g1'));
      await storage.codes.createWithGrant(grant({ id: 'g2', userId: 'u1', clientId: 'c-b', revokedAt: NOW }), code('g2'));
      assert.deepEqual(
        (await storage.grants.list({ userId: 'u1' }, NOW, { limit: 10 })).map((g) => g.id),
        ['g1'],
      );
      assert.deepEqual(
        (await storage.grants.list({ clientId: 'c-a' }, NOW, { limit: 10 })).map((g) => g.id),
        ['g1'],
      );
      await storage.consents.remember('u1', 'c-a', { scopes: ['openid'], resources: [] }, NOW);
      await storage.consents.remember('u1', 'c-b', { scopes: ['email'], resources: [] }, NOW);
      await storage.consents.remember('u2', 'c-a', { scopes: ['openid'], resources: [] }, NOW);
      assert.deepEqual(
        (await storage.consents.list({ userId: 'u1' }, { limit: 10, after: 'c-a' })).map((c) => c.clientId),
        ['c-b'],
      );
      assert.deepEqual(
        (await storage.consents.list({ clientId: 'c-a' }, { limit: 10 })).map((c) => c.userId),
        ['u1', 'u2'],
      );
      await storage.close();
    });
  });

  describe('revoking by consent and by grant', () => {
    test("a withdrawn consent ends that client's grants from that person, and nothing else", async () => {
      const { storage } = await ctx.fresh();
      await storage.codes.createWithGrant(grant({ id: 'w1', userId: 'u1', clientId: 'c1' }), code('w1', { codeHash: 'wc1' }));
      await storage.refreshTokens.create(refresh('w1', { tokenHash: 'wr1' }));
      await storage.codes.createWithGrant(grant({ id: 'w2', userId: 'u1', clientId: 'c2' }), code('w2'));
      await storage.codes.createWithGrant(grant({ id: 'w3', userId: 'u2', clientId: 'c1' }), code('w3'));
      await storage.sessions.create({ idHash: 'ws', userId: 'u1', authTime: NOW, expiresAt: NOW + 10 });
      await storage.consents.remember('u1', 'c1', { scopes: ['openid'], resources: [] }, NOW);
      await storage.consents.remember('u1', 'c2', { scopes: ['openid'], resources: [] }, NOW);
      assert.deepEqual(await storage.revokeAccess({ userId: 'u1', clientId: 'c1' }, NOW), { sessions: 0, grants: 1 });
      assert.equal(await storage.consents.get('u1', 'c1'), undefined);
      assert.ok(await storage.consents.get('u1', 'c2'));
      assert.notEqual((await storage.grants.get('w1'))?.revokedAt, null);
      assert.equal((await storage.grants.get('w2'))?.revokedAt, null);
      assert.equal((await storage.grants.get('w3'))?.revokedAt, null);
      assert.notEqual((await storage.refreshTokens.find('wr1'))?.consumedAt, null);
      assert.equal(await storage.codes.redeem('wc1', NOW, null), false, 'the unused code is spent');
      assert.ok(await storage.sessions.get('ws', NOW), 'the session stays');
      assert.deepEqual(await storage.revokeAccess({ grantId: 'w2' }, NOW), { sessions: 0, grants: 1 });
      assert.equal((await storage.grants.get('w3'))?.revokedAt, null);
      await storage.close();
    });
  });

  describe('audit events', () => {
    test('are queried by time, client, user and event, in id order, and expire', async () => {
      const { storage } = await ctx.fresh();
      const base = { data: { route: '/users' }, expiresAt: NOW + 100 };
      await storage.audit.add({ ...base, id: '1-a', at: NOW, event: 'admin.call', clientId: 'ops', userId: null });
      await storage.audit.add({ ...base, id: '1-b', at: NOW + 5, event: 'login.success', clientId: 'app', userId: 'u1' });
      await storage.audit.add({ ...base, id: '1-c', at: NOW + 9, event: 'admin.call', clientId: 'ops', userId: 'u1', expiresAt: NOW + 1 });
      assert.deepEqual(
        (await storage.audit.query({ limit: 10, clientId: 'ops' })).map((e) => e.id),
        ['1-a', '1-c'],
      );
      assert.deepEqual(
        (await storage.audit.query({ limit: 10, userId: 'u1', event: 'login.success' })).map((e) => e.id),
        ['1-b'],
      );
      assert.deepEqual(
        (await storage.audit.query({ limit: 10, from: NOW + 1, to: NOW + 9 })).map((e) => e.id),
        ['1-b'],
      );
      assert.deepEqual((await storage.audit.query({ limit: 1, after: '1-a' }))[0]?.data, { route: '/users' });
      await storage.cleanup(NOW + 2);
      assert.deepEqual(
        (await storage.audit.query({ limit: 10 })).map((e) => e.id),
        ['1-a', '1-b'],
      );
      await storage.close();
    });
  });
}
