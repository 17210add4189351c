import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BoundedCache, ExpiringCache } from './cache.ts';

describe('BoundedCache', () => {
  test('keeps at most maxEntries, dropping the least recently used', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    assert.equal(c.get('a'), 1); // a is now the most recent
    c.set('c', 3);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.get('a'), 1);
    assert.equal(c.get('c'), 3);
    assert.equal(c.size, 2);
  });

  test('refuses a size that is not a positive integer', () => {
    assert.throws(() => new BoundedCache(0), TypeError);
  });
});

describe('ExpiringCache', () => {
  test('an entry is served until its time, then dropped', () => {
    const c = new ExpiringCache<string, string>(10);
    c.set('k', 'v', 100);
    assert.equal(c.get('k', 99), 'v');
    assert.equal(c.get('k', 100), undefined);
    assert.equal(c.get('k', 50), undefined, 'an expired entry is gone, not hidden');
  });

  test('is bounded like BoundedCache', () => {
    const c = new ExpiringCache<number, number>(3);
    for (let i = 0; i < 10; i++) c.set(i, i, 1000);
    assert.deepEqual(
      [0, 6, 7, 8, 9].map((i) => c.get(i, 0)),
      [undefined, undefined, 7, 8, 9],
    );
  });
});
