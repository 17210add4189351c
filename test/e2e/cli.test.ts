// E2E: the `latchkey` command line, run as a user would, on a fresh database.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PUBLISH_DELAY_SECONDS } from '../../src/tokens/rotate.ts';
import { getCode, tokenRequest } from '../helpers/flow.ts';
import { CLI, runCli } from '../helpers/spawn.ts';

let dir: string;
let db: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
  db = `sqlite:${join(dir, 'cli.db')}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `latchkey ARGS` on this file's database (unless `env` names another). */
const run = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
  runCli(args, { ...opts, env: { LATCHKEY_DB: db, ...opts.env } });

describe('provisioning a fresh database before the server first starts', () => {
  let client: Record<string, unknown>;

  test('clients create --json uses the RFC 7591 names and shows the secret once', async () => {
    const r = await run(['clients', 'create', '--name', 'CLI App', '--redirect-uri', 'http://127.0.0.1:9/callback', '--json']);
    assert.equal(r.code, 0, r.stderr);
    client = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(typeof client.client_id, 'string');
    assert.match(String(client.client_secret), /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(client.redirect_uris, ['http://127.0.0.1:9/callback']);
    assert.equal(client.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(client.scope, 'openid profile email offline_access');
    const list = await run(['clients', 'list', '--json']);
    const listed = JSON.parse(list.stdout) as Record<string, unknown>[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.client_id, client.client_id);
    assert.equal(listed[0]?.client_secret, undefined, 'the secret is never shown again');
  });

  test('a public client has no secret', async () => {
    const r = await run(['clients', 'create', '--name', 'SPA', '--redirect-uri', 'https://spa.example/cb', '--public', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(c.client_secret, undefined);
    assert.equal(c.token_endpoint_auth_method, 'none');
  });

  test('users create reads the password from stdin', async () => {
    const r = await run(['users', 'create', '--username', 'dave', '--email', 'dave@example.com', '--password-stdin', '--json'], {
      stdin: 'dave password 1\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { username: string }).username, 'dave');
    const list = JSON.parse((await run(['users', 'list', '--json'])).stdout) as { username: string }[];
    assert.deepEqual(
      list.map((u) => u.username),
      ['dave'],
    );
  });

  test('the server started on that database serves the flow with those credentials', async () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db], {
      env: { ...process.env, LATCHKEY_DB: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const issuer = await issuerOf(child);
      const e = await getCode(issuer, String(client.client_id), { username: 'dave', password: 'dave password 1' });
      const auth = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
      const res = await tokenRequest(
        issuer,
        { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: 'http://127.0.0.1:9/callback' },
        auth,
      );
      assert.equal(res.status, 200);
      assert.ok(res.body.access_token && res.body.refresh_token && res.body.id_token);
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise((r) => child.on('close', r));
      assert.equal(code, 0, 'a clean exit on SIGTERM');
    }
  });

  test('keys list and rotate', async () => {
    const before = JSON.parse((await run(['keys', 'list', '--json'])).stdout) as { kid: string; state: string }[];
    assert.equal(before.filter((k) => k.state === 'active').length, 2, 'the server created an RS256 and an ES256 key');
    const rotated = await run(['keys', 'rotate', '--immediately', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const created = JSON.parse(rotated.stdout) as { kid: string; alg: string }[];
    assert.deepEqual(created.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const afterList = JSON.parse((await run(['keys', 'list', '--json'])).stdout) as {
      kid: string;
      state: string;
      created_at: number;
      activates_at: number;
      retires_at: number | null;
    }[];
    assert.equal(afterList.length, 4);
    // --immediately still publishes first: every instance reloads its keys before the new ones sign.
    for (const k of created) {
      const listed = afterList.find((a) => a.kid === k.kid);
      assert.equal(listed?.state, 'published');
      assert.equal((listed?.activates_at ?? 0) - (listed?.created_at ?? 0), PUBLISH_DELAY_SECONDS);
    }
    for (const k of before) {
      const listed = afterList.find((a) => a.kid === k.kid);
      assert.equal(
        listed?.retires_at,
        afterList.find((a) => created.some((c) => c.kid === a.kid))?.activates_at,
        'retires as the new key signs',
      );
    }
  });
});

describe('lifecycle commands', () => {
  test('a client credentials client needs no redirect URI; metadata options are kept', async () => {
    const r = await run([
      'clients',
      'create',
      '--name',
      'Service',
      '--grant-type',
      'client_credentials',
      '--scope',
      'openid',
      '--resource',
      'https://api.example.com',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(c.grant_types, ['client_credentials']);
    assert.deepEqual(c.redirect_uris, []);
    assert.deepEqual(c.resources, ['https://api.example.com']);
    const web = await run([
      'clients',
      'create',
      '--name',
      'Web',
      '--redirect-uri',
      'https://web.example.com/cb',
      '--post-logout-redirect-uri',
      'https://web.example.com/bye',
      '--refresh-token-ttl',
      '3600',
      '--refresh-token-idle-ttl',
      '600',
      '--json',
    ]);
    assert.equal(web.code, 0, web.stderr);
    const w = JSON.parse(web.stdout) as Record<string, unknown>;
    assert.deepEqual(w.post_logout_redirect_uris, ['https://web.example.com/bye']);
    assert.equal(w.refresh_token_ttl, 3600);
    assert.equal(w.refresh_token_idle_ttl, 600);
  });

  test('cleanup deletes expired rows on demand', async () => {
    const r = await run(['cleanup', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(typeof (JSON.parse(r.stdout) as { deleted: number }).deleted, 'number');
  });

  test('keys rotate without --immediately publishes keys that sign later', async () => {
    const r = await run(['keys', 'rotate', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const created = JSON.parse(r.stdout) as { kid: string; activates_at: number }[];
    const list = JSON.parse((await run(['keys', 'list', '--json'])).stdout) as { kid: string; state: string }[];
    for (const k of created) {
      assert.ok(k.activates_at > Date.now() / 1000);
      assert.equal(list.find((l) => l.kid === k.kid)?.state, 'published');
    }
  });
});

describe('errors are one line and a non-zero exit', () => {
  for (const [name, args, env, pattern] of [
    ['a bad redirect URI', ['clients', 'create', '--name', 'X', '--redirect-uri', 'http://evil.example/cb'], {}, /must use https/],
    ['a fragment in a redirect URI', ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb#x'], {}, /fragment/],
    [
      'an unknown scope',
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--scope', 'admin'],
      {},
      /scope "admin"/,
    ],
    ['no redirect URI for a code-flow client', ['clients', 'create', '--name', 'X'], {}, /needs at least one redirect URI/],
    ['a short password', ['users', 'create', '--username', 'eve', '--password-stdin'], {}, /at least 8/],
    ['a bad port', ['serve', '--port', 'eighty'], {}, /--port must be a whole number/],
    ['a bad LATCHKEY_PORT', ['serve'], { LATCHKEY_PORT: 'x' }, /LATCHKEY_PORT/],
    ['a bad issuer', ['serve', '--issuer', 'http://a.example/?q'], {}, /"issuer"/],
    ['a bad database URL', ['clients', 'list'], { LATCHKEY_DB: 'mysql://x' }, /"db" must be sqlite:PATH/],
    ['an unknown command', ['frobnicate'], {}, /unknown command/],
    [
      'a public client credentials client',
      ['clients', 'create', '--name', 'X', '--public', '--grant-type', 'client_credentials'],
      {},
      /public client cannot use client_credentials/,
    ],
    [
      'an unknown grant type',
      ['clients', 'create', '--name', 'X', '--grant-type', 'password'],
      {},
      /grant type "password" is not supported/,
    ],
    [
      'a resource with a fragment',
      ['clients', 'create', '--name', 'X', '--grant-type', 'client_credentials', '--resource', 'https://a.example/#x'],
      {},
      /fragment/,
    ],
    [
      'a bad refresh lifetime',
      ['clients', 'create', '--name', 'X', '--redirect-uri', 'https://a.example/cb', '--refresh-token-ttl', 'soon'],
      {},
      /--refresh-token-ttl must be a whole number/,
    ],
  ] as const) {
    test(name, async () => {
      const r = await run([...args], { stdin: 'short\n', env: { ...env } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /^latchkey: /);
      assert.doesNotMatch(r.stderr, /\n {4}at /, 'no stack trace');
    });
  }

  test('every command has --help', async () => {
    for (const args of [
      [],
      ['serve'],
      ['migrate'],
      ['clients', 'create'],
      ['clients', 'list'],
      ['users', 'create'],
      ['users', 'list'],
      ['keys', 'list'],
      ['keys', 'rotate'],
    ]) {
      const r = await run([...args, '--help']);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage: latchkey/);
    }
  });
});

/** Reads the server's start-up log line and returns the issuer it bound. */
function issuerOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"issuer":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('close', () => reject(new Error(`server exited:\n${out}`)));
  });
}
