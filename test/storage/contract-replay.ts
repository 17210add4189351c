// Storage contract, part 5: one-time identifiers (client assertion and DPoP proof jti) and pushed
// authorization requests (RFC 9126), both used once, also under concurrency; device codes (RFC 8628).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeviceCodeRecord } from '../../src/storage/types.ts';
import { type Ctx, grant, NOW, unique } from './fixtures.ts';

export function replayContract(ctx: Ctx): void {
  describe('used jtis', () => {
    test('a key is recorded once: 20 concurrent uses make one true', async () => {
      const key = unique('jti');
      const results = await Promise.all(Array.from({ length: 20 }, () => ctx.storage.usedJtis.use(key, NOW + 60)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await ctx.storage.usedJtis.use(key, NOW + 60), false);
    });

    test('cleanup forgets expired keys only', async () => {
      const { storage } = await ctx.fresh();
      assert.equal(await storage.usedJtis.use('old', NOW - 1), true);
      assert.equal(await storage.usedJtis.use('live', NOW + 60), true);
      await storage.cleanup(NOW);
      assert.equal(await storage.usedJtis.use('old', NOW + 60), true, 'expired and removed');
      assert.equal(await storage.usedJtis.use('live', NOW + 60), false);
    });
  });

  describe('pushed requests', () => {
    const record = (overrides: { expiresAt?: number } = {}) => ({
      idHash: unique('par'),
      clientId: 'client-1',
      params: { params: { response_type: 'code', scope: 'openid' }, resources: ['https://api.example.com'] },
      expiresAt: NOW + 60,
      ...overrides,
    });

    test('consume returns the request once, also to concurrent callers', async () => {
      const r = record();
      await ctx.storage.pushedRequests.create(r);
      const results = await Promise.all(Array.from({ length: 10 }, () => ctx.storage.pushedRequests.consume(r.idHash, NOW)));
      const found = results.filter((x) => x !== undefined);
      assert.equal(found.length, 1);
      assert.deepEqual(found[0], r);
      assert.equal(await ctx.storage.pushedRequests.consume(r.idHash, NOW), undefined);
    });

    test('an expired request is not returned', async () => {
      const r = record({ expiresAt: NOW - 1 });
      await ctx.storage.pushedRequests.create(r);
      assert.equal(await ctx.storage.pushedRequests.consume(r.idHash, NOW), undefined);
    });
  });
}

export function deviceCodeContract(ctx: Ctx): void {
  describe('device codes', () => {
    const record = (overrides: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord => ({
      deviceCodeHash: unique('dc'),
      userCodeHash: unique('uc'),
      clientId: 'client-1',
      scope: 'openid',
      resources: [],
      status: 'pending',
      userId: null,
      authTime: null,
      amr: [],
      interval: 5,
      lastPolledAt: null,
      createdAt: NOW,
      expiresAt: NOW + 600,
      ...overrides,
    });

    test('a poll before the interval has passed is too fast and adds 5 s to the interval', async () => {
      const d = record();
      await ctx.storage.deviceCodes.create(d);
      const polls = ctx.storage.deviceCodes;
      assert.deepEqual(
        [(await polls.poll(d.deviceCodeHash, NOW))?.tooFast, (await polls.poll(d.deviceCodeHash, NOW + 1))?.tooFast],
        [false, true],
      );
      const third = await polls.poll(d.deviceCodeHash, NOW + 7);
      assert.equal(third?.tooFast, true, '10 s now');
      assert.equal(third?.record.interval, 15);
      assert.equal((await polls.poll(d.deviceCodeHash, NOW + 22))?.tooFast, false);
      assert.equal(await polls.poll('unknown', NOW), undefined);
    });

    test('the decision is recorded once, only while pending and live; the user code finds pending requests only', async () => {
      const d = record();
      await ctx.storage.deviceCodes.create(d);
      assert.equal((await ctx.storage.deviceCodes.findPending(d.userCodeHash, NOW))?.deviceCodeHash, d.deviceCodeHash);
      assert.equal(await ctx.storage.deviceCodes.findPending(d.userCodeHash, NOW + 600), undefined, 'expired');
      const results = await Promise.all([
        ctx.storage.deviceCodes.decide(d.deviceCodeHash, { userId: 'user-1', authTime: NOW, amr: ['pwd', 'otp'] }, NOW),
        ctx.storage.deviceCodes.decide(d.deviceCodeHash, 'denied', NOW),
      ]);
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await ctx.storage.deviceCodes.findPending(d.userCodeHash, NOW), undefined);
      const late = record({ expiresAt: NOW - 1 });
      await ctx.storage.deviceCodes.create(late);
      assert.equal(await ctx.storage.deviceCodes.decide(late.deviceCodeHash, 'denied', NOW), false);
    });

    test('an approved code is redeemed once, with its grant, also under concurrency', async () => {
      const d = record();
      await ctx.storage.deviceCodes.create(d);
      assert.equal(await ctx.storage.deviceCodes.redeem(d.deviceCodeHash, grant()), false, 'not approved yet');
      assert.deepEqual((await ctx.storage.deviceCodes.poll(d.deviceCodeHash, NOW))?.record.amr, [], 'no amr before approval');
      await ctx.storage.deviceCodes.decide(d.deviceCodeHash, { userId: 'user-1', authTime: NOW - 5, amr: ['pwd', 'otp', 'mfa'] }, NOW);
      const approved = (await ctx.storage.deviceCodes.poll(d.deviceCodeHash, NOW + 5))?.record;
      assert.deepEqual(
        [approved?.status, approved?.userId, approved?.authTime, approved?.amr],
        ['approved', 'user-1', NOW - 5, ['pwd', 'otp', 'mfa']],
      );
      const grants = Array.from({ length: 8 }, () => grant());
      const results = await Promise.all(grants.map((g) => ctx.storage.deviceCodes.redeem(d.deviceCodeHash, g)));
      assert.equal(results.filter(Boolean).length, 1);
      const winner = grants[results.indexOf(true)];
      assert.ok(winner && (await ctx.storage.grants.get(winner.id)));
      const losers = grants.filter((_, i) => !results[i]);
      for (const g of losers) assert.equal(await ctx.storage.grants.get(g.id), undefined);
    });
  });
}
