// E2E: `latchkey clients create|update --backchannel-logout-uri` and
// `--[no-]backchannel-logout-session-required` (OIDC Back-Channel Logout 1.0 §2.2), as an operator runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/spawn.ts';

let dir: string;
let db: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-bcl-'));
  db = `sqlite:${join(dir, 'cli.db')}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runCli(args, { env: { LATCHKEY_DB: db } });

test('clients create and update set, change and remove the back-channel logout URI; a bad one is one line', async () => {
  const r = await run([
    'clients',
    'create',
    '--name',
    'Web',
    '--redirect-uri',
    'https://app.example/cb',
    '--backchannel-logout-uri',
    'https://app.example/bc',
    '--backchannel-logout-session-required',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(c.backchannel_logout_uri, 'https://app.example/bc');
  assert.equal(c.backchannel_logout_session_required, true);
  const id = String(c.client_id);

  const u = await run(['clients', 'update', id, '--no-backchannel-logout-session-required', '--json']);
  assert.equal(u.code, 0, u.stderr);
  const updated = JSON.parse(u.stdout) as Record<string, unknown>;
  assert.equal(updated.backchannel_logout_uri, 'https://app.example/bc', 'kept');
  assert.equal(updated.backchannel_logout_session_required, false);

  const removed = JSON.parse((await run(['clients', 'update', id, '--backchannel-logout-uri', '', '--json'])).stdout) as Record<
    string,
    unknown
  >;
  assert.equal(removed.backchannel_logout_uri, undefined);

  const bad = await run(['clients', 'update', id, '--backchannel-logout-uri', 'https://app.example/bc#x']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr.trim(), /^latchkey: backchannel_logout_uri "https:\/\/app\.example\/bc#x" must not have a fragment$/);
});
