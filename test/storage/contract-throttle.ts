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

    // free 2, then waits of 1, 2, 4 s, then 60 s from 5 attempts on (accounts/brute-force.ts).
    const waits = [
      { failures: 3, seconds: 1 },
      { failures: 4, seconds: 2 },
      { failures: 5, seconds: 60 },
    ];

    test('reserve counts atomically up to the first wait: 25 concurrent reservations make 3', async () => {
      const key = unique('k');
      const results = await Promise.all(Array.from({ length: 25 }, () => ctx.storage.throttle.reserve(key, NOW, 900, waits)));
      const counted = results.filter((r) => r !== undefined);
      assert.deepEqual(counted.map((r) => r.failures).sort(), [1, 2, 3]);
      const [record] = await ctx.storage.throttle.get([key], NOW);
      assert.equal(record?.failures, 3, 'refused reservations count nothing');
      assert.equal(record?.lastFailureAt, NOW);
    });

    test('reserve honours each wait from the last counted attempt, and an idle counter starts again', async () => {
      const key = unique('k');
      const reserve = (at: number) => ctx.storage.throttle.reserve(key, at, 900, waits);
      for (let i = 0; i < 3; i++) assert.ok(await reserve(NOW));
      assert.equal(await reserve(NOW), undefined, 'the 3rd attempt asks for 1 s');
      assert.equal((await reserve(NOW + 1))?.failures, 4);
      assert.equal(await reserve(NOW + 2), undefined, 'the 4th asks for 2 s');
      assert.equal((await reserve(NOW + 3))?.failures, 5);
      assert.equal(await reserve(NOW + 62), undefined, 'the 5th asks for 60 s');
      assert.equal((await reserve(NOW + 63))?.failures, 6);
      assert.equal((await reserve(NOW + 63 + 900))?.failures, 1, 'idle for the window: starts again');
    });

    test('a reservation whose clock reads behind the last one is refused only for a wait it owes', async () => {
      // Two instances (or two statements that waited for a pooled connection) at a second's edge:
      // the later statement may carry the earlier time. Below the first wait nothing is owed.
      const key = unique('k');
      const reserve = (at: number) => ctx.storage.throttle.reserve(key, at, 900, waits);
      assert.equal((await reserve(NOW + 1))?.failures, 1);
      const behind = await reserve(NOW);
      assert.equal(behind?.failures, 2, 'nothing owed: the attempt is counted, not refused');
      assert.equal(behind?.lastFailureAt, NOW + 1, 'the last counted attempt never moves back');
      assert.equal((await reserve(NOW + 1))?.failures, 3);
      assert.equal(await reserve(NOW + 1), undefined, 'the 3rd attempt still asks for 1 s');
      assert.equal((await reserve(NOW + 2))?.failures, 4);
    });

    test('release gives back one reserved attempt, never below zero', async () => {
      const key = unique('k');
      await ctx.storage.throttle.reserve(key, NOW, 900, waits);
      await ctx.storage.throttle.reserve(key, NOW, 900, waits);
      await ctx.storage.throttle.release(key);
      assert.equal((await ctx.storage.throttle.get([key], NOW))[0]?.failures, 1);
      await ctx.storage.throttle.release(key);
      await ctx.storage.throttle.release(key);
      assert.equal((await ctx.storage.throttle.get([key], NOW))[0]?.failures, 0);
      await ctx.storage.throttle.release(unique('absent'));
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
