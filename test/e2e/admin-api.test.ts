// E2E: the admin API driven by a script-style client — clients, users, keys and audit events; who may
// call it; and every answer checked against the OpenAPI document the server serves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { adminAudience } from '../../src/admin/auth.ts';
import { type AdminApi, adminClient, answers, openApiMismatches } from '../helpers/admin.ts';
import { Browser } from '../helpers/browser.ts';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let admin: AdminApi & { clientId: string };

before(async () => {
  t = await startTestServer({ scopes: ['api:read'], admin: { enabled: true } });
  admin = await adminClient(t);
});
after(() => t.close());

describe('clients', () => {
  test('create with RFC 7591 names, read with an ETag, change with If-Match, list page by page', async () => {
    const created = await admin.call('POST', '/clients', {
      body: { client_name: 'Reports', grant_types: ['client_credentials'], scope: 'api:read' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.client_id);
    assert.equal(created.headers.get('location'), `${t.url}/admin/v1/clients/${id}`);
    assert.equal(typeof created.body.client_secret, 'string');
    assert.equal(created.body.client_secret_expires_at, 0);
    const token = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(id, String(created.body.client_secret)));
    assert.equal(token.status, 200);

    const read = await admin.call('GET', '/clients/{client_id}', { params: { client_id: id } });
    assert.equal(read.body.client_secret, undefined, 'the secret is shown only once');
    const etag = read.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const stale = await admin.call('PATCH', '/clients/{client_id}', {
      params: { client_id: id },
      body: { client_name: 'Old view' },
      headers: { 'if-match': '"not-the-etag"' },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.contentType, 'application/problem+json; charset=utf-8');
    const changed = await admin.call('PATCH', '/clients/{client_id}', {
      params: { client_id: id },
      body: { client_name: 'Monthly reports' },
      headers: { 'if-match': etag },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.client_name, 'Monthly reports');
    assert.notEqual(changed.headers.get('etag'), etag);
    const again = await admin.call('PATCH', '/clients/{client_id}', {
      params: { client_id: id },
      body: { client_name: 'x' },
      headers: { 'if-match': etag },
    });
    assert.equal(again.status, 412, 'the old ETag no longer matches');

    const bad = await admin.call('PATCH', '/clients/{client_id}', { params: { client_id: id }, body: { scope: 'nope' } });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.detail), /scope "nope" is not supported/);
    const unknown = await admin.call('POST', '/clients', { body: { client_name: 'x', colour: 'red' } });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.detail), /unknown field "colour"/);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await admin.call('GET', '/clients', { query: { limit: '1', ...(cursor ? { cursor } : {}) } });
      assert.equal(page.status, 200);
      seen.push(...(page.body.items ?? []).map((c) => String(c.client_id)));
      if (page.body.next_cursor === null) break;
      cursor = String(page.body.next_cursor);
    }
    assert.deepEqual(seen, [...seen].sort());
    assert.ok(seen.includes(id) && seen.includes(admin.clientId));
  });

  test('rotate the secret, disable (refused at once), enable, delete', async () => {
    const created = await admin.call('POST', '/clients', { body: { client_name: 'Job', grant_types: ['client_credentials'] } });
    const id = String(created.body.client_id);
    const oldSecret = String(created.body.client_secret);
    const rotated = await admin.call('POST', '/clients/{client_id}/secret', { params: { client_id: id } });
    assert.equal(rotated.status, 200);
    const secret = String(rotated.body.client_secret);
    assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(id, oldSecret))).status, 401);
    const issued = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(id, secret));
    assert.equal(issued.status, 200);

    const disabled = await admin.call('POST', '/clients/{client_id}/disable', { params: { client_id: id } });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.disabled, true);
    assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(id, secret))).status, 401);
    const enabled = await admin.call('POST', '/clients/{client_id}/enable', { params: { client_id: id } });
    assert.equal(enabled.body.disabled, false);
    assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(id, secret))).status, 200);

    const deleted = await admin.call('DELETE', '/clients/{client_id}', { params: { client_id: id } });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.deleted, true);
    assert.equal((await admin.call('GET', '/clients/{client_id}', { params: { client_id: id } })).status, 404);
  });
});

