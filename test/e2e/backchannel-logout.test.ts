// E2E: OpenID Connect Back-Channel Logout 1.0 — logout tokens received by a relying party listening on
// 127.0.0.1 after RP-initiated logout and after an administrator ends sessions, verified with jose
// against the server's JWKS; retried after a 500; delivered after a restart from the durable queue.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import * as oidc from 'openid-client';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/backchannel-logout/logout-token.ts';
import { openDatabase } from '../../src/storage/open.ts';
import type { Database } from '../../src/storage/schema.ts';
import { adminClient, answers, openApiMismatches } from '../helpers/admin.ts';
import { Browser } from '../helpers/browser.ts';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

interface Received {
  path: string;
  contentType: string;
  token: string;
}

/** A relying party's back-channel logout endpoint: records each POST; `/flaky*` answers 500 the first time. */
async function relyingParty(port = 0): Promise<{ server: Server; base: string; received: Received[] }> {
  const received: Received[] = [];
  const failed = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.startsWith('/flaky') && !failed.has(path)) {
        failed.add(path);
        res.writeHead(500).end();
        return;
      }
      received.push({
        path,
        contentType: String(req.headers['content-type']),
        token: new URLSearchParams(body).get('logout_token') ?? '',
      });
      // §2.8: the RP answers 200 (some frameworks 204); no-store.
      res.writeHead(path.endsWith('204') ? 204 : 200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

/** Polls (bounded) until `check` is true. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const FAST = { outboundFetch: { allowLoopback: true }, backchannelLogout: { retryBaseMs: 20, pollIntervalMs: 100 } };

let dir: string;
let dbUrl: string;
let db: Kysely<Database>;
let t: TestServer;
let rp: Awaited<ReturnType<typeof relyingParty>>;
let user: { id: string; username: string; password: string };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-bcl-'));
  dbUrl = `sqlite:${join(dir, 'latchkey.db')}`;
  rp = await relyingParty();
  t = await startTestServer({ ...FAST, db: dbUrl, refreshIdToken: true, admin: { enabled: true } });
  db = (await openDatabase(dbUrl)).db;
  user = await t.addUser('grace', 'grace password 1');
});
after(async () => {
  await db.destroy();
  await t.close();
  await close(rp.server);
  rmSync(dir, { recursive: true, force: true });
});

const queued = async () => (await db.selectFrom('backchannel_logout_jobs').select('id').execute()).length;

async function signIn(clientId: string, secret: string | null, browser: Browser) {
  const e = await getCode(t.url, clientId, user, {}, browser);
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    basic(clientId, secret ?? ''),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { id_token: string; refresh_token: string };
}

/** Verifies a logout token as an RP must (§2.6) with jose against the server's JWKS. */
async function verifyLogoutToken(token: string, clientId: string) {
  const jwks = createRemoteJWKSet(new URL(`${t.url}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: t.url, audience: clientId, typ: 'logout+jwt' });
  assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  assert.equal(payload.nonce, undefined, '§2.4: no nonce');
  assert.equal(typeof payload.jti, 'string');
  assert.ok(typeof payload.iat === 'number' && typeof payload.exp === 'number' && payload.exp > payload.iat);
  assert.equal(protectedHeader.typ, 'logout+jwt');
  return payload;
}

describe('back-channel logout', () => {
  test('discovery advertises it, with the session id', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.backchannel_logout_supported, true);
    assert.equal(meta.backchannel_logout_session_supported, true);
  });

  test('RP-initiated logout: the clients signed in with the session get a valid logout token, no other', async () => {
    const LOGGED_OUT = 'http://127.0.0.1:9/logged-out';
    const a = await t.addClient({ backchannelLogoutUri: `${rp.base}/a`, postLogoutRedirectUris: [LOGGED_OUT] });
    const b = await t.addClient({ backchannelLogoutUri: `${rp.base}/b-204`, backchannelLogoutSessionRequired: true });
    const none = await t.addClient({});
    const elsewhere = await t.addClient({ backchannelLogoutUri: `${rp.base}/elsewhere` });
    const browser = new Browser();
    const tokensA = await signIn(a.client.clientId, a.secret, browser);
    const tokensB = await signIn(b.client.clientId, b.secret, browser);
    await signIn(none.client.clientId, none.secret, browser);
    // Another session of the same person: its client is not logged out with this one.
    await signIn(elsewhere.client.clientId, elsewhere.secret, new Browser());

    const sid = decodeJwt(tokensA.id_token).sid;
    assert.equal(typeof sid, 'string');
    assert.equal(decodeJwt(tokensB.id_token).sid, sid, 'one session, one sid');
    // The sid is not the session cookie.
    assert.notEqual(sid, browser.cookies.get('lk_session'));
    // A refreshed ID token of that session carries it too.
    const refreshed = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: tokensA.refresh_token },
      basic(a.client.clientId, a.secret ?? ''),
    );
    assert.equal(decodeJwt(String(refreshed.body.id_token)).sid, sid);

    const config = await oidc.discovery(new URL(t.url), a.client.clientId, undefined, oidc.ClientSecretBasic(a.secret ?? ''), {
      execute: [oidc.allowInsecureRequests],
    });
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokensA.id_token, post_logout_redirect_uri: LOGGED_OUT });
    assert.equal((await browser.open(url.href)).url, LOGGED_OUT);

    await waitFor('both deliveries', async () => rp.received.length >= 2 && (await queued()) === 0);
    assert.deepEqual(rp.received.map((r) => r.path).sort(), ['/a', '/b-204']);
    for (const r of rp.received) {
      assert.equal(r.contentType, 'application/x-www-form-urlencoded');
      const clientId = r.path === '/a' ? a.client.clientId : b.client.clientId;
      const claims = await verifyLogoutToken(r.token, clientId);
      assert.equal(claims.sid, sid);
      assert.equal(claims.sub, user.id);
    }
    assert.ok(t.logs.some((l) => l.event === 'backchannel_logout.delivered' && l.client_id === a.client.clientId));
    rp.received.length = 0;
  });

  test('a failed delivery (500) is retried with backoff and then delivered', async () => {
    const f = await t.addClient({ backchannelLogoutUri: `${rp.base}/flaky-1` });
    const browser = new Browser();
    await signIn(f.client.clientId, f.secret, browser);
    // Sign-out from the account page posts to the end-session endpoint as a person would.
    const account = await browser.open(`${t.url}/account`);
    const done = await browser.submit(account, { confirm: 'yes' }, '/end-session');
    assert.equal(done.status, 200);
    await waitFor('the retried delivery', async () => rp.received.length === 1 && (await queued()) === 0);
    await verifyLogoutToken(rp.received[0]?.token ?? '', f.client.clientId);
    assert.ok(t.logs.some((l) => l.event === 'backchannel_logout.retry' && l.client_id === f.client.clientId && l.attempt === 1));
    rp.received.length = 0;
  });

  test('an administrator ending the sessions logs the person out of the clients, through the admin API', async () => {
    const admin = await adminClient(t);
    const g = await t.addClient({ name: 'RP G' });
    const patched = await admin.call('PATCH', '/clients/{client_id}', {
      params: { client_id: g.client.clientId },
      body: { backchannel_logout_uri: `${rp.base}/g` },
      headers: { 'if-match': '*' },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.backchannel_logout_uri, `${rp.base}/g`);
    const bad = await admin.call('PATCH', '/clients/{client_id}', {
      params: { client_id: g.client.clientId },
      body: { backchannel_logout_uri: 'https://rp.example/#x' },
    });
    assert.equal(bad.status, 400);
    await signIn(g.client.clientId, g.secret, new Browser());
    const ended = await admin.call('DELETE', '/users/{sub}/sessions', { params: { sub: user.id } });
    assert.equal(ended.status, 200);
    // Every session of the person ends: also the one of the earlier test that signed in to `elsewhere`.
    await waitFor('the deliveries', async () => rp.received.length === 2 && (await queued()) === 0);
    assert.deepEqual(rp.received.map((r) => r.path).sort(), ['/elsewhere', '/g']);
    const fromG = rp.received.find((r) => r.path === '/g');
    const claims = await verifyLogoutToken(fromG?.token ?? '', g.client.clientId);
    assert.equal(claims.sub, user.id);
    const doc = (await (await fetch(`${t.url}/admin/v1/openapi.json`)).json()) as Record<string, unknown>;
    assert.deepEqual(openApiMismatches(doc, answers), []);
    rp.received.length = 0;
  });
});

test('durable: a job queued while the relying party is down is delivered after a restart', async () => {
  const home = mkdtempSync(join(tmpdir(), 'latchkey-bcl-restart-'));
  const url = `sqlite:${join(home, 'latchkey.db')}`;
  // A port that nothing listens on until the relying party comes back.
  const probe = await relyingParty();
  const port = Number(new URL(probe.base).port);
  await close(probe.server);
  // The first instance retries after a second: it is stopped before it gives up.
  const first = await startTestServer({ ...FAST, db: url, backchannelLogout: { retryBaseMs: 1000, pollIntervalMs: 100 } });
  const person = await first.addUser('heidi', 'heidi password 1');
  const { client, secret } = await first.addClient({ backchannelLogoutUri: `http://127.0.0.1:${port}/back` });
  const browser = new Browser();
  const e = await getCode(first.url, client.clientId, person, {}, browser);
  const tokens = await tokenRequest(
    first.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    basic(client.clientId, secret ?? ''),
  );
  const sid = decodeJwt(String(tokens.body.id_token)).sid;
  await browser.open(`${first.url}/end-session?id_token_hint=${tokens.body.id_token}`);
  await waitFor('a failed attempt', () => first.logs.some((l) => l.event === 'backchannel_logout.retry'));
  await first.close();

  const back = await relyingParty(port);
  const second = await startTestServer({ ...FAST, db: url });
  try {
    await waitFor('the delivery after the restart', () => back.received.length === 1);
    const { payload } = await jwtVerify(back.received[0]?.token ?? '', createRemoteJWKSet(new URL(`${second.url}/jwks`)), {
      audience: client.clientId,
      typ: 'logout+jwt',
    });
    assert.equal(payload.sid, sid);
    assert.equal(payload.sub, person.id);
  } finally {
    await second.close();
    await close(back.server);
    rmSync(home, { recursive: true, force: true });
  }
});
