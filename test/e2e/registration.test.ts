// E2E: dynamic client registration (RFC 7591 §3) and its management (RFC 7592 §2): off by default,
// precise refusals, the initial access token, the per-address limit, and cleanup of unused clients.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const INITIAL = 'an-initial-access-token-of-at-least-32-characters';
let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer({ scopes: ['mcp:tools'], registration: { enabled: true, perMinute: 1000, unusedClientSeconds: 3600 } });
  user = await t.addUser('lin', 'lin password 123');
});
after(() => t.close());

async function register(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const native = { client_name: 'CLI', application_type: 'native', redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none' };

describe('registration off', () => {
  test('is not found and not advertised by default', async () => {
    const off = await startTestServer();
    try {
      assert.equal((await register(off, native)).status, 404);
      const meta = (await (await fetch(`${off.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      assert.equal(meta.registration_endpoint, undefined);
    } finally {
      await off.close();
    }
  });
});

describe('registering (RFC 7591 §3)', () => {
  test('a native public client is created and its metadata returned with a registration access token', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.equal(meta.registration_endpoint, `${t.url}/register`);
    const res = await register(t, { ...native, scope: 'mcp:tools offline_access', grant_types: ['authorization_code', 'refresh_token'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const b = res.body;
    assert.equal(typeof b.client_id, 'string');
    assert.equal(b.client_secret, undefined);
    assert.deepEqual(b.redirect_uris, [REDIRECT_URI]);
    assert.equal(b.token_endpoint_auth_method, 'none');
    assert.equal(b.scope, 'mcp:tools offline_access');
    assert.equal(b.application_type, 'native');
    assert.equal(b.registration_client_uri, `${t.url}/register/${b.client_id}`);
    assert.equal(typeof b.registration_access_token, 'string');
    assert.equal((await t.storage.clients.get(b.client_id as string))?.name, 'CLI');
  });

  test('without application_type, loopback redirect URIs make a native client', async () => {
    const { application_type: _, ...body } = native;
    const res = await register(t, body);
    assert.equal(res.status, 201);
    assert.equal(res.body.application_type, 'native');
  });

  test('a confidential web client gets a secret that does not expire', async () => {
    const res = await register(t, { client_name: 'Web', redirect_uris: ['https://app.example/cb'] });
    assert.equal(res.status, 201);
    assert.equal(res.body.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(typeof res.body.client_secret, 'string');
    assert.equal(res.body.client_secret_expires_at, 0);
  });

  for (const [name, body, description] of [
    ['no redirect URI', { ...native, redirect_uris: [] }, /at least one/],
    ['a fragment', { ...native, redirect_uris: ['http://127.0.0.1/cb#x'] }, /fragment/],
    ['http for a web client', { ...native, application_type: 'web' }, /web client registers https/],
    [
      'loopback beside https without application_type',
      { ...native, application_type: undefined, redirect_uris: ['https://a.example/cb', 'http://app.example/cb'] },
      /loopback only|must use https/,
    ],
    ['http off loopback for a native client', { ...native, redirect_uris: ['http://app.example/cb'] }, /must use https|loopback only/],
    ['a private-use scheme not in reverse domain form', { ...native, redirect_uris: ['myapp:/cb'] }, /reverse domain/],
  ] as const) {
    test(`invalid_redirect_uri: ${name}`, async () => {
      const res = await register(t, body);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_redirect_uri');
      assert.match(String(res.body.error_description), description);
    });
  }

  for (const [name, body, description] of [
    ['not an object', [1], /JSON object/],
    ['an unknown scope', { ...native, scope: 'admin' }, /scope/],
    ['an unknown auth method', { ...native, token_endpoint_auth_method: 'private_key_jwt' }, /token_endpoint_auth_method/],
    ['client_credentials', { ...native, grant_types: ['client_credentials'] }, /grant_types/],
    ['response_types token', { ...native, response_types: ['token'] }, /response_types/],
    ['a bad application_type', { ...native, application_type: 'desktop' }, /application_type/],
    ['a name too long', { ...native, client_name: 'x'.repeat(300) }, /client_name/],
  ] as const) {
    test(`invalid_client_metadata: ${name}`, async () => {
      const res = await register(t, body);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_client_metadata');
      assert.match(String(res.body.error_description), description);
    });
  }

  test('a form or broken JSON body is invalid_request', async () => {
    const form = await fetch(`${t.url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    assert.equal(((await form.json()) as { error: string }).error, 'invalid_request');
    assert.equal((await register(t, '{"redirect_uris":')).body.error, 'invalid_request');
  });
});

describe('initial access token and rate limit', () => {
  test('with an initial access token configured, registering without it or with another is refused', async () => {
    const s = await startTestServer({ registration: { enabled: true, initialAccessToken: INITIAL, perMinute: 2 } });
    try {
      assert.equal((await register(s, native)).status, 401);
      assert.equal((await register(s, native, { authorization: 'Bearer wrong-token' })).status, 401);
      assert.equal((await register(s, native, { authorization: `Bearer ${INITIAL}` })).status, 201);
      s.freeze();
      assert.equal((await register(s, native, { authorization: `Bearer ${INITIAL}` })).status, 201);
      const third = await register(s, native, { authorization: `Bearer ${INITIAL}` });
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) > 0);
    } finally {
      await s.close();
    }
  });
});

describe('managing a registration (RFC 7592 §2)', () => {
  test('read, update and delete with the registration access token; anything else is 401', async () => {
    const created = (await register(t, native)).body;
    const uri = created.registration_client_uri as string;
    const auth = { authorization: `Bearer ${created.registration_access_token}` };
    const read = await fetch(uri, { headers: auth });
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as Record<string, unknown>).client_name, 'CLI');
    assert.equal((await fetch(uri, { headers: { authorization: 'Bearer not-the-token' } })).status, 401);
    assert.equal((await fetch(uri)).status, 401);
    assert.equal((await fetch(`${t.url}/register/unknown`, { headers: auth })).status, 401);

    const put = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...native, client_id: created.client_id, client_name: 'CLI 2' }),
    });
    assert.equal(put.status, 200);
    assert.equal((await t.storage.clients.get(created.client_id as string))?.name, 'CLI 2');
    const wrongId = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...native, client_id: 'other' }),
    });
    assert.equal(wrongId.status, 400);

    assert.equal((await fetch(uri, { method: 'DELETE', headers: auth })).status, 204);
    assert.equal(await t.storage.clients.get(created.client_id as string), undefined);
    assert.equal((await fetch(uri, { headers: auth })).status, 401);
  });

  test('a client created otherwise cannot be managed here', async () => {
    const { client } = await t.addClient();
    assert.equal((await fetch(`${t.url}/register/${client.clientId}`, { headers: { authorization: 'Bearer x' } })).status, 401);
  });
});

describe('cleanup of unused registered clients', () => {
  test('a client never used is deleted after registration.unusedClientSeconds; a used one stays', async () => {
    const unused = (await register(t, native)).body.client_id as string;
    const used = (await register(t, { ...native, scope: 'openid offline_access' })).body.client_id as string;
    const { code, verifier } = await getCode(t.url, used, user);
    const tokens = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT_URI,
      client_id: used,
    });
    assert.equal(tokens.status, 200);
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await t.storage.registrations.removeUnused(now + 60), 0, 'nothing is due yet');
    assert.ok((await t.storage.registrations.removeUnused(now + 3700)) >= 1);
    assert.equal(await t.storage.clients.get(unused), undefined);
    assert.ok(await t.storage.clients.get(used));
  });
});
