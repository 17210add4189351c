import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccessTokenClaims, looksLikeJwt, VerifiedTokens } from './verify.ts';

const claims = (exp: number): AccessTokenClaims => ({ client_id: 'c', scope: 's', jti: `j${exp}`, exp, iat: 0, sub: 'u' });

test('VerifiedTokens returns claims until the token expires, then forgets them', () => {
  const cache = new VerifiedTokens(10);
  cache.set('t1', claims(100));
  assert.equal(cache.get('t1', 99)?.exp, 100);
  assert.equal(cache.get('t1', 100), undefined, 'exp is exclusive, as in RFC 7519 §4.1.4');
  assert.equal(cache.get('t1', 50), undefined, 'an expired entry was dropped');
  assert.equal(cache.get('unknown', 0), undefined);
});

test('VerifiedTokens is bounded: the oldest entry goes first', () => {
  const cache = new VerifiedTokens(3);
  for (const t of ['a', 'b', 'c', 'd']) cache.set(t, claims(1000));
  assert.equal(cache.get('a', 0), undefined);
  for (const t of ['b', 'c', 'd']) assert.ok(cache.get(t, 0));
});

test('looksLikeJwt tells a compact JWS from a refresh token', () => {
  assert.equal(looksLikeJwt('eyJh.eyJz.c2ln'), true);
  assert.equal(looksLikeJwt('x'.repeat(43)), false);
  assert.equal(looksLikeJwt('a.b'), false);
  assert.equal(looksLikeJwt('a.b.c.d'), false);
});
