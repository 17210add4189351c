// E2E: where the browser flow must ask again — consent after signing out elsewhere, native apps
// (RFC 8252 §8.6), and resources never approved (RFC 8707).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashToken } from '../../src/tokens/opaque.ts';
import { Browser, isConsentPage, isLoginPage } from '../helpers/browser.ts';
import { codeRequestUrl } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const API = 'https://api.example/';
const WEB = 'https://web.example/cb';

let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer();
  user = await t.addUser('erin', 'erin password 1');
});
after(() => t.close());

const query = (u: string) => new URL(u).searchParams;

describe('consent after the session ended', () => {
  test('Allow after signing out in another tab issues no code: the person signs in again', async () => {
    const { clientId } = (await t.addClient()).client;
    const browser = new Browser();
    const consent = await browser.submit(await browser.open(codeRequestUrl(t.url, clientId, { state: 'gone' })), user);
    assert.ok(isConsentPage(consent));
    // The other tab signs out: the session is gone.
    await t.storage.sessions.delete(hashToken(browser.cookies.get('lk_session') ?? ''));
    const allowed = await browser.submit(consent, { decision: 'allow' });
    assert.ok(isLoginPage(allowed), `expected the login page, got ${allowed.status} ${allowed.url}`);
    assert.equal(query(allowed.url).get('code'), null);
    // Signing in again finishes the same request (consent was not recorded without a session).
    const again = await browser.submit(allowed, user);
    assert.ok(isConsentPage(again));
    const done = await browser.submit(again, { decision: 'allow' });
    assert.ok(query(done.url).get('code'));
    assert.equal(query(done.url).get('state'), 'gone');
  });

  test('the consent page itself sends a signed-out browser to sign in', async () => {
    const { clientId } = (await t.addClient()).client;
    const browser = new Browser();
    const consent = await browser.submit(await browser.open(codeRequestUrl(t.url, clientId)), user);
    await t.storage.sessions.delete(hashToken(browser.cookies.get('lk_session') ?? ''));
    assert.ok(isLoginPage(await browser.open(consent.url)));
  });
});

describe('native apps (RFC 8252 §8.6)', () => {
  test('a public client on a loopback redirect URI is asked every time; prompt=none answers consent_required', async () => {
    const { clientId } = (await t.addClient({ public: true, redirectUris: [REDIRECT_URI] })).client;
    const browser = new Browser();
    const first = await browser.authorize(codeRequestUrl(t.url, clientId), user);
    assert.ok(query(first.url).get('code'));
    assert.ok(isConsentPage(await browser.open(codeRequestUrl(t.url, clientId))));
    const silent = await browser.open(codeRequestUrl(t.url, clientId, { prompt: 'none', state: 'n1' }));
    assert.equal(query(silent.url).get('error'), 'consent_required');
    assert.equal(query(silent.url).get('state'), 'n1');
  });

  test('a public client on a private-use scheme is asked every time', async () => {
    const app = 'com.example.app:/callback';
    const { clientId } = (await t.addClient({ public: true, redirectUris: [app] })).client;
    const browser = new Browser();
    const first = await browser.authorize(codeRequestUrl(t.url, clientId, { redirect_uri: app }), user);
    assert.ok(first.url.startsWith(app) && query(first.url).get('code'));
    assert.ok(isConsentPage(await browser.open(codeRequestUrl(t.url, clientId, { redirect_uri: app }))));
  });

  test('a public web client on https keeps remembered consent', async () => {
    const { clientId } = (await t.addClient({ public: true, redirectUris: [WEB] })).client;
    const browser = new Browser();
    await browser.authorize(codeRequestUrl(t.url, clientId, { redirect_uri: WEB }), user);
    const second = await browser.open(codeRequestUrl(t.url, clientId, { redirect_uri: WEB }));
    assert.equal(second.status, 303);
    assert.ok(query(second.url).get('code'));
  });
});

describe('remembered consent covers resources', () => {
  test('a resource never approved asks again; an approved one does not', async () => {
    const other = 'https://other.example/';
    const { clientId } = (await t.addClient({ resources: [API, other] })).client;
    const browser = new Browser();
    await browser.authorize(codeRequestUrl(t.url, clientId, { resource: API }), user);
    const same = await browser.open(codeRequestUrl(t.url, clientId, { resource: API }));
    assert.ok(query(same.url).get('code'), 'the approved resource needs no page');
    const asked = await browser.open(codeRequestUrl(t.url, clientId, { resource: other }));
    assert.ok(isConsentPage(asked));
    assert.match(asked.html, /At these services:[\s\S]*<code>https:\/\/other\.example\/<\/code>/, 'the page names the resource');
    const silent = await browser.open(codeRequestUrl(t.url, clientId, { resource: other, prompt: 'none' }));
    assert.equal(query(silent.url).get('error'), 'consent_required');
  });
});
