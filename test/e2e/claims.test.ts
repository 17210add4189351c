// E2E: extra claims — per-user roles set from the command line and the admin API, emitted when the
// configured scope is granted, and the application's claims hook per client, scope and resource —
// required by an API built with the resource-server module.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type AccessTokenRequest, requireAccessToken } from '../../src/resource-server/index.ts';
import type { ClaimsContext } from '../../src/tokens/claims.ts';
import { adminClient } from '../helpers/admin.ts';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { runCli } from '../helpers/spawn.ts';
import { claimsOf } from '../helpers/tokens.ts';

const API = 'https://reports.example.com';
let t: TestServer;
const seen: ClaimsContext[] = [];

before(async () => {
  t = await startTestServer(
    {
      scopes: ['api:read', { name: 'roles', description: 'Know your roles' }],
      claims: { roles: { claim: 'https://example.com/roles', scope: 'roles' }, groups: { claim: 'groups', scope: 'roles' } },
      admin: { enabled: true },
    },
    {
      claims: (ctx) => {
        seen.push(ctx);
        if (ctx.token === 'access_token' && ctx.resources.includes(API)) return { tenant: 'acme' };
        if (ctx.token === 'id_token') return { tenant_name: 'Acme Inc.' };
        return undefined;
      },
    },
  );
});
after(() => t.close());

async function userTokens(username: string, password: string, scope: string, resource?: string) {
  const { client, secret } = await t.addClient({ scope: 'openid roles api:read', resources: [API] });
  const e = await getCode(t.url, client.clientId, { username, password }, { scope, ...(resource ? { resource } : {}) });
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    basic(client.clientId, secret ?? ''),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { access_token: string; id_token: string };
}

test('roles set by the CLI and the admin API are emitted when the scope is granted, and an API can require one', async () => {
  const db = String(t.server.deps.config.db);
  const made = await runCli(['users', 'create', '--username', 'rita', '--role', 'viewer', '--password-stdin', '--json', '--db', db], {
    stdin: 'rita password 1\n',
  });
  assert.equal(made.code, 0, made.stderr);
  const sub = String((JSON.parse(made.stdout) as { sub: string }).sub);
  const viewer = await userTokens('rita', 'rita password 1', 'openid roles api:read', API);
  assert.deepEqual(claimsOf(viewer.access_token)['https://example.com/roles'], ['viewer']);
  assert.deepEqual(claimsOf(viewer.access_token).groups, []);
  assert.deepEqual(claimsOf(viewer.id_token)['https://example.com/roles'], ['viewer']);

  const admin = await adminClient(t);
  const changed = await admin.call('PATCH', '/users/{sub}', { params: { sub }, body: { roles: ['editor'], groups: ['finance'] } });
  assert.equal(changed.status, 200);
  const editor = await userTokens('rita', 'rita password 1', 'openid roles api:read', API);
  assert.deepEqual(claimsOf(editor.access_token)['https://example.com/roles'], ['editor']);
  assert.deepEqual(claimsOf(editor.access_token).groups, ['finance']);
  const withoutScope = await userTokens('rita', 'rita password 1', 'openid api:read', API);
  assert.equal(claimsOf(withoutScope.access_token)['https://example.com/roles'], undefined);

  const guard = requireAccessToken({ issuer: t.url, audience: API, scopes: ['api:read'] });
  const api = createServer((req: IncomingMessage & AccessTokenRequest, res) => {
    void guard(req, res, () => {
      const roles = req.auth?.['https://example.com/roles'];
      const allowed = Array.isArray(roles) && roles.includes('editor');
      res.writeHead(allowed ? 200 : 403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tenant: req.auth?.tenant }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const call = (token: string) => fetch(base, { headers: { authorization: `Bearer ${token}` } });
    const ok = await call(editor.access_token);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { tenant: 'acme' });
    assert.equal((await call(viewer.access_token)).status, 403);
  } finally {
    api.close();
    api.closeAllConnections();
  }
});

test('the hook is told the client, token, scope and resource; its claims go only where it says', async () => {
  await t.addUser('sam', 'sam password 1');
  seen.length = 0;
  const plain = await userTokens('sam', 'sam password 1', 'openid');
  assert.equal(claimsOf(plain.access_token).tenant, undefined, 'no resource: no tenant');
  assert.equal(claimsOf(plain.id_token).tenant_name, 'Acme Inc.');
  const access = seen.find((c) => c.token === 'access_token');
  assert.ok(access);
  assert.equal(access.grantType, 'authorization_code');
  assert.equal(access.account?.username, 'sam');
  assert.deepEqual(access.scope, ['openid']);
  assert.deepEqual(access.resources, []);

  const { client, secret } = await t.addClient({
    grantTypes: ['client_credentials'],
    scope: 'api:read',
    resources: [API],
    redirectUris: [],
  });
  const cc = await tokenRequest(t.url, { grant_type: 'client_credentials', resource: API }, basic(client.clientId, secret ?? ''));
  assert.equal(claimsOf(String(cc.body.access_token)).tenant, 'acme');
  assert.equal(seen.at(-1)?.account, undefined);
  assert.equal(seen.at(-1)?.clientId, client.clientId);
});

test('a hook that sets a registered claim makes issuing fail, never a token with it', async () => {
  const bad = await startTestServer({}, { claims: () => ({ sub: 'someone-else' }) });
  try {
    const { client, secret } = await bad.addClient({ grantTypes: ['client_credentials'], scope: '', redirectUris: [] });
    const res = await tokenRequest(bad.url, { grant_type: 'client_credentials' }, basic(client.clientId, secret ?? ''));
    assert.equal(res.status, 500);
    assert.equal(res.body.access_token, undefined);
    assert.ok(bad.logs.some((l) => JSON.stringify(l).includes('the claim \\"sub\\" is registered')));
  } finally {
    await bad.close();
  }
});