describe('users', () => {
  test('create, read, update email_verified and roles, search page by page, password, disable, enable, delete', async () => {
    const created = await admin.call('POST', '/users', {
      body: { username: 'Grace', password: 'grace password 1', email: 'grace@example.com', roles: ['editor'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sub = String(created.body.sub);
    assert.equal(created.body.email_verified, false);
    assert.equal(created.body.password, undefined);
    const taken = await admin.call('POST', '/users', { body: { username: 'grace', password: 'another password' } });
    assert.equal(taken.status, 409);
    const short = await admin.call('POST', '/users', { body: { username: 'henry', password: 'short' } });
    assert.equal(short.status, 400);
    assert.match(String(short.body.detail), /at least 8 characters/);

    const read = await admin.call('GET', '/users/{sub}', { params: { sub } });
    const changed = await admin.call('PATCH', '/users/{sub}', {
      params: { sub },
      body: { email_verified: true, groups: ['staff'] },
      headers: { 'if-match': read.headers.get('etag') ?? '' },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.email_verified, true);
    assert.deepEqual(changed.body.groups, ['staff']);
    assert.deepEqual(changed.body.roles, ['editor']);

    for (const name of ['search-a1', 'search-a2', 'search-a3']) await t.addUser(name);
    const found: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await admin.call('GET', '/users', { query: { search: 'SEARCH-A', limit: '2', ...(cursor ? { cursor } : {}) } });
      found.push(...(page.body.items ?? []).map((u) => String(u.username)));
      if (page.body.next_cursor === null) break;
      cursor = String(page.body.next_cursor);
    }
    assert.deepEqual(found.sort(), ['search-a1', 'search-a2', 'search-a3']);
    const literal = await admin.call('GET', '/users', { query: { search: '%' } });
    assert.deepEqual(literal.body.items, [], '% is matched literally');

    const password = await admin.call('PUT', '/users/{sub}/password', { params: { sub }, body: { password: 'a new password 2' } });
    assert.equal(password.status, 200);
    const browser = new Browser();
    const { client } = await t.addClient();
    await getCode(t.url, client.clientId, { username: 'grace', password: 'a new password 2' }, {}, browser);

    const disabled = await admin.call('POST', '/users/{sub}/disable', { params: { sub } });
    assert.equal(disabled.body.disabled, true);
    assert.equal(disabled.body.sessions_ended, 1);
    await assert.rejects(getCode(t.url, client.clientId, { username: 'grace', password: 'a new password 2' }), /no code/);
    const enabled = await admin.call('POST', '/users/{sub}/enable', { params: { sub } });
    assert.equal(enabled.body.disabled, false);
    const deleted = await admin.call('DELETE', '/users/{sub}', { params: { sub } });
    assert.equal(deleted.body.deleted, true);
    assert.equal((await admin.call('GET', '/users/{sub}', { params: { sub } })).status, 404);
  });
});

describe('signing keys', () => {
  test('list, rotate, and import a JWK sealed at rest', async () => {
    const listed = await admin.call('GET', '/keys');
    assert.ok((listed.body.items ?? []).some((k) => k.status === 'active'));
    assert.ok((listed.body.items ?? []).every((k) => !('d' in (k.public_jwk as object))));
    const rotated = await admin.call('POST', '/keys/rotate', { body: {} });
    assert.equal(rotated.status, 201);
    assert.equal(rotated.body.items?.length, 2);

    const before = (await (await fetch(`${t.url}/jwks`)).json()) as { keys: { kid: string }[] };
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const imported = await admin.call('POST', '/keys', { body: { jwk, alg: 'ES256' } });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const kid = String(imported.body.items?.[0]?.kid);
    const stored = (await t.storage.keys.list()).find((k) => k.kid === kid);
    assert.ok(stored);
    assert.ok(!stored.privateJwk.includes(String(jwk.d)), 'the private key is sealed');
    const jwks = (await (await fetch(`${t.url}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.ok(
      jwks.keys.some((k) => k.kid === kid),
      'published, though the JWKS was served (and its text kept) before the import',
    );
    assert.ok(!before.keys.some((k) => k.kid === kid));

    const publicOnly = await admin.call('POST', '/keys', { body: { jwk: { ...jwk, d: undefined }, alg: 'ES256' } });
    assert.equal(publicOnly.status, 400);
    const wrongAlg = await admin.call('POST', '/keys', { body: { jwk, alg: 'RS256' } });
    assert.equal(wrongAlg.status, 400);
    assert.match(String(wrongAlg.body.detail), /not a key for RS256/);
  });
});

describe('who may call it', () => {
  test('no token, a token for another audience, or a revoked client: 401', async () => {
    const none = await new (admin.constructor as typeof AdminApi)(t.url, undefined).call('GET', '/users');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const { client, secret } = await t.addClient({ grantTypes: ['client_credentials'], scope: 'latchkey:admin', redirectUris: [] });
    const other = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(client.clientId, secret ?? ''));
    const foreign = await new (admin.constructor as typeof AdminApi)(t.url, String(other.body.access_token)).call('GET', '/users');
    assert.equal(foreign.status, 401);
    assert.match(String(foreign.body.detail), /not issued for the admin API/);
  });

  test('without the scope 403; the read-only scope reads but changes nothing', async () => {
    const plain = await adminClient(t, 'api:read');
    const refused = await plain.call('GET', '/users');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'insufficient_scope');
    const reader = await adminClient(t, 'latchkey:admin:read');
    assert.equal((await reader.call('GET', '/clients')).status, 200);
    const write = await reader.call('POST', '/users', { body: { username: 'mallory', password: 'mallory password' } });
    assert.equal(write.status, 403);
    assert.equal(await t.storage.users.getByUsername('mallory'), undefined);
  });

  test('a browser session gets nothing, nor a token issued to a person', async () => {
    const audience = adminAudience({ issuer: t.url });
    const { client, secret } = await t.addClient({ scope: 'openid latchkey:admin', resources: [audience] });
    const user = await t.addUser();
    const browser = new Browser();
    const e = await getCode(t.url, client.clientId, user, { scope: 'openid latchkey:admin', resource: audience }, browser);
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const withCookie = await fetch(`${t.url}/admin/v1/users`, { headers: { cookie } });
    assert.equal(withCookie.status, 401);
    const tokens = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: 'http://127.0.0.1:9/callback' },
      basic(client.clientId, secret ?? ''),
    );
    const personal = await new (admin.constructor as typeof AdminApi)(t.url, String(tokens.body.access_token)).call('GET', '/users');
    assert.equal(personal.status, 403);
    assert.match(String(personal.body.detail), /only client credentials tokens/);
  });

  test('unknown routes and methods are problems too', async () => {
    const missing = await admin.call('GET', '/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.contentType, 'application/problem+json; charset=utf-8');
    const method = await admin.call('PUT', '/clients');
    assert.equal(method.status, 405);
    assert.equal(method.headers.get('allow'), 'GET, POST');
    const notJson = await fetch(`${t.url}/admin/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: '{',
    });
    assert.equal(notJson.status, 400);
  });
});

describe('audit events', () => {
  test('every call is an audit event naming the calling client, kept in the database and queryable', async () => {
    assert.ok(t.logs.some((l) => l.event === 'admin.call' && l.client_id === admin.clientId && l.route === '/users'));
    // Writes to the database are not awaited by the request: give them a bounded moment.
    for (let i = 0; i < 50 && (await t.storage.audit.query({ limit: 1, clientId: admin.clientId })).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const events = await admin.call('GET', '/audit-events', { query: { client_id: admin.clientId, event: 'admin.call', limit: '200' } });
    assert.equal(events.status, 200);
    assert.ok((events.body.items ?? []).length > 5);
    assert.ok((events.body.items ?? []).every((e) => e.client_id === admin.clientId && e.event === 'admin.call'));
    const future = await admin.call('GET', '/audit-events', { query: { from: String(t.server.deps.clock() + 3600) } });
    assert.deepEqual(future.body.items, []);
  });
});

test('every answer above matches the OpenAPI document served at /admin/v1/openapi.json', async () => {
  const res = await fetch(`${t.url}/admin/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(answers.length > 40, `only ${answers.length} answers`);
  assert.deepEqual(
    openApiMismatches(
      doc,
      answers.filter((a) => a.template !== '/nothing-here' && !(a.method === 'PUT' && a.template === '/clients')),
    ),
    [],
  );
});
