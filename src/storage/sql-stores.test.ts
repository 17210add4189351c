import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { migrateToLatest } from './migrate.ts';
import { openStorage } from './open.ts';
import type { Database } from './schema.ts';
import { sqlStores } from './sql-stores.ts';
import { openSqlite } from './sqlite/open.ts';
import type { AuthorizationParams, CodeRecord, GrantRecord, InteractionRecord, RefreshTokenRecord, Storage } from './types.ts';

const NOW = 1_700_000_000;

let storage: Storage;

before(async () => {
  storage = await openStorage('sqlite::memory:');
});

after(async () => {
  await storage.close();
});

let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}`;

function grant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: unique('grant'),
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid offline_access',
    authTime: NOW - 5,
    createdAt: NOW,
    expiresAt: NOW + 86_400,
    revokedAt: null,
    ...overrides,
  };
}

function code(grantId: string, overrides: Partial<CodeRecord> = {}): CodeRecord {
  return {
    codeHash: unique('code-hash'),
    grantId,
    clientId: 'client-1',
    userId: 'user-1',
    redirectUri: 'https://app.example.com/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: 'openid offline_access',
    nonce: 'n-0S6_WzA2Mj',
    authTime: NOW - 5,
    expiresAt: NOW + 60,
    consumedAt: null,
    ...overrides,
  };
}

function refresh(grantId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    tokenHash: unique('rt-hash'),
    grantId,
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid offline_access',
    authTime: NOW - 5,
    createdAt: NOW,
    expiresAt: NOW + 3600,
    consumedAt: null,
    ...overrides,
  };
}

const params: AuthorizationParams = {
  clientId: 'client-1',
  redirectUri: 'https://app.example.com/cb',
  redirectUriGiven: true,
  scope: 'openid profile',
  state: 'xyz',
  nonce: null,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  prompt: ['consent'],
  maxAge: 300,
};

function interaction(overrides: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    id: unique('interaction'),
    params,
    browserHash: 'browser-hash',
    userId: null,
    authTime: null,
    expiresAt: NOW + 900,
    ...overrides,
  };
}

describe('codes', () => {
  test('createWithGrant stores both; consume returns the code once, then reports reuse', async () => {
    const g = grant();
    const c = code(g.id);
    await storage.codes.createWithGrant(g, c);
    assert.deepEqual(await storage.grants.get(g.id), g);

    const first = await storage.codes.consume(c.codeHash, NOW + 1);
    assert.deepEqual(first, { code: { ...c, consumedAt: NOW + 1 }, reused: false });

    const second = await storage.codes.consume(c.codeHash, NOW + 2);
    assert.equal(second?.reused, true);
    // The second attempt does not move the consumption time.
    assert.deepEqual(second?.code, { ...c, consumedAt: NOW + 1 });
  });

  test('consume of an unknown code returns undefined', async () => {
    assert.equal(await storage.codes.consume('no-such-hash', NOW), undefined);
  });

  test('keeps a null nonce null', async () => {
    const g = grant();
    const c = code(g.id, { nonce: null });
    await storage.codes.createWithGrant(g, c);
    assert.equal((await storage.codes.consume(c.codeHash, NOW))?.code.nonce, null);
  });

  test('createWithGrant is one transaction: a failing code insert leaves no grant', async () => {
    const g1 = grant();
    const c = code(g1.id);
    await storage.codes.createWithGrant(g1, c);
    const g2 = grant();
    await assert.rejects(storage.codes.createWithGrant(g2, { ...c, grantId: g2.id }));
    assert.equal(await storage.grants.get(g2.id), undefined);
  });

  test('50 concurrent consumes of one code: exactly one wins', async () => {
    const g = grant();
    const c = code(g.id);
    await storage.codes.createWithGrant(g, c);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.codes.consume(c.codeHash, NOW + i)));
    assert.equal(results.filter((r) => r?.reused === false).length, 1);
    assert.equal(results.filter((r) => r?.reused === true).length, 49);
    const consumedAt = results.find((r) => r?.reused === false)?.code.consumedAt;
    for (const r of results) assert.equal(r?.code.consumedAt, consumedAt);
  });
});

describe('refresh tokens', () => {
  test('rotate consumes the old token and stores its successor, once', async () => {
    const g = grant();
    await storage.codes.createWithGrant(g, code(g.id));
    const first = refresh(g.id);
    await storage.refreshTokens.create(first);
    assert.deepEqual(await storage.refreshTokens.find(first.tokenHash), first);

    const next = refresh(g.id, { createdAt: NOW + 10 });
    assert.equal(await storage.refreshTokens.rotate(first.tokenHash, next, NOW + 10), true);
    assert.deepEqual(await storage.refreshTokens.find(first.tokenHash), { ...first, consumedAt: NOW + 10 });
    assert.deepEqual(await storage.refreshTokens.find(next.tokenHash), next);

    const again = refresh(g.id, { createdAt: NOW + 20 });
    assert.equal(await storage.refreshTokens.rotate(first.tokenHash, again, NOW + 20), false);
    assert.equal(await storage.refreshTokens.find(again.tokenHash), undefined);
    assert.equal((await storage.refreshTokens.find(first.tokenHash))?.consumedAt, NOW + 10);
  });

  test('rotate of an unknown token stores nothing', async () => {
    const next = refresh('grant-x');
    assert.equal(await storage.refreshTokens.rotate('unknown-hash', next, NOW), false);
    assert.equal(await storage.refreshTokens.find(next.tokenHash), undefined);
  });

  test('concurrent rotations of one token: exactly one succeeds and one successor is stored', async () => {
    const g = grant();
    const first = refresh(g.id);
    await storage.refreshTokens.create(first);
    const successors = Array.from({ length: 20 }, () => refresh(g.id));
    const results = await Promise.all(successors.map((s) => storage.refreshTokens.rotate(first.tokenHash, s, NOW)));
    assert.equal(results.filter(Boolean).length, 1);
    const stored = await Promise.all(successors.map((s) => storage.refreshTokens.find(s.tokenHash)));
    assert.equal(stored.filter((s) => s !== undefined).length, 1);
  });

  test('find of an unknown hash returns undefined', async () => {
    assert.equal(await storage.refreshTokens.find('nope'), undefined);
  });
});

describe('grants', () => {
  test('revoke marks the grant revoked and consumes its live refresh tokens only', async () => {
    const g = grant();
    const other = grant();
    await storage.codes.createWithGrant(g, code(g.id));
    await storage.codes.createWithGrant(other, code(other.id));
    const live1 = refresh(g.id);
    const live2 = refresh(g.id);
    const used = refresh(g.id, { consumedAt: NOW - 100 });
    const foreign = refresh(other.id);
    for (const t of [live1, live2, used, foreign]) await storage.refreshTokens.create(t);

    await storage.grants.revoke(g.id, NOW + 5);

    assert.equal((await storage.grants.get(g.id))?.revokedAt, NOW + 5);
    assert.equal((await storage.refreshTokens.find(live1.tokenHash))?.consumedAt, NOW + 5);
    assert.equal((await storage.refreshTokens.find(live2.tokenHash))?.consumedAt, NOW + 5);
    assert.equal((await storage.refreshTokens.find(used.tokenHash))?.consumedAt, NOW - 100);
    assert.equal((await storage.grants.get(other.id))?.revokedAt, null);
    assert.equal((await storage.refreshTokens.find(foreign.tokenHash))?.consumedAt, null);
    // A consumed token can no longer be rotated.
    assert.equal(await storage.refreshTokens.rotate(live1.tokenHash, refresh(g.id), NOW + 6), false);
  });

  test('revoking twice keeps the first revocation time', async () => {
    const g = grant();
    await storage.codes.createWithGrant(g, code(g.id));
    await storage.grants.revoke(g.id, NOW + 1);
    await storage.grants.revoke(g.id, NOW + 2);
    assert.equal((await storage.grants.get(g.id))?.revokedAt, NOW + 1);
  });

  test('get of an unknown grant returns undefined', async () => {
    assert.equal(await storage.grants.get('nope'), undefined);
  });
});

describe('consents', () => {
  test('get returns nothing before consent', async () => {
    assert.deepEqual(await storage.consents.get('user-c', 'client-c'), []);
  });

  test('remember stores the set, deduplicated; remembering again replaces it', async () => {
    await storage.consents.remember('user-c', 'client-c', ['profile', 'openid', 'profile'], NOW);
    assert.deepEqual((await storage.consents.get('user-c', 'client-c')).sort(), ['openid', 'profile']);
    await storage.consents.remember('user-c', 'client-c', ['openid', 'profile', 'email'], NOW + 1);
    assert.deepEqual((await storage.consents.get('user-c', 'client-c')).sort(), ['email', 'openid', 'profile']);
    await storage.consents.remember('user-c', 'client-c', ['openid'], NOW + 2);
    assert.deepEqual(await storage.consents.get('user-c', 'client-c'), ['openid']);
  });

  test('is kept per user and per client', async () => {
    await storage.consents.remember('user-d', 'client-d', ['email'], NOW);
    assert.deepEqual(await storage.consents.get('user-d', 'client-other'), []);
    assert.deepEqual(await storage.consents.get('user-other', 'client-d'), []);
  });
});

describe('interactions', () => {
  test('round-trips the record, records the user, and is consumed once', async () => {
    const i = interaction();
    await storage.interactions.create(i);
    assert.deepEqual(await storage.interactions.get(i.id, NOW), i);
    await storage.interactions.setUser(i.id, 'user-1', NOW - 1);
    assert.deepEqual(await storage.interactions.get(i.id, NOW), { ...i, userId: 'user-1', authTime: NOW - 1 });
    assert.equal(await storage.interactions.consume(i.id), true);
    assert.equal(await storage.interactions.consume(i.id), false);
    assert.equal(await storage.interactions.get(i.id, NOW), undefined);
  });

  test('get ignores an expired interaction', async () => {
    const i = interaction({ expiresAt: NOW });
    await storage.interactions.create(i);
    assert.deepEqual(await storage.interactions.get(i.id, NOW - 1), i);
    assert.equal(await storage.interactions.get(i.id, NOW), undefined);
    assert.equal(await storage.interactions.get(i.id, NOW + 1), undefined);
  });

  test('consume of an unknown interaction is false', async () => {
    assert.equal(await storage.interactions.consume('nope'), false);
  });
});

describe('sessions', () => {
  test('get returns a live session and ignores an expired one', async () => {
    const live = { idHash: unique('session'), userId: 'user-1', authTime: NOW - 10, expiresAt: NOW + 10 };
    const expired = { idHash: unique('session'), userId: 'user-1', authTime: NOW - 100, expiresAt: NOW - 1 };
    await storage.sessions.create(live);
    await storage.sessions.create(expired);
    assert.deepEqual(await storage.sessions.get(live.idHash, NOW), live);
    assert.equal(await storage.sessions.get(expired.idHash, NOW), undefined);
    assert.equal(await storage.sessions.get(live.idHash, NOW + 10), undefined);
    assert.equal(await storage.sessions.get('unknown', NOW), undefined);
  });

  test('delete removes the session', async () => {
    const s = { idHash: unique('session'), userId: 'user-1', authTime: NOW, expiresAt: NOW + 100 };
    await storage.sessions.create(s);
    await storage.sessions.delete(s.idHash);
    assert.equal(await storage.sessions.get(s.idHash, NOW), undefined);
  });
});

describe('cleanup', () => {
  const tables = ['codes', 'refresh_tokens', 'sessions', 'interactions', 'grants', 'consents', 'clients', 'signing_keys'] as const;

  async function counts(db: Kysely<Database>): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of tables) {
      const r = await db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[t] = Number(r.n);
    }
    return out;
  }

  test('deletes expired rows of every table, in batches, and keeps live ones', async () => {
    // A database of its own, built as openStorage builds it, keeping the kysely instance to count rows.
    const own = openSqlite(':memory:');
    await migrateToLatest(own);
    const s = sqlStores(own, 'sqlite');
    try {
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
      await own
        .insertInto('sessions')
        .values(Array.from({ length: 1201 }, (_, i) => ({ id_hash: `old-${i}`, user_id: 'u', auth_time: T - 99, expires_at: T - 1 })))
        .execute();
      await s.interactions.create(interaction({ expiresAt: T + 10 }));
      await s.interactions.create(interaction({ expiresAt: T - 10 }));
      await s.consents.remember('u', 'client-1', ['openid'], NOW);
      await s.clients.create({
        clientId: 'client-1',
        secretHash: null,
        name: 'App',
        redirectUris: ['https://app.example.com/cb'],
        grantTypes: ['authorization_code'],
        tokenEndpointAuthMethod: 'none',
        scope: 'openid',
        createdAt: NOW,
      });

      const beforeCounts = await counts(own);
      assert.deepEqual(beforeCounts, {
        codes: 2,
        refresh_tokens: 3,
        sessions: 1202,
        interactions: 2,
        grants: 2,
        consents: 1,
        clients: 1,
        signing_keys: 0,
      });

      const deleted = await s.cleanup(T);
      const afterCounts = await counts(own);
      assert.deepEqual(afterCounts, {
        codes: 1,
        refresh_tokens: 1,
        sessions: 1,
        interactions: 1,
        grants: 1,
        consents: 1,
        clients: 1,
        signing_keys: 0,
      });
      assert.equal(deleted, 1 + 2 + 1201 + 1 + 1);

      // The survivors are the live ones.
      assert.ok(await s.sessions.get('live-session', T));
      assert.ok(await s.grants.get(liveGrant.id));
      assert.equal(await s.grants.get(deadGrant.id), undefined);

      // Nothing left to delete.
      assert.equal(await s.cleanup(T), 0);
    } finally {
      await s.close();
    }
  });
});

describe('clients and users', () => {
  test('a client round-trips', async () => {
    const c = {
      clientId: 'rt-client',
      secretHash: 'hash',
      name: 'Round Trip',
      redirectUris: ['https://a.example/cb', 'com.example.app:/cb'],
      grantTypes: ['authorization_code', 'refresh_token'] as const,
      tokenEndpointAuthMethod: 'client_secret_basic' as const,
      scope: 'openid email',
      createdAt: NOW,
    };
    await storage.clients.create({ ...c, grantTypes: [...c.grantTypes] });
    assert.deepEqual(await storage.clients.get('rt-client'), { ...c, grantTypes: [...c.grantTypes] });
    assert.equal(await storage.clients.get('RT-CLIENT'), undefined);
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
    };
    await storage.users.create(u);
    assert.deepEqual(await storage.users.getById('u-1'), u);
    assert.deepEqual(await storage.users.getByUsername('alice'), u);
    assert.equal(await storage.users.getByUsername('Alice'), undefined);
    await assert.rejects(storage.users.create({ ...u, id: 'u-2' }));
  });
});
