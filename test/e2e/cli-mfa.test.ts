// E2E: the command line of strong sign-in: `users list` shows each user's factors, `users reset-mfa`
// removes them and ends the sessions, `clients update --require-mfa` sets the client's policy.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStorage } from '../../src/storage/open.ts';
import { runCli } from '../helpers/spawn.ts';

let dir: string;
let db: string;
const run = (args: string[], stdin?: string) => runCli(args, { env: { LATCHKEY_DB: db }, ...(stdin === undefined ? {} : { stdin }) });
const NOW = Math.floor(Date.now() / 1000);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-mfa-'));
  db = `sqlite:${join(dir, 'mfa.db')}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('users and their factors', () => {
  test('list shows the factors; reset-mfa removes them and ends the sessions, and says so', async () => {
    assert.equal((await run(['users', 'create', '--username', 'erin', '--password-stdin'], 'erin password 1')).code, 0);
    assert.equal((await run(['users', 'create', '--username', 'fred', '--password-stdin'], 'fred password 1')).code, 0);
    const storage = await openStorage(db);
    const erin = (await storage.users.getByUsername('erin'))?.id as string;
    await storage.factors.beginTotp(erin, 'sealed', NOW);
    await storage.factors.useTotpStep(erin, 1, NOW, true);
    await storage.factors.replaceRecoveryCodes(erin, ['a', 'b'], NOW);
    await storage.factors.addPasskey({
      id: 'cred-1',
      userId: erin,
      publicKey: 'x',
      counter: 0,
      transports: [],
      backupEligible: true,
      backupState: true,
      name: 'Phone',
      createdAt: NOW,
      lastUsedAt: null,
    });
    await storage.sessions.create({
      idHash: 'erin-session',
      userId: erin,
      authTime: NOW,
      expiresAt: NOW + 600,
      amr: ['pwd', 'otp', 'mfa'],
    });
    await storage.close();

    const text = await run(['users', 'list']);
    assert.match(text.stdout, /erin {2}.*authenticator app, 1 passkey, 2 recovery codes/);
    assert.match(text.stdout, /fred {2}.*password only/);
    const json = JSON.parse((await run(['users', 'list', '--json'])).stdout) as { username: string; factors: unknown }[];
    assert.deepEqual(json.find((u) => u.username === 'erin')?.factors, { totp: true, passkeys: 1, recovery_codes: 2 });

    const reset = await run(['users', 'reset-mfa', '--username', 'ERIN']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stdout, 'removed the second factors of erin (authenticator app, 1 passkey, 2 recovery codes): 1 session ended\n');
    const after = await openStorage(db);
    assert.deepEqual(await after.factors.summary(erin), { totp: false, passkeys: 0, recoveryCodes: 0 });
    assert.equal(await after.sessions.get('erin-session', NOW), undefined);
    await after.close();

    const unknown = await run(['users', 'reset-mfa', '--username', 'nobody']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^latchkey: .*nobody.*\n$/);
    const twice = await run(['users', 'reset-mfa', 'erin', '--username', 'erin']);
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, 'latchkey: give the username once: as the argument or --username\n');
  });

  test('clients update --require-mfa and --no-require-mfa', async () => {
    const created = JSON.parse(
      (await run(['clients', 'create', '--name', 'Strict', '--redirect-uri', 'https://app.example/cb', '--json'])).stdout,
    ) as {
      client_id: string;
      require_mfa: boolean;
    };
    assert.equal(created.require_mfa, false);
    const on = JSON.parse((await run(['clients', 'update', created.client_id, '--require-mfa', '--json'])).stdout) as {
      require_mfa: boolean;
    };
    assert.equal(on.require_mfa, true);
    const storage = await openStorage(db);
    assert.equal((await storage.clients.get(created.client_id))?.requireMfa, true);
    await storage.close();
    const off = JSON.parse((await run(['clients', 'update', created.client_id, '--no-require-mfa', '--json'])).stdout) as {
      require_mfa: boolean;
    };
    assert.equal(off.require_mfa, false);
  });
});
