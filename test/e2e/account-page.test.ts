// E2E: the account page as a browser meets it: sign-in through the flow when there is no session,
// CSRF on every form, recent sign-in for changes that weaken sign-in, the password, sessions and
// connected applications (removing one revokes its tokens).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, isLoginPage, type Page } from '../helpers/browser.ts';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { id: string; username: string; password: string };
let client: { clientId: string; secret: string };

before(async () => {
  t = await startTestServer();
  user = await t.addUser('gina', 'gina password 1', { name: 'Gina' });
  const c = await t.addClient({ name: 'Connected App' });
  client = { clientId: c.client.clientId, secret: c.secret as string };
});
after(() => t.close());

async function signedIn(browser = new Browser()): Promise<{ browser: Browser; page: Page }> {
  const login = await browser.open(`${t.url}/account`);
  assert.ok(isLoginPage(login));
  assert.match(login.html, /to continue to your account/);
  const page = await browser.submit(login, { username: user.username, password: user.password });
  assert.equal(new URL(page.url).pathname, '/account');
  return { browser, page };
}

describe('account page', () => {
  test('signs in through the flow, has strict headers, and refuses a form without its CSRF token', async () => {
    const { browser, page } = await signedIn();
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self';/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const forged = await browser.open(`${t.url}/account`, {
      method: 'POST',
      form: { op: 'profile', name: 'Mallory', csrf: 'x'.repeat(43) },
    });
    assert.equal(forged.status, 403);
    // Another browser with its own session cannot use this one's token either.
    const token = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const other = await signedIn();
    const crossed = await other.browser.open(`${t.url}/account`, { method: 'POST', form: { op: 'profile', name: 'Mallory', csrf: token } });
    assert.equal(crossed.status, 403);
    assert.equal((await t.storage.users.getById(user.id))?.name, 'Gina');
    const saved = await browser.submit(page, { name: 'Gina G.', email: 'gina@example.com' }, 'value="profile"');
    assert.match(saved.html, /Saved\./);
    const stored = await t.storage.users.getById(user.id);
    assert.equal(stored?.name, 'Gina G.');
    assert.equal(stored?.emailVerified, false);
  });

  test('connected applications: removing one revokes its tokens and forgets the consent', async () => {
    const { browser: b } = await signedIn();
    const { code, verifier } = await getCode(t.url, client.clientId, user, {}, b);
    const tokens = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      basic(client.clientId, client.secret),
    );
    assert.equal(tokens.status, 200);
    const page = await b.open(`${t.url}/account`);
    assert.match(page.html, /Connected App/);
    const removed = await b.submit(page, {}, 'value="app-revoke"');
    assert.match(removed.html, /Connected App no longer has access\./);
    const refreshed = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) },
      basic(client.clientId, client.secret),
    );
    assert.equal(refreshed.status, 400);
    assert.equal(await t.storage.consents.get(user.id, client.clientId), undefined);
    const me = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${String(tokens.body.access_token)}` } });
    assert.equal(me.status, 401);
  });

  test('the password: current one required, recent sign-in required, other sessions signed out', async () => {
    const elsewhere = await signedIn();
    const { browser, page } = await signedIn();
    const wrong = await browser.submit(page, { current: 'not it', password: 'a new password 2' }, 'value="password"');
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /current password is not correct/);

    // Long after signing in, the change asks for a new sign-in first.
    t.advance(3600);
    const stale = await browser.submit(wrong, { current: user.password, password: 'a new password 2' }, 'value="password"');
    assert.ok(isLoginPage(stale));
    const back = await browser.submit(stale, { username: user.username, password: user.password });
    const changed = await browser.submit(back, { current: user.password, password: 'a new password 2' }, 'value="password"');
    assert.match(changed.html, /Your password is changed/);
    user.password = 'a new password 2';
    // The other browser's session ended; this one stays.
    assert.ok(isLoginPage(await elsewhere.browser.open(`${t.url}/account`)));
    assert.equal(new URL((await browser.open(`${t.url}/account`)).url).pathname, '/account');
  });

  test('sessions: sign out everywhere else', async () => {
    const a = await signedIn();
    const b = await signedIn();
    const page = await b.browser.open(`${t.url}/account`);
    assert.match(page.html, /this browser/);
    const done = await b.browser.submit(page, {}, 'value="sessions-end"');
    assert.match(done.html, /other sessions? (was|were) signed out/);
    assert.ok(isLoginPage(await a.browser.open(`${t.url}/account`)));
  });
});
