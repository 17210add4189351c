import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { constantTimeEqual, hashToken, randomToken } from './opaque.ts';

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
  });
});
