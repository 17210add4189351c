// Storage contract, part 3: brute-force counters shared by every instance (accounts/brute-force.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ctx, NOW, unique } from './fixtures.ts';

export function throttleContract(ctx: Ctx): void {
  describe('throttle counters', () => {
    test('fail counts atomically: 25 concurrent failures make 25', async () => {
      const key = unique('k');
      await Promise.all(Array.from({ length: 25 }, () => ctx.storage.throttle.fail(key, NOW, 900)));
      const [record] = await ctx.storage.throttle.get([key], NOW);
      assert.equal(record?.failures, 25);
      assert.equal(record?.expiresAt, NOW + 900);
    });

    test('a counter idle past its window starts again at 1, and get ignores it until then', async () => {
      const key = unique('k');
      await ctx.storage.throttle.fail(key, NOW, 60);
      await ctx.storage.throttle.fail(key, NOW + 1, 60);
      assert.deepEqual(await ctx.storage.throttle.get([key], NOW + 61), [], 'expired counters are not live');
      const again = await ctx.storage.throttle.fail(key, NOW + 61, 60);
      assert.equal(again.failures, 1);
      assert.equal(again.lastFailureAt, NOW + 61);
    });

    test('remember keeps a zero mark; clear removes a counter; get returns only the keys asked for', async () => {
      const a = unique('k');
      const b = unique('k');
      await ctx.storage.throttle.fail(a, NOW, 900);
      await ctx.storage.throttle.remember(b, NOW, 900);
      const both = await ctx.storage.throttle.get([a, b, unique('absent')], NOW);
      assert.deepEqual(
        both.map((r) => [r.key, r.failures]).sort(),
        [
          [a, 1],
          [b, 0],
        ].sort(),
      );
      await ctx.storage.throttle.clear(a);
      assert.deepEqual(await ctx.storage.throttle.get([a], NOW), []);
      assert.deepEqual(await ctx.storage.throttle.get([], NOW), []);
    });

    test('cleanup deletes expired counters and keeps live ones', async () => {
      const { storage } = await ctx.fresh();
      const old = unique('k');
      const live = unique('k');
      await storage.throttle.fail(old, NOW, 10);
      await storage.throttle.fail(live, NOW, 1000);
      assert.equal(await storage.cleanup(NOW + 100), 1);
      assert.deepEqual(
        (await storage.throttle.get([old, live], NOW + 5)).map((r) => r.key),
        [live],
      );
    });
  });
}
