// E2E: the browser's cookies — __Host- names behind an https issuer, and a planted CSRF cookie that
// the server never adopts (the form tokens derived from it stay unknown to whoever planted it).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Browser, isLoginPage } from '../helpers/browser.ts';
import { codeRequestUrl } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let https: TestServer;
let plain: TestServer;

before(async () => {
  // The issuer is what the server advertises (TLS ends at a proxy in front); tests reach it on loopback.
  https = await startTestServer({ issuer: 'https://auth.example.com' });
  plain = await startTestServer();
});
after(async () => {
  await https.close();
  await plain.close();
});

/** The server's own loopback address (its issuer is an https name that only a proxy would serve). */
const address = (t: TestServer) => `http://127.0.0.1:${(t.server.http.address() as AddressInfo).port}`;

/** Maps the issuer's URLs to the loopback address: nothing in the test resolves the issuer's name. */
const local = (t: TestServer, url: string) => url.replace(/^https:\/\/auth\.example\.com/, address(t));

/** Signs in through the login page, following the issuer's redirects on the loopback address. */
async function signIn(t: TestServer, browser: Browser, user: { username: string; password: string }, clientId: string) {
  const started = await browser.open(codeRequestUrl(address(t), clientId));
  assert.equal(started.status, 303, "the browser is sent to the issuer's login page");
  const login = await browser.open(local(t, started.url));
  assert.ok(isLoginPage(login));
  const action = local(t, /action="([^"]+)"/.exec(login.html)?.[1] ?? '');
  const csrf = /name="csrf" value="([^"]+)"/.exec(login.html)?.[1] ?? '';
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf, username: user.username, password: user.password }),
  });
}

test('with an https issuer every cookie is __Host-, Secure, Path=/ and without Domain', async () => {
  const user = await https.addUser('hana', 'hana password 1');
  const { clientId } = (await https.addClient()).client;
  const browser = new Browser();
  const res = await signIn(https, browser, user, clientId);
  assert.equal(res.status, 303);
  const cookies = [...browser.cookies.keys(), ...res.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')))];
  assert.deepEqual([...new Set(cookies)].sort(), ['__Host-lk_csrf', '__Host-lk_device', '__Host-lk_session']);
  for (const c of res.headers.getSetCookie()) {
    assert.match(c, /; Path=\/; HttpOnly; SameSite=Lax; Secure/);
    assert.doesNotMatch(c, /Domain=/i);
  }
});

test('a CSRF cookie the server did not issue is replaced, and its form tokens do not work', async () => {
  const { clientId } = (await plain.addClient()).client;
  const planted = 'p'.repeat(43);
  const browser = new Browser();
  browser.cookies.set('lk_csrf', planted);
  const page = await browser.open(codeRequestUrl(plain.url, clientId));
  assert.ok(isLoginPage(page));
  assert.notEqual(browser.cookies.get('lk_csrf'), planted, 'a new CSRF cookie was set');
  // Whoever planted the value computes the form token from it: refused.
  const id = page.url.split('/').pop() ?? '';
  const { csrfToken } = await import('../../src/interaction/cookies.ts');
  const res = await fetch(`${plain.url}/login/${id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lk_csrf=${planted}`, accept: 'text/html' },
    body: new URLSearchParams({ csrf: csrfToken(planted, id), username: 'x', password: 'y' }),
  });
  assert.equal(res.status, 403);
});
