// E2E: an operator's incidents through the admin API, each one call taking effect at once — sign a
// person out everywhere, end one session, revoke one grant, withdraw a consent on the person's behalf,
// revoke a client's grants — and the API off by default or on its own listener.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AdminApi, AdminApi as Api, adminClient, answers, openApiMismatches } from '../helpers/admin.ts';
import { Browser, isConsentPage } from '../helpers/browser.ts';
import { basic, codeRequestUrl, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { userinfoStatus } from '../helpers/tokens.ts';

let t: TestServer;
let admin: AdminApi & { clientId: string };

before(async () => {
  t = await startTestServer({ admin: { enabled: true } });
  admin = await adminClient(t);
});
after(() => t.close());

/** A person signed in through a confidential client, with its tokens. */
async function signedIn(username?: string) {
  const user = await t.addUser(username);
  const { client, secret } = await t.addClient();
  const auth = basic(client.clientId, secret ?? '');
  const browser = new Browser();
  const e = await getCode(t.url, client.clientId, user, {}, browser);
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    auth,
  );
  assert.equal(res.status, 200);
  const tokens = res.body as { access_token: string; refresh_token: string };
  return { user, client, auth, browser, tokens };
}

const refreshStatus = async (auth: string, refreshToken: string) =>
  (await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: refreshToken }, auth)).status;

async function silentError(browser: Browser, clientId: string): Promise<string | null> {
  const page = await browser.open(codeRequestUrl(t.url, clientId, { prompt: 'none' }));
  return new URL(page.url).searchParams.get('error');
}

describe('sessions', () => {
  test('list, then sign a person out everywhere: tokens inactive, refresh refused, prompt=none refused', async () => {
    const s = await signedIn();
    const listed = await admin.call('GET', '/users/{sub}/sessions', { params: { sub: s.user.id } });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.items?.length, 1);
    const grants = await admin.call('GET', '/users/{sub}/grants', { params: { sub: s.user.id } });
    assert.equal(grants.body.items?.length, 1);
    assert.equal(grants.body.items?.[0]?.client_id, s.client.clientId);
    assert.equal(await silentError(s.browser, s.client.clientId), null);

    const ended = await admin.call('DELETE', '/users/{sub}/sessions', { params: { sub: s.user.id } });
    // Two grants: the sign-in's, and the code the silent request above was given.
    assert.deepEqual(ended.body, { sessions_ended: 1, grants_revoked: 2 });
    assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
    assert.equal(await refreshStatus(s.auth, s.tokens.refresh_token), 400);
    assert.equal(await silentError(s.browser, s.client.clientId), 'login_required');
  });

  test('end one session: that browser must sign in again, the other stays', async () => {
    const s = await signedIn();
    const other = new Browser();
    await getCode(t.url, s.client.clientId, s.user, {}, other);
    const listed = await admin.call('GET', '/users/{sub}/sessions', { params: { sub: s.user.id } });
    assert.equal(listed.body.items?.length, 2);
    const first = String(listed.body.items?.[0]?.session_id);
    const ended = await admin.call('DELETE', '/users/{sub}/sessions/{session_id}', { params: { sub: s.user.id, session_id: first } });
    assert.equal(ended.status, 200);
    const errors = [await silentError(s.browser, s.client.clientId), await silentError(other, s.client.clientId)];
    assert.deepEqual(errors.sort(), ['login_required', null].sort());
    const again = await admin.call('DELETE', '/users/{sub}/sessions/{session_id}', { params: { sub: s.user.id, session_id: first } });
    assert.equal(again.status, 404);
  });
});

