// E2E: the login and consent pages as a browser meets them (cookies, CSRF, prompt, max_age, consent memory).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, isConsentPage, isLoginPage } from '../helpers/browser.ts';
import { authorizeUrl, pkce } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };
let clientId: string;

before(async () => {
  t = await startTestServer();
  user = await t.addUser('carol', 'carol password 1', { name: 'Carol' });
  clientId = (await t.addClient({ name: 'Pages <App>' })).client.clientId;
});
after(() => t.close());

const url = (extra: Record<string, string> = {}) =>
  authorizeUrl(t.url, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 's1',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

const query = (u: string) => new URL(u).searchParams;

describe('login page', () => {
  test('is a labelled, CSRF-protected form with strict headers', async () => {
    const page = await new Browser().open(url());
    assert.equal(page.status, 200);
    assert.ok(isLoginPage(page));
    assert.match(page.html, /<label for="username">/);
    assert.match(page.html, /<label for="password">/);
    assert.match(page.html, /name="csrf" value="[A-Za-z0-9_-]{43}"/);
    assert.match(page.html, /Pages &#60;App&#62;/, 'the client name is escaped');
    // An issuer on an IP address cannot offer passkeys (WebAuthn §5.1.4): the page has no script.
    assert.doesNotMatch(page.html, /<script/i);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('cache-control'), 'no-store');
  });

  test('a wrong password and an unknown user get the same answer', async () => {
    const browser = new Browser();
    const wrong = await browser.submit(await browser.open(url()), { username: user.username, password: 'not it at all' });
    const unknown = await browser.submit(await browser.open(url()), { username: 'nobody-here', password: 'not it at all' });
    for (const page of [wrong, unknown]) {
      assert.equal(page.status, 400);
      assert.ok(isLoginPage(page));
      assert.match(page.html, /The username or password is not correct\./);
    }
    assert.equal(browser.cookies.has('lk_session'), false);
    assert.ok(t.logs.some((l) => l.event === 'login.failure'));
  });

  test('a post without the CSRF token, or from another browser, is refused', async () => {
    const browser = new Browser();
    const page = await browser.open(url());
    const action = /action="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const noToken = await browser.open(action, { method: 'POST', form: { username: user.username, password: user.password } });
    assert.equal(noToken.status, 403);
    // Another browser (no CSRF cookie of its own) cannot use this interaction.
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const other = await new Browser().open(action, { method: 'POST', form: { csrf, username: user.username, password: user.password } });
    assert.equal(other.status, 403);
  });

  test('the session cookie is HttpOnly and SameSite=Lax', async () => {
    const res = await fetch(url(), { redirect: 'manual' });
    const setCookie = res.headers.getSetCookie().join('\n');
    assert.match(setCookie, /lk_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Secure/, 'no Secure flag on an http issuer');
    const browser = new Browser();
    const page = await browser.open(url());
    const loginAction = /action="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const post = await fetch(loginAction, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `lk_csrf=${browser.cookies.get('lk_csrf')}` },
      body: new URLSearchParams({ csrf, username: user.username, password: user.password }),
    });
    assert.equal(post.status, 303);
    assert.match(post.headers.getSetCookie().join('\n'), /lk_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
  });
});

describe('consent', () => {
  test('lists the scopes; Deny redirects with access_denied, state and iss', async () => {
    const browser = new Browser();
    const login = await browser.open(url({ state: 'deny-me' }));
    const consent = await browser.submit(login, { username: user.username, password: user.password });
    assert.ok(isConsentPage(consent));
    assert.match(consent.html, /<code>openid<\/code>/);
    assert.match(consent.html, /<code>profile<\/code>/);
    assert.match(consent.html, /value="allow"/);
    assert.match(consent.html, /value="deny"/);
    // The form may redirect to the client: the CSP allows exactly its origin.
    assert.match(consent.headers.get('content-security-policy') ?? '', /form-action 'self' http:\/\/127\.0\.0\.1:9;/);
    const denied = await browser.submit(consent, { decision: 'deny' });
    assert.equal(denied.status, 303);
    const q = query(denied.url);
    assert.equal(q.get('error'), 'access_denied');
    assert.equal(q.get('state'), 'deny-me');
    assert.equal(q.get('iss'), t.url);
    assert.equal(q.get('code'), null);
    // The interaction is finished: submitting again is refused.
    const again = await browser.submit(consent, { decision: 'allow' });
    assert.equal(again.status, 400);
  });

  test('is remembered per user, client and scope set; prompt=consent asks again', async () => {
    const browser = new Browser();
    const first = await browser.authorize(url(), user);
    assert.ok(query(first.url).get('code'));
    // Same scopes: straight back with a code, no page.
    const second = await browser.open(url({ state: 's2' }));
    assert.equal(second.status, 303);
    assert.ok(query(second.url).get('code'));
    assert.equal(query(second.url).get('state'), 's2');
    // A scope not yet granted: consent again.
    const more = await browser.open(url({ scope: 'openid profile email' }));
    assert.ok(isConsentPage(more));
    assert.match(more.html, /<code>email<\/code>/);
    const forced = await browser.open(url({ prompt: 'consent' }));
    assert.ok(isConsentPage(forced));
  });
});

describe('prompt and max_age', () => {
  test('prompt=none with a session and consent returns a code; without consent, consent_required', async () => {
    const browser = new Browser();
    await browser.authorize(url(), user);
    const silent = await browser.open(url({ prompt: 'none', state: 'quiet' }));
    assert.ok(query(silent.url).get('code'));
    assert.equal(query(silent.url).get('state'), 'quiet');
    const other = (await t.addClient()).client.clientId;
    const noConsent = await browser.open(url({ prompt: 'none', client_id: other }));
    assert.equal(query(noConsent.url).get('error'), 'consent_required');
    assert.equal(query(noConsent.url).get('iss'), t.url);
  });

  test('prompt=login and max_age=0 ask for the password again', async () => {
    const browser = new Browser();
    await browser.authorize(url(), user);
    assert.ok(isLoginPage(await browser.open(url({ prompt: 'login' }))));
    assert.ok(isLoginPage(await browser.open(url({ max_age: '0' }))));
    // A recent enough sign-in satisfies max_age.
    const fresh = await browser.open(url({ max_age: '3600' }));
    assert.ok(query(fresh.url).get('code'));
  });

  test('max_age counts from the sign-in time', async () => {
    const browser = new Browser();
    await browser.authorize(url(), user);
    t.advance(120);
    try {
      assert.ok(isLoginPage(await browser.open(url({ max_age: '60' }))));
    } finally {
      t.advance(-120);
    }
  });
});

test('an expired interaction shows a page that says so', async () => {
  const browser = new Browser();
  const login = await browser.open(url());
  t.advance(3600);
  try {
    const late = await browser.submit(login, { username: user.username, password: user.password });
    assert.equal(late.status, 400);
    assert.match(late.html, /expired/);
  } finally {
    t.advance(-3600);
  }
});

test('POST /authorize works like GET', async () => {
  const browser = new Browser();
  await browser.authorize(url(), user);
  const params = Object.fromEntries(new URL(url({ state: 'posted' })).searchParams);
  const res = await browser.open(`${t.url}/authorize`, { method: 'POST', form: params });
  assert.equal(query(res.url).get('state'), 'posted');
  assert.ok(query(res.url).get('code'));
});
