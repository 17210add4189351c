// E2E: an account disabled, deleted or given a new password while a sign-in is under way keeps no
// session and gets no code — the change lands between the password check and the session write.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { deleteUser, disableUser, setUserPassword } from '../../src/accounts/lifecycle.ts';
import type { UserRecord } from '../../src/storage/types.ts';
import { Browser, isLoginPage } from '../helpers/browser.ts';
import { codeRequestUrl } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let clientId: string;

before(async () => {
  t = await startTestServer();
  clientId = (await t.addClient()).client.clientId;
});
after(() => t.close());

/** Runs `change` on the account right after the sign-in read it (and checked its password). */
let changed = 0;

function changeDuringSignIn(username: string, change: (user: UserRecord) => Promise<unknown>): () => void {
  const users = t.server.deps.storage.users;
  const original = users.getByUsername.bind(users);
  users.getByUsername = async (name) => {
    const found = await original(name);
    if (found && name === username) {
      users.getByUsername = original;
      await change(found);
      changed += 1;
    }
    return found;
  };
  return () => {
    users.getByUsername = original;
  };
}

const cases: [string, (u: UserRecord) => Promise<unknown>][] = [
  ['disabled', (u) => disableUser(t.server.deps.storage, { sub: u.id }, t.server.deps.clock())],
  ['deleted', (u) => deleteUser(t.server.deps.storage, { sub: u.id }, t.server.deps.clock())],
  ['given a new password', (u) => setUserPassword(t.server.deps.storage, { sub: u.id }, 'a brand new password 9', t.server.deps.clock())],
];

for (const [what, change] of cases) {
  test(`an account ${what} during its sign-in gets no session and no code`, async () => {
    const user = await t.addUser(undefined, 'the right password 1');
    const browser = new Browser();
    const login = await browser.open(codeRequestUrl(t.url, clientId));
    assert.ok(isLoginPage(login));
    const before = changed;
    const restore = changeDuringSignIn(user.username, change);
    try {
      const answer = await browser.submit(login, { username: user.username, password: user.password });
      assert.equal(new URL(answer.url).searchParams.get('code'), null, `no code (${answer.status} ${answer.url})`);
      assert.ok(answer.status >= 400, `refused, got ${answer.status}`);
    } finally {
      restore();
    }
    assert.equal(changed, before + 1, 'the account was changed during the sign-in');
    // No session survived: a silent request is not signed in.
    const silent = await browser.open(codeRequestUrl(t.url, clientId, { prompt: 'none' }));
    assert.equal(new URL(silent.url).searchParams.get('error'), 'login_required');
  });
}
