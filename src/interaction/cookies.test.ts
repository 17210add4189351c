import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { OAuthRequest } from '../http/types.ts';
import { browserHash, browserSecret, CSRF_COOKIE, checkCsrf, cookieName, csrfSecret, csrfToken, serializeCookie } from './cookies.ts';

const http = { config: { issuer: 'http://127.0.0.1:9000' }, cookieKey: randomBytes(32) };
const https = { config: { issuer: 'https://auth.example.com' }, cookieKey: http.cookieKey };
const request = (cookies: Record<string, string>): OAuthRequest => ({
  method: 'GET',
  path: '/authorize',
  query: new URLSearchParams(),
  headers: {},
  body: null,
  contentType: '',
  cookies,
  remoteAddress: '127.0.0.1',
});

describe('cookie names and attributes', () => {
  test('an https issuer gets __Host- names, Secure, Path=/ and no Domain', () => {
    assert.equal(cookieName('lk_session', https.config), '__Host-lk_session');
    const c = serializeCookie('lk_session', 'v', https.config, 60);
    assert.equal(c, '__Host-lk_session=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60');
    assert.doesNotMatch(c, /Domain=/i);
  });

  test('an http issuer (development) keeps the plain names, without Secure', () => {
    assert.equal(serializeCookie('lk_csrf', 'v', http.config), 'lk_csrf=v; Path=/; HttpOnly; SameSite=Lax');
  });
});

describe('the CSRF cookie', () => {
  test('a value this server issued is adopted as it is', () => {
    const first = browserSecret(request({}), http);
    assert.ok(first.setCookie);
    const again = browserSecret(request({ [CSRF_COOKIE]: first.secret }), http);
    assert.equal(again.secret, first.secret);
    assert.equal(again.setCookie, undefined);
  });

  test('a planted value is never adopted: a new one is issued', () => {
    const planted = randomBytes(32).toString('base64url').slice(0, 43);
    const forged = `${planted}.${randomBytes(32).toString('base64url').slice(0, 43)}`;
    for (const value of [planted, forged]) {
      const r = browserSecret(request({ [CSRF_COOKIE]: value }), http);
      assert.notEqual(r.secret, value);
      assert.ok(r.setCookie?.startsWith(`${CSRF_COOKIE}=${r.secret};`));
      assert.equal(csrfSecret(request({ [CSRF_COOKIE]: value }), http), '');
    }
  });

  test('a value issued under another key is not adopted', () => {
    const other = { ...http, cookieKey: randomBytes(32) };
    const { secret } = browserSecret(request({}), other);
    assert.notEqual(browserSecret(request({ [CSRF_COOKIE]: secret }), http).secret, secret);
  });

  test('with an https issuer the cookie is read only under its __Host- name', () => {
    const { secret, setCookie } = browserSecret(request({}), https);
    assert.ok(setCookie?.startsWith('__Host-lk_csrf='));
    assert.equal(csrfSecret(request({ [CSRF_COOKIE]: secret }), https), '', 'the unprefixed name is not ours');
    assert.equal(csrfSecret(request({ '__Host-lk_csrf': secret }), https), secret);
  });

  test('checkCsrf needs the issued cookie and the form token of this interaction', () => {
    const { secret } = browserSecret(request({}), http);
    const req = request({ [CSRF_COOKIE]: secret });
    const token = csrfToken(secret, 'i1');
    assert.equal(checkCsrf(req, http, 'i1', browserHash(secret), token), true);
    assert.equal(checkCsrf(req, http, 'i2', browserHash(secret), token), false, 'another interaction');
    assert.equal(checkCsrf(request({}), http, 'i1', browserHash(secret), token), false, 'no cookie');
  });
});
