import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../config/schema.ts';
import { loginDimensions } from './brute-force.ts';
import { normalizeUsername } from './username.ts';

test('usernames compare without regard to letter case and Unicode compatibility forms', () => {
  for (const typed of ['Alice', 'ALICE', ' alice ', 'Ａｌｉｃｅ']) assert.equal(normalizeUsername(typed), 'alice', typed);
  // Composed and decomposed accents are one name; different letters stay different.
  assert.equal(normalizeUsername('Zoe\u0308'), normalizeUsername('zoë'));
  assert.notEqual(normalizeUsername('zoe'), normalizeUsername('zoë'));
  // toLowerCase, not full case folding (documented): ß stays ß.
  assert.equal(normalizeUsername('STRAßE'), 'straße');
});

test('the brute-force counter of an account is one for every spelling of its name', () => {
  const config = resolveConfig({});
  const key = (name: string) => loginDimensions(config, name, '192.0.2.1').account.key;
  assert.equal(key('Ａｌｉｃｅ'), key('alice'));
  assert.equal(key('ALICE'), key('alice'));
});
