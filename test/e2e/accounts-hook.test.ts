// E2E: an application's own users table (a plain SQL table in its own SQLite file) behind the accounts
// interface, driving a whole code flow with openid-client: sign-in, consent, tokens, UserInfo.
import assert from 'node:assert/strict';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import * as client from 'openid-client';
import type { Account, Accounts } from '../../src/accounts/account.ts';
import { Browser } from '../helpers/browser.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

interface PersonRow {
  id: string;
  login: string;
  pw_salt: string;
  pw_hash: string;
  full_name: string;
  email: string;
  blocked: number;
}

/** The application's table and password hashing, as an application already has them. */
function peopleTable(path: string) {
  const db = new Database(path);
  db.exec(
    'CREATE TABLE people (id TEXT PRIMARY KEY, login TEXT UNIQUE, pw_salt TEXT, pw_hash TEXT, full_name TEXT, email TEXT, blocked INTEGER)',
  );
  const hash = (password: string, salt: string) => scryptSync(password, salt, 32).toString('hex');
  return {
    db,
    add(id: string, login: string, password: string, fullName: string, email: string, blocked = false) {
      const salt = randomBytes(16).toString('hex');
      db.prepare('INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id,
        login,
        salt,
        hash(password, salt),
        fullName,
        email,
        blocked ? 1 : 0,
      );
    },
    hash,
  };
}

/** The accounts interface over that table: the example of the README, as a test runs it. */
function sqlAccounts(people: ReturnType<typeof peopleTable>): Accounts {
  const toAccount = (r: PersonRow): Account => ({
    id: r.id,
    username: r.login,
    name: r.full_name,
    email: r.email,
    emailVerified: true,
    roles: r.login === 'boss' ? ['admin'] : [],
    disabled: r.blocked === 1,
  });
  const dummySalt = randomBytes(16).toString('hex');
  return {
    async findAccount(id) {
      const row = people.db.prepare('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
      return row && toAccount(row);
    },
    async verifyPassword(username, password) {
      const row = people.db.prepare('SELECT * FROM people WHERE login = ?').get(username.toLowerCase()) as PersonRow | undefined;
      // As long whether or not the login exists.
      const computed = Buffer.from(people.hash(password, row?.pw_salt ?? dummySalt), 'hex');
      const stored = Buffer.from(row?.pw_hash ?? computed.toString('hex'), 'hex');
      return row && timingSafeEqual(computed, stored) ? toAccount(row) : undefined;
    },
  };
}

let t: TestServer;
let dir: string;
let people: ReturnType<typeof peopleTable>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-accounts-'));
  people = peopleTable(join(dir, 'app.db'));
  people.add('p-100', 'boss', 'boss password 1', 'Barbara Boss', 'barbara@example.com');
  people.add('p-200', 'gone', 'gone password 1', 'Gone Person', 'gone@example.com', true);
  t = await startTestServer(
    { scopes: ['roles'], claims: { roles: { claim: 'roles', scope: 'roles' } } },
    { accounts: sqlAccounts(people) },
  );
});
after(async () => {
  await t.close();
  people.db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function codeFlow(config: client.Configuration, user: { username: string; password: string }) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email roles',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new Browser();
  const landing = await browser.authorize(url.href, user);
  return { landing, verifier, state, nonce };
}

test("a code flow signs in a person of the application's own table; UserInfo and tokens speak for them", async () => {
  const { client: c, secret } = await t.addClient({ scope: 'openid profile email roles' });
  const config = await client.discovery(new URL(t.url), c.clientId, undefined, client.ClientSecretBasic(secret ?? ''), {
    execute: [client.allowInsecureRequests],
  });
  const { landing, verifier, state, nonce } = await codeFlow(config, { username: 'Boss', password: 'boss password 1' });
  assert.equal(landing.status, 303, landing.html.slice(0, 300));
  const tokens = await client.authorizationCodeGrant(config, new URL(landing.url), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const id = tokens.claims();
  assert.equal(id?.sub, 'p-100');
  assert.deepEqual(id?.roles, ['admin']);
  const info = await client.fetchUserInfo(config, tokens.access_token, 'p-100');
  assert.equal(info.name, 'Barbara Boss');
  assert.equal(info.preferred_username, 'boss');
  assert.equal(info.email, 'barbara@example.com');
  assert.equal(info.email_verified, true);
  assert.equal(await t.storage.users.getByUsername('boss'), undefined, 'the built-in table is not used');
});

test('a wrong password is refused; a blocked person is told the account is disabled; a removed one loses UserInfo', async () => {
  const { client: c, secret } = await t.addClient({ scope: 'openid profile email roles' });
  const config = await client.discovery(new URL(t.url), c.clientId, undefined, client.ClientSecretBasic(secret ?? ''), {
    execute: [client.allowInsecureRequests],
  });
  const wrong = await codeFlow(config, { username: 'boss', password: 'not the password' });
  assert.equal(wrong.landing.status, 400);
  assert.match(wrong.landing.html, /not correct/);
  const blocked = await codeFlow(config, { username: 'gone', password: 'gone password 1' });
  assert.equal(blocked.landing.status, 403);
  assert.match(blocked.landing.html, /disabled/);

  people.add('p-300', 'temp', 'temp password 1', 'Temp', 'temp@example.com');
  const ok = await codeFlow(config, { username: 'temp', password: 'temp password 1' });
  const tokens = await client.authorizationCodeGrant(config, new URL(ok.landing.url), {
    pkceCodeVerifier: ok.verifier,
    expectedState: ok.state,
    expectedNonce: ok.nonce,
  });
  people.db.prepare('DELETE FROM people WHERE id = ?').run('p-300');
  const res = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(res.status, 401);
});
