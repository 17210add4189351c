// E2E: the device authorization grant (RFC 8628) with openid-client, and each refusal: polling too
// fast (slow_down, the interval grows), denied, expired, a reused code, a client without the grant,
// and brute-force protection on user-code entry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { Browser, isConsentPage, isLoginPage, type Page } from '../helpers/browser.ts';
import { tokenRequest } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let t: TestServer;
let user: { username: string; password: string };
let clientId: string;

before(async () => {
  t = await startTestServer();
  user = await t.addUser();
  const { client: c } = await t.addClient({ public: true, redirectUris: [], grantTypes: [DEVICE_GRANT, 'refresh_token'] });
  clientId = c.clientId;
});
after(() => t?.close());

async function startDevice(id = clientId): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}/device_authorization`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: id, scope: 'openid offline_access' }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

/** Opens the device page with the code, signs in, and answers the consent page. */
async function decideOnDevicePage(userCode: string, decision: 'allow' | 'deny', browser = new Browser()): Promise<Page> {
  let page = await browser.open(`${t.url}/device`);
  page = await browser.submit(page, { user_code: userCode });
  if (isLoginPage(page)) page = await browser.submit(page, { username: user.username, password: user.password });
  assert.ok(isConsentPage(page), page.html.slice(0, 300));
  return browser.submit(page, { decision });
}

const poll = (deviceCode: string) => tokenRequest(t.url, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId });

describe('device authorization grant', () => {
  test('openid-client starts, the person approves on the device page, the device gets tokens', async () => {
    const config = await client.discovery(new URL(t.url), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    assert.equal(config.serverMetadata().device_authorization_endpoint, `${t.url}/device_authorization`);
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(started.verification_uri, `${t.url}/device`);
    assert.equal(started.verification_uri_complete, `${t.url}/device?user_code=${started.user_code}`);
    assert.equal(started.interval, 5);
    assert.equal(started.expires_in, 600);
    // The complete URI fills the code in: the person only confirms it.
    const browser = new Browser();
    const filled = await browser.open(started.verification_uri_complete ?? '');
    assert.match(filled.html, new RegExp(`value="${started.user_code}"`));
    const done = await decideOnDevicePage(started.user_code.toLowerCase().replace('-', ' '), 'allow', browser);
    assert.equal(done.status, 200);
    assert.match(done.html, /Device connected/);
    const tokens = await client.pollDeviceAuthorizationGrant(config, started);
    assert.ok(tokens.access_token);
    assert.ok(tokens.id_token);
    assert.ok(tokens.refresh_token);
  });

  test('polling before the person decided: authorization_pending, and too fast: slow_down with a growing interval', async () => {
    t.freeze();
    try {
      const d = await startDevice();
      const first = await poll(String(d.device_code));
      assert.equal(first.body.error, 'authorization_pending');
      const tooFast = await poll(String(d.device_code));
      assert.equal(tooFast.status, 400);
      assert.equal(tooFast.body.error, 'slow_down');
      // The interval is now 10 s: 5 s later is still too fast.
      t.advance(5);
      assert.equal((await poll(String(d.device_code))).body.error, 'slow_down');
      t.advance(15);
      assert.equal((await poll(String(d.device_code))).body.error, 'authorization_pending');
    } finally {
      t.unfreeze();
    }
  });

  test('a denied request answers access_denied', async () => {
    const d = await startDevice();
    const page = await decideOnDevicePage(String(d.user_code), 'deny');
    assert.match(page.html, /not given access/);
    const r = await poll(String(d.device_code));
    assert.equal(r.body.error, 'access_denied');
  });

  test('an expired device code answers expired_token, and its user code no longer works', async () => {
    const d = await startDevice();
    t.advance(601);
    assert.equal((await poll(String(d.device_code))).body.error, 'expired_token');
    const browser = new Browser();
    const page = await browser.submit(await browser.open(`${t.url}/device`), { user_code: String(d.user_code) });
    assert.equal(page.status, 400);
    assert.match(page.html, /not valid, or it has expired/);
  });

  test('a device code is redeemed once', async () => {
    const d = await startDevice();
    await decideOnDevicePage(String(d.user_code), 'allow');
    t.advance(5);
    const first = await poll(String(d.device_code));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    t.advance(5);
    const again = await poll(String(d.device_code));
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
    // A user code that was used cannot be entered again either.
    const browser = new Browser();
    const page = await browser.submit(await browser.open(`${t.url}/device`), { user_code: String(d.user_code) });
    assert.equal(page.status, 400);
  });

  test('another client cannot poll with the device code, nor a client without the grant start one', async () => {
    const d = await startDevice();
    const { client: other } = await t.addClient({ public: true, redirectUris: [], grantTypes: [DEVICE_GRANT] });
    const r = await tokenRequest(t.url, { grant_type: DEVICE_GRANT, device_code: String(d.device_code), client_id: other.clientId });
    assert.equal(r.body.error, 'invalid_grant');
    const { client: web } = await t.addClient({ public: true });
    const res = await fetch(`${t.url}/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: web.clientId }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as Record<string, unknown>).error, 'unauthorized_client');
  });

  test('wrong user codes are slowed down per address; a right one still needs no wait until then', async () => {
    // A server of its own: the other tests entered wrong codes from this address too.
    const s = await startTestServer();
    s.freeze();
    try {
      const { client: c } = await s.addClient({ public: true, redirectUris: [], grantTypes: [DEVICE_GRANT] });
      const browser = new Browser();
      const form = await browser.open(`${s.url}/device`);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await browser.submit(form, { user_code: 'BBBB-BBBB' })).status);
      assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429]);
      const started = await fetch(`${s.url}/device_authorization`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: c.clientId }),
      });
      const { user_code: userCode } = (await started.json()) as { user_code: string };
      const refused = await browser.submit(form, { user_code: userCode });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '60');
      s.advance(10);
      const accepted = await browser.submit(form, { user_code: userCode });
      assert.ok(isLoginPage(accepted), `${accepted.status}`);
    } finally {
      await s.close();
    }
  });

  test('the device form refuses a post without the CSRF token', async () => {
    const browser = new Browser();
    await browser.open(`${t.url}/device`);
    const page = await browser.open(`${t.url}/device`, { method: 'POST', form: { user_code: 'BBBB-BBBB' } });
    assert.equal(page.status, 403);
  });
});
