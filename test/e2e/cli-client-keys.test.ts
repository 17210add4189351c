// E2E: `latchkey clients create|update --jwks-file|--jwks-uri` (RFC 7591 §2 jwks, jwks_uri) and the
// PAR and DPoP client settings, as an operator runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clientKey } from '../helpers/assertions.ts';
import { runCli } from '../helpers/spawn.ts';

let dir: string;
let db: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-keys-'));
  db = `sqlite:${join(dir, 'cli.db')}`;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `latchkey ARGS` on this file's database. */
const run = (args: string[]) => runCli(args, { env: { LATCHKEY_DB: db } });

test('clients create --jwks-file registers a private_key_jwt client without a secret; update switches a client to keys', async () => {
  const key = await clientKey('ES256', 'k1');
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [key.publicJwk] }));
  const r = await run(['clients', 'create', '--name', 'Job', '--grant-type', 'client_credentials', '--jwks-file', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(c.token_endpoint_auth_method, 'private_key_jwt');
  assert.equal(c.client_secret, undefined);
  assert.deepEqual(c.jwks, { keys: [key.publicJwk] });

  const s = await run(['clients', 'create', '--name', 'Web', '--redirect-uri', 'https://app.example/cb', '--json']);
  const web = JSON.parse(s.stdout) as Record<string, unknown>;
  assert.equal(web.token_endpoint_auth_method, 'client_secret_basic');
  const u = await run([
    'clients',
    'update',
    String(web.client_id),
    '--jwks-uri',
    'https://app.example/jwks.json',
    '--require-pushed-authorization-requests',
    '--dpop-bound-access-tokens',
    '--json',
  ]);
  assert.equal(u.code, 0, u.stderr);
  const updated = JSON.parse(u.stdout) as Record<string, unknown>;
  assert.equal(updated.token_endpoint_auth_method, 'private_key_jwt');
  assert.equal(updated.jwks_uri, 'https://app.example/jwks.json');
  assert.equal(updated.require_pushed_authorization_requests, true);
  assert.equal(updated.dpop_bound_access_tokens, true);
  const rotate = await run(['clients', 'rotate-secret', String(web.client_id)]);
  assert.notEqual(rotate.code, 0);
  assert.match(rotate.stderr, /^latchkey: client .* authenticates with private_key_jwt/);
  const off = await run(['clients', 'update', String(web.client_id), '--no-dpop-bound-access-tokens', '--json']);
  assert.equal((JSON.parse(off.stdout) as Record<string, unknown>).dpop_bound_access_tokens, false);
});

test('bad keys are one-line errors', async () => {
  const priv = join(dir, 'private.json');
  const key = await clientKey('ES256');
  const { exportJWK } = await import('jose');
  writeFileSync(priv, JSON.stringify({ keys: [{ ...(await exportJWK(key.privateKey)), kid: 'p' }] }));
  const cases: [string[], RegExp][] = [
    [['--jwks-file', join(dir, 'missing.json')], /--jwks-file: cannot read .*missing\.json: ENOENT/],
    [['--jwks-file', priv], /key 0 of the JWK Set holds private key material \("d"\)/],
    [['--jwks-uri', 'http://keys.example/jwks.json'], /jwks_uri "http:\/\/keys\.example\/jwks\.json" must be an https URL/],
    [['--jwks-uri', 'https://a.example/k', '--jwks-file', priv], /give jwks or jwks_uri, not both/],
  ];
  for (const [args, message] of cases) {
    const r = await run(['clients', 'create', '--name', 'Bad', '--grant-type', 'client_credentials', ...args]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr.trim(), message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
