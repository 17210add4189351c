// E2E: the `latchkey` command line as an operator meets it: mistyped paths, unreachable databases,
// passwords in URLs, --version, --help, and the account commands' options.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, pgSkip } from '../helpers/postgres.ts';
import { runCli } from '../helpers/spawn.ts';

let dir: string;
let db: string;
const run = (args: string[], stdin?: string) => runCli(args, { env: { LATCHKEY_DB: db }, ...(stdin === undefined ? {} : { stdin }) });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-op-'));
  db = `sqlite:${join(dir, 'op.db')}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a database that is not there', () => {
  for (const args of [
    ['clients', 'list'],
    ['users', 'list'],
    ['keys', 'list'],
    ['users', 'disable', 'alice'],
  ]) {
    test(`${args.join(' ')} refuses a mistyped path and creates nothing`, async () => {
      const path = join(dir, 'typo', 'latchkey.db');
      const r = await runCli([...args, '--db', `sqlite:${path}`]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `latchkey: the database ${path} does not exist (check --db or LATCHKEY_DB; \`latchkey migrate\` creates it)\n`,
      );
      assert.equal(existsSync(join(dir, 'typo')), false);
    });
  }

  test('an unreachable PostgreSQL is named, and its password is not', async () => {
    const r = await runCli(['users', 'list', '--db', 'postgres://admin:S3cretPw@127.0.0.1:1/auth']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^latchkey: cannot connect to the database at 127\.0\.0\.1:1\/auth: .*ECONNREFUSED.*\n$/);
    assert.doesNotMatch(r.stderr, /S3cretPw|migration \?/);
    const m = await runCli(['migrate', '--db', 'postgres://admin:S3cretPw@127.0.0.1:1/auth']);
    assert.equal(m.code, 1);
    assert.doesNotMatch(m.stdout + m.stderr, /S3cretPw/);
  });

  test('migrate on PostgreSQL says the database is up to date without printing the password', { skip: pgSkip }, async () => {
    const t = await createTestDatabase();
    try {
      // The test cluster trusts loopback connections, so any password is accepted.
      const url = new URL(t.url);
      url.username = 'postgres';
      url.password = 'S3cretPw';
      const r = await runCli(['migrate', '--db', url.href]);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /S3cretPw/);
      assert.match(r.stdout, /^database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/latchkey_test_\w+ is up to date\n$/);
    } finally {
      await t.drop();
    }
  });
});

describe('provisioning with the account commands', () => {
  test('migrate creates the database; then the read-only commands work on it', async () => {
    const m = await run(['migrate']);
    assert.equal(m.code, 0, m.stderr);
    const list = await run(['users', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  test('usernames are one account without regard to letter case', async () => {
    const r = await run(
      ['users', 'create', '--username', 'Alice', '--email', 'a@example.com', '--email-verified', '--password-stdin', '--json'],
      'alice password 1\n',
    );
    assert.equal(r.code, 0, r.stderr);
    const alice = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(alice.email_verified, true);
    assert.equal(alice.disabled, false);
    const dup = await run(['users', 'create', '--username', 'alice', '--password-stdin'], 'alice password 2\n');
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, 'latchkey: the username "alice" is taken (by "Alice")\n');
  });

  test('users update sets email_verified; a new address is unverified unless said otherwise', async () => {
    const off = await run(['users', 'update', 'ALICE', '--no-email-verified', '--json']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal((JSON.parse(off.stdout) as { email_verified: boolean }).email_verified, false);
    const on = await run(['users', 'update', 'alice', '--email-verified', '--name', 'Alice A.', '--json']);
    const u = JSON.parse(on.stdout) as Record<string, unknown>;
    assert.equal(u.email_verified, true);
    assert.equal(u.name, 'Alice A.');
    const moved = JSON.parse((await run(['users', 'update', 'alice', '--email', 'new@example.com', '--json'])).stdout) as Record<
      string,
      unknown
    >;
    assert.equal(moved.email, 'new@example.com');
    assert.equal(moved.email_verified, false);
  });

  test('a client credentials client gets no scope unless it names some', async () => {
    const r = await run(['clients', 'create', '--name', 'Service', '--grant-type', 'client_credentials', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(c.scope, '');
    const web = await run(['clients', 'create', '--name', 'Web', '--redirect-uri', 'https://web.example.com/cb', '--json']);
    assert.equal((JSON.parse(web.stdout) as { scope: string }).scope, 'openid profile email offline_access');
  });

  test('clients update replaces what it is given and validates it like create', async () => {
    const web = JSON.parse(
      (await run(['clients', 'create', '--name', 'Web2', '--redirect-uri', 'https://web.example.com/cb', '--json'])).stdout,
    ) as { client_id: string };
    const r = await run([
      'clients',
      'update',
      web.client_id,
      '--name',
      'Web Two',
      '--redirect-uri',
      'https://two.example.com/cb',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(c.client_name, 'Web Two');
    assert.deepEqual(c.redirect_uris, ['https://two.example.com/cb']);
    assert.equal(c.scope, 'openid profile email offline_access', 'kept');
    const bad = await run(['clients', 'update', web.client_id, '--redirect-uri', 'http://evil.example/cb']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^latchkey: redirect URI "http:\/\/evil\.example\/cb" must use https/);
  });

  for (const [name, args, pattern] of [
    ['no user named', ['users', 'disable'], /^latchkey: name the user: a username, or --sub ID\n$/],
    ['both a name and --sub', ['users', 'enable', 'alice', '--sub', 'x'], /^latchkey: name the user by username or by --sub, not both\n$/],
    ['an unknown user', ['users', 'delete', 'nobody'], /^latchkey: no user "nobody"\n$/],
    ['an unknown client', ['clients', 'disable', 'nope'], /^latchkey: no client nope\n$/],
    ['nothing to update', ['users', 'update', 'alice'], /^latchkey: nothing to change/],
    [
      'a short new password',
      ['users', 'set-password', 'alice', '--password-stdin'],
      /^latchkey: a password needs at least 8 characters\n$/,
    ],
  ] as const) {
    test(`one-line error: ${name}`, async () => {
      const r = await run([...args], 'short\n');
      assert.equal(r.code, 1);
      assert.match(r.stderr, pattern);
    });
  }
});

describe('serve, --version and --help', () => {
  test('serve --host 0.0.0.0 without an issuer is refused, naming --issuer', async () => {
    const r = await run(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^latchkey: --host 0\.0\.0\.0 listens on every address.*--issuer/);
  });

  test('--version prints the version of package.json', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(r.stdout, `${version}\n`);
  });

  test('--help shows both database URL forms, and RFC 7591 only where the output uses it', async () => {
    for (const args of [['users', 'list'], ['users', 'disable'], ['clients', 'rotate-secret'], ['keys', 'list'], ['migrate']]) {
      const r = await runCli([...args, '--help']);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout.replace(/\s+/g, ' '), /sqlite:PATH or postgres:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/);
      assert.equal(/RFC 7591/.test(r.stdout), args[0] === 'clients', args.join(' '));
    }
    const create = await runCli(['clients', 'create', '--help']);
    assert.match(create.stdout.replace(/\s+/g, ' '), /none for a client without the authorization_code grant/);
  });
});
