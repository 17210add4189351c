// Storage contract, part 2: consents, interactions, sessions, clients, users, keys and cleanup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import type { KeyRecord } from '../../src/storage/types.ts';
import { type Ctx, client, code, grant, interaction, NOW, refresh, unique } from './fixtures.ts';

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kid: unique('kid'),
    alg: 'ES256',
    privateJwk: '{"kty":"EC"}',
    publicJwk: '{"kty":"EC"}',
    createdAt: NOW,
    activatesAt: NOW,
    retiresAt: null,
    expiresAt: null,
    replaces: null,
    ...overrides,
  };
}

export function recordContract(ctx: Ctx): void {
  describe('consents', () => {
    test('get returns nothing before consent', async () => {
      assert.equal(await ctx.storage.consents.get('user-c', 'client-c'), undefined);
    });

    test('remember stores the scopes and resources, deduplicated; remembering again replaces them', async () => {
      const c = ctx.storage.consents;
      await c.remember('user-c', 'client-c', { scopes: ['profile', 'openid', 'profile'], resources: [] }, NOW);
      assert.deepEqual(await c.get('user-c', 'client-c'), { scopes: ['openid', 'profile'], resources: [] });
      const api = ['https://b.example/api', 'https://a.example/', 'https://b.example/api'];
      await c.remember('user-c', 'client-c', { scopes: ['openid', 'profile', 'email'], resources: api }, NOW + 1);
      assert.deepEqual(await c.get('user-c', 'client-c'), {
        scopes: ['email', 'openid', 'profile'],
        resources: ['https://a.example/', 'https://b.example/api'],
      });
      await c.remember('user-c', 'client-c', { scopes: ['openid'], resources: [] }, NOW + 2);
      assert.deepEqual(await c.get('user-c', 'client-c'), { scopes: ['openid'], resources: [] });
    });

    test('is kept per user and per client', async () => {
      await ctx.storage.consents.remember('user-d', 'client-d', { scopes: ['email'], resources: [] }, NOW);
      assert.equal(await ctx.storage.consents.get('user-d', 'client-other'), undefined);
      assert.equal(await ctx.storage.consents.get('user-other', 'client-d'), undefined);
    });
  });

  describe('interactions', () => {
    test('round-trips the record, records the user, and is consumed once', async () => {
      const i = interaction();
      await ctx.storage.interactions.create(i);
      assert.deepEqual(await ctx.storage.interactions.get(i.id, NOW), i);
      await ctx.storage.interactions.setUser(i.id, 'user-1', NOW - 1);
      assert.deepEqual(await ctx.storage.interactions.get(i.id, NOW), { ...i, userId: 'user-1', authTime: NOW - 1 });
      await ctx.storage.interactions.setConsented(i.id);
      assert.deepEqual(await ctx.storage.interactions.get(i.id, NOW), { ...i, userId: 'user-1', authTime: NOW - 1, consented: true });
      assert.equal(await ctx.storage.interactions.consume(i.id), true);
      assert.equal(await ctx.storage.interactions.consume(i.id), false);
      assert.equal(await ctx.storage.interactions.get(i.id, NOW), undefined);
    });

    test('get ignores an expired interaction', async () => {
      const i = interaction({ expiresAt: NOW });
      await ctx.storage.interactions.create(i);
      assert.deepEqual(await ctx.storage.interactions.get(i.id, NOW - 1), i);
      assert.equal(await ctx.storage.interactions.get(i.id, NOW), undefined);
      assert.equal(await ctx.storage.interactions.get(i.id, NOW + 1), undefined);
    });

    test('consume of an unknown interaction is false', async () => {
      assert.equal(await ctx.storage.interactions.consume('nope'), false);
    });
  });

  describe('sessions', () => {
    test('get returns a live session and ignores an expired one', async () => {
      const live = { idHash: unique('session'), userId: 'user-1', authTime: NOW - 10, expiresAt: NOW + 10 };
      const expired = { idHash: unique('session'), userId: 'user-1', authTime: NOW - 100, expiresAt: NOW - 1 };
      await ctx.storage.sessions.create(live);
      await ctx.storage.sessions.create(expired);
      // A session stored without amr was signed in with a password (migration 0010).
      assert.deepEqual(await ctx.storage.sessions.get(live.idHash, NOW), { ...live, amr: ['pwd'] });
      assert.equal(await ctx.storage.sessions.get(expired.idHash, NOW), undefined);
      assert.equal(await ctx.storage.sessions.get(live.idHash, NOW + 10), undefined);
      assert.equal(await ctx.storage.sessions.get('unknown', NOW), undefined);
    });

    test('delete removes the session', async () => {
      const s = { idHash: unique('session'), userId: 'user-1', authTime: NOW, expiresAt: NOW + 100 };
      await ctx.storage.sessions.create(s);
      await ctx.storage.sessions.delete(s.idHash);
      assert.equal(await ctx.storage.sessions.get(s.idHash, NOW), undefined);
    });
  });

  describe('clients and users', () => {
    test('a client round-trips', async () => {
      const c = client({
        clientId: 'rt-client',
        secretHash: 'hash',
        name: 'Round Trip',
        redirectUris: ['https://a.example/cb', 'com.example.app:/cb'],
        grantTypes: ['authorization_code', 'refresh_token'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        scope: 'openid email',
        postLogoutRedirectUris: ['https://a.example/bye'],
        resources: ['https://api.example.com/'],
        refreshTokenTtl: 86_400,
        refreshTokenIdleTtl: 3600,
      });
      await ctx.storage.clients.create(c);
      assert.deepEqual(await ctx.storage.clients.get('rt-client'), c);
      assert.equal(await ctx.storage.clients.get('RT-CLIENT'), undefined);
      assert.ok((await ctx.storage.clients.list()).some((x) => x.clientId === 'rt-client'));
    });

    test('a user is found by id and by username; the username is unique', async () => {
      const u = {
        id: 'u-1',
        username: 'alice',
        passwordHash: '$argon2id$x',
        email: 'alice@example.com',
        emailVerified: true,
        name: 'Alice',
        createdAt: NOW,
        disabledAt: null,
        roles: ['admin'],
        groups: ['staff', 'ops'],
      };
      await ctx.storage.users.create(u);
      assert.deepEqual(await ctx.storage.users.getById('u-1'), u);
      assert.deepEqual(await ctx.storage.users.getByUsername('alice'), u);
      assert.equal(await ctx.storage.users.getByUsername('alicia'), undefined);
      await assert.rejects(ctx.storage.users.create({ ...u, id: 'u-2' }));
    });
  });

  describe('signing keys', () => {
    test('keys are listed oldest first, and retire sets both times', async () => {
      const { storage } = await ctx.fresh();
      const a = key({ createdAt: NOW });
      const b = key({ createdAt: NOW + 5, alg: 'RS256', retiresAt: null });
      await storage.keys.create(b);
      await storage.keys.create(a);
      assert.deepEqual(await storage.keys.list(), [a, b]);
      await storage.keys.retire(a.kid, NOW + 10, NOW + 1000);
      assert.deepEqual(await storage.keys.list(), [{ ...a, retiresAt: NOW + 10, expiresAt: NOW + 1000 }, b]);
    });

    test('one key at most replaces a given key per alg: a second insert adds nothing', async () => {
      const { storage } = await ctx.fresh();
      const first = key({ replaces: '' });
      assert.equal(await storage.keys.create(first), true);
      assert.equal(await storage.keys.create(key({ replaces: '' })), false, 'a second first key');
      assert.equal(await storage.keys.create(key({ replaces: '', alg: 'RS256' })), true, 'other algs are apart');
      const next = key({ replaces: first.kid, createdAt: NOW + 1 });
      assert.equal(await storage.keys.create(next), true);
      assert.equal(await storage.keys.create(key({ replaces: first.kid, createdAt: NOW + 1 })), false, 'a concurrent rotation');
      assert.equal(await storage.keys.create(key()), true, 'keys without lineage (older rows) are not constrained');
      assert.equal(await storage.keys.create(key()), true);
      assert.deepEqual(
        (await storage.keys.list()).filter((k) => k.alg === 'ES256' && k.replaces !== null).map((k) => k.kid),
        [first.kid, next.kid],
      );
    });

    test('activate only brings activation forward; reseal is a compare-and-set', async () => {
      const { storage } = await ctx.fresh();
      const k = key({ activatesAt: NOW + 100 });
      await storage.keys.create(k);
      await storage.keys.activate(k.kid, NOW + 200);
      assert.equal((await storage.keys.list())[0]?.activatesAt, NOW + 100);
      await storage.keys.activate(k.kid, NOW);
      assert.equal((await storage.keys.list())[0]?.activatesAt, NOW);
      assert.equal(await storage.keys.reseal(k.kid, 'not the stored value', 'x'), false);
      assert.equal(await storage.keys.reseal(k.kid, k.privateJwk, 'sealed'), true);
      assert.equal(await storage.keys.reseal(k.kid, k.privateJwk, 'again'), false, 'the value changed meanwhile');
      assert.equal((await storage.keys.list())[0]?.privateJwk, 'sealed');
    });
  });

  describe('cleanup', () => {
    const tables = [
      'codes',
      'refresh_tokens',
      'sessions',
      'interactions',
      'grants',
      'consents',
      'clients',
      'signing_keys',
      'revoked_access_tokens',
    ] as const;

    async function counts(db: Kysely<Database>): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const t of tables) {
        const r = await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        out[t] = r.n;
      }
      return out;
    }

    test('deletes expired rows of every table, in batches, and keeps live ones', async () => {
      // A database of its own, keeping the query builder to count rows.
      const { storage: s, db } = await ctx.fresh();
      const T = NOW + 1_000_000;
      const liveGrant = grant({ expiresAt: T + 100 });
      const deadGrant = grant({ expiresAt: T - 1 });
      await s.codes.createWithGrant(liveGrant, code(liveGrant.id, { expiresAt: T + 10 }));
      await s.codes.createWithGrant(deadGrant, code(deadGrant.id, { expiresAt: T - 10 }));
      await s.refreshTokens.create(refresh(liveGrant.id, { expiresAt: T + 10 }));
      await s.refreshTokens.create(refresh(liveGrant.id, { expiresAt: T - 10 }));
      await s.refreshTokens.create(refresh(deadGrant.id, { expiresAt: T - 10, consumedAt: T - 20 }));
      await s.sessions.create({ idHash: 'live-session', userId: 'u', authTime: T, expiresAt: T + 10 });
      // More expired sessions than one batch holds.
      await db
        .insertInto('sessions')
        .values(Array.from({ length: 1201 }, (_, i) => ({ id_hash: `old-${i}`, user_id: 'u', auth_time: T - 99, expires_at: T - 1 })))
        .execute();
      await s.interactions.create(interaction({ expiresAt: T + 10 }));
      await s.interactions.create(interaction({ expiresAt: T - 10 }));
      await s.consents.remember('u', 'client-1', { scopes: ['openid'], resources: [] }, NOW);
      await s.clients.create(client({ clientId: 'client-1' }));
      const liveKey = key();
      await s.keys.create(liveKey);
      await s.keys.create(key({ retiresAt: T - 100, expiresAt: T - 1 }));
      await s.revokedTokens.add('live-jti', T + 10);
      await s.revokedTokens.add('dead-jti', T - 10);

      assert.deepEqual(await counts(db), {
        codes: 2,
        refresh_tokens: 3,
        sessions: 1202,
        interactions: 2,
        grants: 2,
        consents: 1,
        clients: 1,
        signing_keys: 2,
        revoked_access_tokens: 2,
      });

      const deleted = await s.cleanup(T);
      assert.deepEqual(await counts(db), {
        codes: 1,
        refresh_tokens: 1,
        sessions: 1,
        interactions: 1,
        grants: 1,
        consents: 1,
        clients: 1,
        signing_keys: 1,
        revoked_access_tokens: 1,
      });
      assert.equal(deleted, 1 + 2 + 1201 + 1 + 1 + 1 + 1);

      // The survivors are the live ones.
      assert.ok(await s.sessions.get('live-session', T));
      assert.ok(await s.grants.get(liveGrant.id));
      assert.equal(await s.grants.get(deadGrant.id), undefined);
      assert.deepEqual(await s.keys.list(), [liveKey]);
      assert.equal(await s.revokedTokens.has('live-jti'), true);
      assert.equal(await s.revokedTokens.has('dead-jti'), false);

      // Nothing left to delete.
      assert.equal(await s.cleanup(T), 0);
    });
  });
}