describe('grants and consents', () => {
  test('revoke one grant: its tokens are inactive at once, the session stays', async () => {
    const s = await signedIn();
    const byClient = await admin.call('GET', '/clients/{client_id}/grants', { params: { client_id: s.client.clientId } });
    const grantId = String(byClient.body.items?.[0]?.grant_id);
    const read = await admin.call('GET', '/grants/{grant_id}', { params: { grant_id: grantId } });
    assert.equal(read.body.revoked, false);
    const revoked = await admin.call('DELETE', '/grants/{grant_id}', { params: { grant_id: grantId } });
    assert.deepEqual(revoked.body, { grants_revoked: 1 });
    assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
    assert.equal(await refreshStatus(s.auth, s.tokens.refresh_token), 400);
    assert.equal(await silentError(s.browser, s.client.clientId), null);
    assert.equal((await admin.call('GET', '/grants/{grant_id}', { params: { grant_id: 'nope' } })).status, 404);
  });

  test("withdraw a consent on the person's behalf: tokens inactive, and the next request asks again", async () => {
    const s = await signedIn();
    const consents = await admin.call('GET', '/users/{sub}/consents', { params: { sub: s.user.id } });
    assert.deepEqual(
      consents.body.items?.map((c) => c.client_id),
      [s.client.clientId],
    );
    const byClient = await admin.call('GET', '/clients/{client_id}/consents', { params: { client_id: s.client.clientId } });
    assert.equal(byClient.body.items?.[0]?.sub, s.user.id);
    const withdrawn = await admin.call('DELETE', '/users/{sub}/consents/{client_id}', {
      params: { sub: s.user.id, client_id: s.client.clientId },
    });
    assert.deepEqual(withdrawn.body, { grants_revoked: 1 });
    assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
    assert.equal(await refreshStatus(s.auth, s.tokens.refresh_token), 400);
    const after = await admin.call('GET', '/users/{sub}/consents', { params: { sub: s.user.id } });
    assert.deepEqual(after.body.items, []);
    assert.equal(await silentError(s.browser, s.client.clientId), 'consent_required');
    assert.ok(isConsentPage(await s.browser.open(codeRequestUrl(t.url, s.client.clientId))));
  });

  test('revoke every grant of a client; disabling it refuses its refresh at once', async () => {
    const s = await signedIn();
    const revoked = await admin.call('DELETE', '/clients/{client_id}/grants', { params: { client_id: s.client.clientId } });
    assert.deepEqual(revoked.body, { grants_revoked: 1 });
    assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
    const again = await getCode(t.url, s.client.clientId, s.user, {}, s.browser);
    const res = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code: again.code, code_verifier: again.verifier, redirect_uri: REDIRECT_URI },
      s.auth,
    );
    const tokens = res.body as { access_token: string; refresh_token: string };
    await admin.call('POST', '/clients/{client_id}/disable', { params: { client_id: s.client.clientId } });
    assert.equal(await userinfoStatus(t.url, tokens.access_token), 401);
    assert.equal(await refreshStatus(s.auth, tokens.refresh_token), 401);
  });
});

test('every answer above matches the OpenAPI document', async () => {
  const doc = (await (await fetch(`${t.url}/admin/v1/openapi.json`)).json()) as Record<string, unknown>;
  assert.ok(answers.length > 15);
  assert.deepEqual(openApiMismatches(doc, answers), []);
});

describe('where the API is served', () => {
  test('off unless admin.enabled: nothing under /admin/v1', async () => {
    const off = await startTestServer();
    try {
      const res = await fetch(`${off.url}/admin/v1/openapi.json`, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 404);
      const { client, secret } = await off.addClient({ grantTypes: ['client_credentials'], redirectUris: [], scope: '' });
      const scoped = await tokenRequest(
        off.url,
        { grant_type: 'client_credentials', scope: 'latchkey:admin' },
        basic(client.clientId, secret ?? ''),
      );
      assert.equal(scoped.status, 400, 'the scope does not exist when the API is off');
    } finally {
      await off.close();
    }
  });

  test('with admin.port, only on its own listener', async () => {
    const own = await startTestServer({ admin: { enabled: true, port: 0, host: '127.0.0.1' } });
    try {
      const listener = own.server.admin;
      assert.ok(listener);
      const ops = await adminClient(own, 'latchkey:admin', listener.url);
      assert.equal((await ops.call('GET', '/users')).status, 200);
      const publicSide = await new Api(own.url, ops.token).call('GET', '/users');
      assert.equal(publicSide.status, 404);
      const other = await fetch(`${listener.url}/token`, { method: 'POST' });
      assert.equal(other.status, 404, 'the admin listener serves nothing else');
    } finally {
      await own.close();
    }
  });
});
