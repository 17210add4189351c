// Storage contract, part 5: one-time identifiers (client assertion and DPoP proof jti) and pushed
// authorization requests (RFC 9126), both used once, also under concurrency.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ctx, NOW, unique } from './fixtures.ts';

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
