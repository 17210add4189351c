// E2E: audit events for each case, a request id on every line, and no secret in any log line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditEvents } from '../../src/observability/audit.ts';
import { Browser } from '../helpers/browser.ts';
import { authorizeUrl, basic, getCode, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
const secrets: string[] = [];

before(async () => {
  t = await startTestServer();
});
after(() => t.close());

test('each case emits its audit event, with a request id, and no secret is ever logged', async () => {
  const user = await t.addUser('dora', 'dora secret password');
  const { client, secret } = await t.addClient();
  const auth = basic(client.clientId, secret ?? '');
  secrets.push(user.password, secret ?? '', auth.slice(6));

  // Sign-in failure, then success and consent.
  const browser = new Browser();
  const { challenge } = pkce();
  const login = await browser.open(
    authorizeUrl(t.url, {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  await browser.submit(login, { username: 'dora', password: 'wrong horse' });
  secrets.push('wrong horse');
  const e = await getCode(t.url, client.clientId, user, { scope: 'openid offline_access' });
  secrets.push(e.code, e.verifier);

  const tokens = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    auth,
  );
  const rt1 = String(tokens.body.refresh_token);
  secrets.push(String(tokens.body.access_token), rt1, String(tokens.body.id_token));
  const second = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
  secrets.push(String(second.body.access_token), String(second.body.refresh_token));
  // Reuse of the rotated token, after the retry grace window, revokes the grant.
  t.advance(t.server.deps.config.ttl.refreshGrace + 1);
  assert.equal((await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth)).body.error, 'invalid_grant');

  // Revocation of a fresh grant's refresh token.
  const e2 = await getCode(t.url, client.clientId, user, { scope: 'openid offline_access' });
  const t2 = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e2.code, code_verifier: e2.verifier, redirect_uri: REDIRECT_URI },
    auth,
  );
  secrets.push(e2.code, e2.verifier, String(t2.body.refresh_token), String(t2.body.access_token));
  const revoke = await fetch(`${t.url}/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    body: new URLSearchParams({ token: String(t2.body.refresh_token) }),
  });
  assert.equal(revoke.status, 200);
  await revoke.arrayBuffer();

  // Client authentication failure with a secret that must not be logged either.
  assert.equal(
    (await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: 'x' }, basic(client.clientId, 'guessed-secret-123'))).status,
    401,
  );
  secrets.push('guessed-secret-123');

  // A redirect URI that differs by a trailing slash: the log says so.
  const mismatch = await fetch(
    authorizeUrl(t.url, { response_type: 'code', client_id: client.clientId, redirect_uri: `${REDIRECT_URI}/`, scope: 'openid' }),
  );
  assert.equal(mismatch.status, 400);
  await mismatch.arrayBuffer();

  await new Promise((r) => setImmediate(r));
  const events = new Set(t.logs.map((l) => l.event));
  for (const name of [
    'login.failure',
    'login.success',
    'consent.granted',
    'code.issued',
    'token.issued',
    'refresh.reuse',
    'token.revoked',
    'client.auth_failure',
    'authorize.redirect_uri_mismatch',
  ]) {
    assert.ok(events.has(name), `no ${name} event`);
    assert.ok((auditEvents as readonly string[]).includes(name), `${name} is not in the documented list`);
  }
  const diag = t.logs.find((l) => l.event === 'authorize.redirect_uri_mismatch') as {
    compared?: { registered: string; differences: string[] }[];
  };
  assert.deepEqual(diag.compared, [{ registered: REDIRECT_URI, differences: ['path has an extra trailing slash'] }]);

  // Every line logged while serving a request carries its request id.
  const requestLines = t.logs.filter((l) => l.event !== undefined || l.msg === 'request' || l.msg === 'request refused');
  assert.ok(requestLines.length > 10);
  for (const l of requestLines) assert.match(String(l.request_id), /^[0-9a-f-]{36}$/, JSON.stringify(l));

  const text = JSON.stringify(t.logs);
  for (const s of secrets) assert.ok(s.length > 4 && !text.includes(s), 'a secret, password, code or token leaked into the logs');
});
