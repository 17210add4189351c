// Storage contract, part 1: codes, refresh tokens, grants and revoked access tokens (ARCHITECTURE.md rule 5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ctx, code, grant, NOW, refresh } from './fixtures.ts';

export function tokenContract(ctx: Ctx): void {
  describe('codes', () => {
    test('createWithGrant stores both; findWithGrant reads both; redeem consumes the code once', async () => {
      const g = grant({ resources: ['https://api.example.com/'] });
      const c = code(g.id);
      await ctx.storage.codes.createWithGrant(g, c);
      assert.deepEqual(await ctx.storage.grants.get(g.id), g);
      assert.deepEqual(await ctx.storage.codes.findWithGrant(c.codeHash), { code: c, grant: g });

      assert.equal(await ctx.storage.codes.redeem(c.codeHash, NOW + 1, null), true);
      assert.deepEqual(await ctx.storage.codes.findWithGrant(c.codeHash), { code: { ...c, consumedAt: NOW + 1 }, grant: g });

      assert.equal(await ctx.storage.codes.redeem(c.codeHash, NOW + 2, null), false);
      // The second attempt does not move the consumption time.
      assert.equal((await ctx.storage.codes.findWithGrant(c.codeHash))?.code.consumedAt, NOW + 1);
    });

    test('findWithGrant of an unknown code is undefined; redeem of one is false', async () => {
      assert.equal(await ctx.storage.codes.findWithGrant('no-such-hash'), undefined);
      assert.equal(await ctx.storage.codes.redeem('no-such-hash', NOW, null), false);
    });

    test('redeem stores the refresh token with the consumption; nothing when the code was spent', async () => {
      const g = grant();
      const c = code(g.id);
      await ctx.storage.codes.createWithGrant(g, c);
      const first = refresh(g.id);
      assert.equal(await ctx.storage.codes.redeem(c.codeHash, NOW, first), true);
      assert.deepEqual(await ctx.storage.refreshTokens.find(first.tokenHash), first);
      const second = refresh(g.id);
      assert.equal(await ctx.storage.codes.redeem(c.codeHash, NOW + 1, second), false);
      assert.equal(await ctx.storage.refreshTokens.find(second.tokenHash), undefined);
    });

    test('keeps a null nonce null', async () => {
      const g = grant();
      const c = code(g.id, { nonce: null });
      await ctx.storage.codes.createWithGrant(g, c);
      assert.equal((await ctx.storage.codes.findWithGrant(c.codeHash))?.code.nonce, null);
    });

    test('keeps the dpop_jkt a code is bound to, and none when it has none (RFC 9449 §10)', async () => {
      const g = grant();
      const bound = code(g.id, { dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
      await ctx.storage.codes.createWithGrant(g, bound);
      assert.equal((await ctx.storage.codes.findWithGrant(bound.codeHash))?.code.dpopJkt, 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
      const g2 = grant();
      const free = code(g2.id);
      await ctx.storage.codes.createWithGrant(g2, free);
      assert.equal((await ctx.storage.codes.findWithGrant(free.codeHash))?.code.dpopJkt ?? null, null);
    });

    test('createWithGrant is one transaction: a failing code insert leaves no grant', async () => {
      const g1 = grant();
      const c = code(g1.id);
      await ctx.storage.codes.createWithGrant(g1, c);
      const g2 = grant();
      await assert.rejects(ctx.storage.codes.createWithGrant(g2, { ...c, grantId: g2.id }));
      assert.equal(await ctx.storage.grants.get(g2.id), undefined);
    });

    test('50 concurrent redeems of one code: exactly one wins, and stores its refresh token', async () => {
      const g = grant();
      const c = code(g.id);
      await ctx.storage.codes.createWithGrant(g, c);
      const tokens = Array.from({ length: 50 }, () => refresh(g.id));
      const results = await Promise.all(tokens.map((t, i) => ctx.storage.codes.redeem(c.codeHash, NOW + i, t)));
      assert.equal(results.filter((won) => won).length, 1);
      const stored = await Promise.all(tokens.map((t) => ctx.storage.refreshTokens.find(t.tokenHash)));
      assert.equal(stored.filter((t) => t !== undefined).length, 1);
      assert.equal(
        results.indexOf(true),
        stored.findIndex((t) => t !== undefined),
      );
    });
  });

  describe('refresh tokens', () => {
    test('rotate consumes the old token and stores its successor, once', async () => {
      const g = grant();
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      const first = refresh(g.id);
      await ctx.storage.refreshTokens.create(first);
      assert.deepEqual(await ctx.storage.refreshTokens.find(first.tokenHash), first);

      const next = refresh(g.id, { createdAt: NOW + 10 });
      assert.equal(await ctx.storage.refreshTokens.rotate(first.tokenHash, next, NOW + 10, 'sealed-response'), true);
      assert.deepEqual(await ctx.storage.refreshTokens.find(first.tokenHash), {
        ...first,
        consumedAt: NOW + 10,
        replacedBy: next.tokenHash,
        successor: 'sealed-response',
      });
      assert.deepEqual(await ctx.storage.refreshTokens.find(next.tokenHash), next);

      const again = refresh(g.id, { createdAt: NOW + 20 });
      assert.equal(await ctx.storage.refreshTokens.rotate(first.tokenHash, again, NOW + 20, null), false);
      assert.equal(await ctx.storage.refreshTokens.find(again.tokenHash), undefined);
      assert.equal((await ctx.storage.refreshTokens.find(first.tokenHash))?.consumedAt, NOW + 10);
    });

    test('findWithGrant reads the token and its grant at once, the grant as grants.get has it', async () => {
      const g = grant({ resources: ['https://api.example.com/'], sid: 'session-id-1' });
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      const t = refresh(g.id);
      await ctx.storage.refreshTokens.create(t);
      const found = await ctx.storage.refreshTokens.findWithGrant(t.tokenHash);
      assert.deepEqual(found, { token: t, grant: await ctx.storage.grants.get(g.id) });
      assert.deepEqual(found?.grant, g);
      await ctx.storage.grants.revoke(g.id, NOW + 5);
      const revoked = await ctx.storage.refreshTokens.findWithGrant(t.tokenHash);
      assert.equal(revoked?.grant?.revokedAt, NOW + 5);
      assert.equal(revoked?.token.consumedAt, NOW + 5);
      assert.equal(await ctx.storage.refreshTokens.findWithGrant('no-such-hash'), undefined);
    });

    test('rotate of an unknown token stores nothing', async () => {
      const next = refresh('grant-x');
      assert.equal(await ctx.storage.refreshTokens.rotate('unknown-hash', next, NOW, null), false);
      assert.equal(await ctx.storage.refreshTokens.find(next.tokenHash), undefined);
    });

    test('concurrent rotations of one token: exactly one succeeds and one successor is stored', async () => {
      const g = grant();
      const first = refresh(g.id);
      await ctx.storage.refreshTokens.create(first);
      const successors = Array.from({ length: 20 }, () => refresh(g.id));
      const results = await Promise.all(successors.map((s) => ctx.storage.refreshTokens.rotate(first.tokenHash, s, NOW, null)));
      assert.equal(results.filter(Boolean).length, 1);
      const stored = await Promise.all(successors.map((s) => ctx.storage.refreshTokens.find(s.tokenHash)));
      assert.equal(stored.filter((s) => s !== undefined).length, 1);
    });

    test('find of an unknown hash returns undefined', async () => {
      assert.equal(await ctx.storage.refreshTokens.find('nope'), undefined);
    });
  });

  describe('grants', () => {
    test('revoke marks the grant revoked and consumes its live refresh tokens only', async () => {
      const g = grant();
      const other = grant();
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      await ctx.storage.codes.createWithGrant(other, code(other.id));
      const live1 = refresh(g.id);
      const live2 = refresh(g.id);
      const used = refresh(g.id, { consumedAt: NOW - 100 });
      const foreign = refresh(other.id);
      for (const t of [live1, live2, used, foreign]) await ctx.storage.refreshTokens.create(t);

      await ctx.storage.grants.revoke(g.id, NOW + 5);

      assert.equal((await ctx.storage.grants.get(g.id))?.revokedAt, NOW + 5);
      assert.equal((await ctx.storage.refreshTokens.find(live1.tokenHash))?.consumedAt, NOW + 5);
      assert.equal((await ctx.storage.refreshTokens.find(live2.tokenHash))?.consumedAt, NOW + 5);
      assert.equal((await ctx.storage.refreshTokens.find(used.tokenHash))?.consumedAt, NOW - 100);
      assert.equal((await ctx.storage.grants.get(other.id))?.revokedAt, null);
      assert.equal((await ctx.storage.refreshTokens.find(foreign.tokenHash))?.consumedAt, null);
      // A consumed token can no longer be rotated.
      assert.equal(await ctx.storage.refreshTokens.rotate(live1.tokenHash, refresh(g.id), NOW + 6, null), false);
    });

    test('revoking twice keeps the first revocation time', async () => {
      const g = grant();
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      await ctx.storage.grants.revoke(g.id, NOW + 1);
      await ctx.storage.grants.revoke(g.id, NOW + 2);
      assert.equal((await ctx.storage.grants.get(g.id))?.revokedAt, NOW + 1);
    });

    test('concurrent revocations and rotations of one grant all settle, and the grant ends revoked', async () => {
      const g = grant();
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      const first = refresh(g.id);
      await ctx.storage.refreshTokens.create(first);
      const work = Array.from({ length: 20 }, (_, i) =>
        i % 2 ? ctx.storage.grants.revoke(g.id, NOW + i) : ctx.storage.refreshTokens.rotate(first.tokenHash, refresh(g.id), NOW + i, null),
      );
      const settled = await Promise.allSettled(work);
      assert.deepEqual(
        settled.filter((s) => s.status === 'rejected'),
        [],
      );
      assert.notEqual((await ctx.storage.grants.get(g.id))?.revokedAt, null);
    });

    test('get of an unknown grant returns undefined', async () => {
      assert.equal(await ctx.storage.grants.get('nope'), undefined);
    });
  });

  describe('revoked access tokens', () => {
    test('has is false until add; adding twice is harmless', async () => {
      assert.equal(await ctx.storage.revokedTokens.has('jti-1'), false);
      await ctx.storage.revokedTokens.add('jti-1', NOW + 900);
      await ctx.storage.revokedTokens.add('jti-1', NOW + 900);
      assert.equal(await ctx.storage.revokedTokens.has('jti-1'), true);
      assert.equal(await ctx.storage.revokedTokens.has('jti-2'), false);
    });

    test('isRevoked answers for the token and its grant in one call', async () => {
      const g = grant();
      await ctx.storage.codes.createWithGrant(g, code(g.id));
      const { revokedTokens, grants } = ctx.storage;
      assert.equal(await revokedTokens.isRevoked('iso-1', g.id), false, 'live grant, token not revoked');
      assert.equal(await revokedTokens.isRevoked('iso-1', null), false, 'no grant (client credentials)');
      assert.equal(await revokedTokens.isRevoked('iso-1', 'no-such-grant'), true, 'a grant that is gone counts as revoked');
      await revokedTokens.add('iso-1', NOW + 900);
      assert.equal(await revokedTokens.isRevoked('iso-1', g.id), true, 'the token itself was revoked');
      assert.equal(await revokedTokens.isRevoked('iso-1', null), true);
      assert.equal(await revokedTokens.isRevoked('iso-2', g.id), false);
      await grants.revoke(g.id, NOW + 1);
      assert.equal(await revokedTokens.isRevoked('iso-2', g.id), true, 'the grant was revoked');
    });
  });
}
