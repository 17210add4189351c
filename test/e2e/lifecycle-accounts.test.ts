// E2E: disabling, enabling and deleting people and clients with the `latchkey` commands (and the
// functions behind them) while a server runs on the same database, on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { disableClient, rotateClientSecret } from '../../src/clients/lifecycle.ts';
import { hashToken } from '../../src/tokens/opaque.ts';
import { Browser, isLoginPage } from '../helpers/browser.ts';
import { basic, codeRequestUrl, getCode, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { runCli } from '../helpers/spawn.ts';
import { userinfoStatus } from '../helpers/tokens.ts';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`account and client lifecycle (${engine})`, { skip: engine === 'postgres' ? pgSkip : false }, () => {
    let t: TestServer;
    let pg: TestDatabase | undefined;
    /** A resource server: a confidential client that introspects others' tokens. */
    let rs: { auth: string };

    before(async () => {
      pg = engine === 'postgres' ? await createTestDatabase() : undefined;
      t = await startTestServer(pg ? { db: pg.url } : {});
      // A resource server of the default audience: introspection tells it about the tokens issued for it.
      const { client, secret } = await t.addClient({ grantTypes: ['client_credentials'], redirectUris: [], resources: [t.url] });
      rs = { auth: basic(client.clientId, secret ?? '') };
    });
    after(async () => {
      await t.close();
      await pg?.drop();
    });

    const cli = (...args: string[]) => runCli([...args, '--db', t.server.deps.config.db]);

    async function signedIn(username: string, password: string) {
      const { client, secret } = await t.addClient({ scope: 'openid offline_access' });
      const auth = basic(client.clientId, secret ?? '');
      const e = await getCode(t.url, client.clientId, { username, password });
      const res = await tokenRequest(
        t.url,
        { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
        auth,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { client, auth, browser: e.browser, tokens: res.body as unknown as Tokens };
    }

    const refresh = (s: { auth: string; tokens: Tokens }) =>
      tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: s.tokens.refresh_token }, s.auth);

    async function active(token: string, auth = rs.auth): Promise<boolean> {
      const res = await fetch(`${t.url}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
        body: new URLSearchParams({ token }),
      });
      assert.equal(res.status, 200);
      return ((await res.json()) as { active: boolean }).active;
    }

    /** prompt=none in the browser that signed in: where it is sent. */
    async function silent(browser: Browser, clientId: string): Promise<URL> {
      const page = await browser.open(codeRequestUrl(t.url, clientId, { prompt: 'none', scope: 'openid offline_access' }));
      assert.ok(page.url.startsWith(REDIRECT_URI), `redirected to the client, got ${page.status}: ${page.html.slice(0, 300)}`);
      return new URL(page.url);
    }

    test('users disable: sessions end and grants are revoked at once; only the right password learns why', async () => {
      const u = await t.addUser(undefined, 'the right password');
      const s = await signedIn(u.username, u.password);
      assert.ok(await active(s.tokens.access_token));
      assert.ok((await silent(s.browser, s.client.clientId)).searchParams.get('code'), 'the session works before');

      const r = await cli('users', 'disable', u.username.toUpperCase(), '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.sub, u.id);
      assert.equal(out.disabled, true);
      assert.equal(out.sessions_ended, 1);
      assert.equal(out.grants_revoked, 2, 'the code flow and the silent request each made one');

      const refused = await refresh(s);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'invalid_grant');
      assert.equal(await active(s.tokens.access_token), false);
      assert.equal(await active(s.tokens.refresh_token, s.auth), false);
      assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
      assert.equal((await silent(s.browser, s.client.clientId)).searchParams.get('error'), 'login_required');

      // Signing in again: a wrong password is just wrong; the right one is told the account is disabled.
      const browser = new Browser();
      const login = await browser.open(codeRequestUrl(t.url, s.client.clientId));
      assert.ok(isLoginPage(login));
      const wrong = await browser.submit(login, { username: u.username, password: 'not the password' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.html, /not correct/);
      assert.doesNotMatch(wrong.html, /disabled/);
      const right = await browser.submit(wrong, { username: u.username, password: u.password });
      assert.equal(right.status, 403);
      assert.match(right.html, /This account is disabled/);
      assert.equal(browser.cookies.has('lk_session'), false, 'no session');

      const enabled = await cli('users', 'enable', u.username, '--json');
      assert.equal(enabled.code, 0, enabled.stderr);
      assert.equal((JSON.parse(enabled.stdout) as { disabled: boolean }).disabled, false);
      await signedIn(u.username, u.password);
    });

    test('users set-password: the old password stops working and the sessions end', async () => {
      const u = await t.addUser(undefined, 'the old password');
      const s = await signedIn(u.username, u.password);
      const r = await runCli(['users', 'set-password', '--sub', u.id, '--password-stdin', '--db', t.server.deps.config.db], {
        stdin: 'the new password\n',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /1 session ended, 1 grant revoked/);
      assert.equal((await refresh(s)).status, 400);
      assert.equal((await silent(s.browser, s.client.clientId)).searchParams.get('error'), 'login_required');
      await assert.rejects(signedIn(u.username, u.password), /no code/);
      await signedIn(u.username, 'the new password');
    });

    test('users delete: the same, and the account is gone', async () => {
      const u = await t.addUser(undefined, 'a password 123');
      const s = await signedIn(u.username, u.password);
      const r = await cli('users', 'delete', u.username);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await refresh(s)).status, 400);
      assert.equal(await active(s.tokens.access_token), false);
      assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
      assert.equal((await silent(s.browser, s.client.clientId)).searchParams.get('error'), 'login_required');
      assert.equal(await t.storage.users.getById(u.id), undefined);
      const again = await cli('users', 'delete', u.username);
      assert.equal(again.code, 1);
      assert.equal(again.stderr, `latchkey: no user "${u.username}"\n`);
    });

    test("a client disabled through the server's own storage is refused at once everywhere", async () => {
      const u = await t.addUser(undefined, 'a password 123');
      const s = await signedIn(u.username, u.password);
      const cc = await t.addClient({ grantTypes: ['client_credentials'], redirectUris: [] });
      const ccAuth = basic(cc.client.clientId, cc.secret ?? '');
      const ccToken = await tokenRequest(t.url, { grant_type: 'client_credentials' }, ccAuth);
      assert.equal(ccToken.status, 200, JSON.stringify(ccToken.body));
      assert.equal(ccToken.body.scope, '', 'a client credentials client gets no scope by default');
      // Both clients' records are in the server's read cache now.
      assert.ok(await active(String(ccToken.body.access_token)));

      const { ended } = await disableClient(t.server.deps.storage, s.client.clientId, t.server.deps.clock());
      assert.equal(ended.grants, 1);
      await disableClient(t.server.deps.storage, cc.client.clientId, t.server.deps.clock());

      const refused = await refresh(s);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error, 'invalid_client');
      assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials' }, ccAuth)).body.error, 'invalid_client');
      assert.equal(await active(s.tokens.access_token), false);
      assert.equal(await active(String(ccToken.body.access_token)), false, 'a token without a grant is inactive too');
      assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
      // RFC 6749 §4.1.2.1: a page, not a redirect to the client.
      const page = await s.browser.open(codeRequestUrl(t.url, s.client.clientId, { prompt: 'none' }));
      assert.equal(page.status, 400);
      assert.match(page.html, /has been disabled/);
    });

    test('a client disabled while a person signs in gets no code', async () => {
      const u = await t.addUser(undefined, 'a password 123');
      const { client } = await t.addClient();
      const browser = new Browser();
      const login = await browser.open(codeRequestUrl(t.url, client.clientId));
      assert.ok(isLoginPage(login));
      await disableClient(t.server.deps.storage, client.clientId, t.server.deps.clock());
      const page = await browser.authorize(login.url, u);
      assert.equal(page.status, 400);
      assert.match(page.html, /has been disabled/);
      assert.equal(page.url.startsWith(REDIRECT_URI), false, 'not sent to the client');
    });

    test('clients disable | enable | delete from the command line', async () => {
      const u = await t.addUser(undefined, 'a password 123');
      const s = await signedIn(u.username, u.password);
      const r = await cli('clients', 'disable', s.client.clientId, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.disabled, true);
      assert.equal(out.grants_revoked, 1);
      // Another process changed the client: whichever check the server makes first refuses it.
      const refused = await refresh(s);
      assert.ok(refused.status === 400 || refused.status === 401, String(refused.status));
      assert.equal(refused.body.access_token, undefined);
      assert.equal(await active(s.tokens.access_token), false);
      assert.equal(await userinfoStatus(t.url, s.tokens.access_token), 401);
      assert.equal((await t.storage.clients.get(s.client.clientId))?.disabledAt !== null, true);

      assert.equal((await cli('clients', 'enable', s.client.clientId)).code, 0);
      assert.equal((await t.storage.clients.get(s.client.clientId))?.disabledAt, null);
      const del = await cli('clients', 'delete', s.client.clientId, '--json');
      assert.equal(del.code, 0, del.stderr);
      assert.equal(await t.storage.clients.get(s.client.clientId), undefined);
    });

    test('clients rotate-secret: the new secret works, the old one does not', async () => {
      const { client, secret } = await t.addClient({ grantTypes: ['client_credentials'], redirectUris: [] });
      const r = await cli('clients', 'rotate-secret', client.clientId, '--json');
      assert.equal(r.code, 0, r.stderr);
      const fresh = String((JSON.parse(r.stdout) as { client_secret: string }).client_secret);
      assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(fresh, secret);
      assert.equal((await t.storage.clients.get(client.clientId))?.secretHash, hashToken(fresh));

      // Through the server's own storage, the change is seen at once although the record was cached.
      const cached = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(client.clientId, fresh));
      assert.equal(cached.status, 200, JSON.stringify(cached.body));
      const again = await rotateClientSecret(t.server.deps.storage, client.clientId);
      const old = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(client.clientId, fresh));
      assert.equal(old.status, 401);
      assert.equal(old.body.error, 'invalid_client');
      const next = await tokenRequest(t.url, { grant_type: 'client_credentials' }, basic(client.clientId, again.secret));
      assert.equal(next.status, 200, JSON.stringify(next.body));
    });
  });
}
