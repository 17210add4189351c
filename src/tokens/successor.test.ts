import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { keyFor, open, seal } from './successor.ts';

describe('sealed refresh successors', () => {
  test('the key is HKDF-SHA256 of the token (salt "latchkey", info "refresh-successor")', () => {
    for (let i = 0; i < 20; i++) {
      const token = randomBytes(32).toString('base64url');
      assert.deepEqual(keyFor(token), Buffer.from(hkdfSync('sha256', token, 'latchkey', 'refresh-successor', 32)));
    }
  });

  test('opens only with the token it was sealed under, and never when altered', () => {
    const token = randomBytes(32).toString('base64url');
    const value = { access_token: 'a', refresh_token: 'r', expires_in: 300 };
    const blob = seal(token, value);
    assert.deepEqual(open(token, blob), value);
    assert.equal(open(randomBytes(32).toString('base64url'), blob), undefined);
    const raw = Buffer.from(blob, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    assert.equal(open(token, raw.toString('base64url')), undefined);
    assert.equal(open(token, 'not a blob'), undefined);
  });
});
