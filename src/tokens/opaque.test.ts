import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { constantTimeEqual, hashToken, randomPooled, randomToken } from './opaque.ts';

describe('randomToken', () => {
  test('is 256 bits as 43 base64url characters by default, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const t = randomToken();
      assert.match(t, /^[A-Za-z0-9_-]{43}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 1000);
  });

  test('never hands out the same pooled bytes twice, across pool refills', () => {
    // 4 KiB pools: 600 tokens of 32 bytes and 600 IVs of 12 bytes cross several refills.
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      seen.add(randomToken());
      seen.add(randomPooled(12).toString('base64url'));
    }
    assert.equal(seen.size, 1200);
    const all = [...seen].map((t) => Buffer.from(t, 'base64url'));
    // Zeroed bytes would show as long runs of zeros; random 12-byte values almost never have four.
    assert.equal(all.filter((b) => b.includes(Buffer.alloc(4))).length < 3, true);
  });

  test('a large request is not cut from the pool', () => {
    assert.equal(randomPooled(4096).length, 4096);
    assert.equal(Buffer.from(randomToken(1024), 'base64url').length, 1024);
  });

  test('takes a byte count', () => {
    assert.equal(Buffer.from(randomToken(16), 'base64url').length, 16);
    assert.equal(randomToken(16).length, 22);
  });
});

describe('hashToken', () => {
  test('is the base64url SHA-256 of the UTF-8 text', () => {
    assert.equal(hashToken('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    assert.equal(hashToken('é'), createHash('sha256').update(Buffer.from('é', 'utf8')).digest('base64url'));
    assert.notEqual(hashToken('a'), hashToken('A'));
  });
});

describe('constantTimeEqual', () => {
  test('is true only for equal strings, whatever their lengths', () => {
    assert.equal(constantTimeEqual('secret', 'secret'), true);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual('secret', 'secreT'), false);
    assert.equal(constantTimeEqual('secret', 'secret2'), false);
    assert.equal(constantTimeEqual('', 'x'), false);
    assert.equal(constantTimeEqual('é', 'e\u0301'), false);
    // Same string length, different byte length.
    assert.equal(constantTimeEqual('aé', 'ab'), false);
    const h = hashToken('secret');
    assert.equal(constantTimeEqual(h, hashToken('secret')), true);
    assert.equal(constantTimeEqual(h, h.slice(0, -1)), false);
  });
});
