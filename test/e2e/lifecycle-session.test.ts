// E2E: RP-initiated logout, refresh token lifetimes, signing key rotation and cleanup.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { maintain } from '../../src/maintenance.ts';
import { hashToken } from '../../src/tokens/opaque.ts';
import { rotateKeys } from '../../src/tokens/rotate.ts';
import { Browser, isConsentPage } from '../helpers/browser.ts';
import { basic, codeRequestUrl, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const LOGGED_OUT = 'http://127.0.0.1:9/logged-out';
let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer({ keys: { prePublish: 600, rotateAfter: 0 } });
  user = await t.addUser('frank', 'frank password 1');
});
after(() => t.close());

async function codeTokens(clientId: string, auth: string, browser?: Browser) {
  const e = await getCode(t.url, clientId, user, {}, browser);
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    auth,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { access_token: string; refresh_token: string; id_token: string };
}

const silent = (clientId: string) => codeRequestUrl(t.url, clientId, { scope: 'openid offline_access', prompt: 'none' });

describe('RP-initiated logout', () => {
  test('with id_token_hint: the session ends and the browser returns to the registered URI with state', async () => {
    const { client, secret } = await t.addClient({ postLogoutRedirectUris: [LOGGED_OUT] });
    const browser = new Browser();
    const tokens = await codeTokens(client.clientId, basic(client.clientId, secret ?? ''), browser);
    const config = await oidc.discovery(new URL(t.url), client.clientId, undefined, oidc.ClientSecretBasic(secret ?? ''), {
      execute: [oidc.allowInsecureRequests],
    });
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: LOGGED_OUT, state: 'bye' });
    const out = await browser.open(url.href);
    assert.equal(out.status, 303);
    assert.equal(out.url, `${LOGGED_OUT}?state=bye`);
    assert.equal(browser.cookies.has('lk_session'), false);
    const after = await browser.open(silent(client.clientId));
    assert.equal(new URL(after.url).searchParams.get('error'), 'login_required');
  });

  test('without a hint the person is asked first; a cross-site GET cannot sign them out', async () => {
    const { client, secret } = await t.addClient({ postLogoutRedirectUris: [LOGGED_OUT] });
    const browser = new Browser();
    await codeTokens(client.clientId, basic(client.clientId, secret ?? ''), browser);
    const ask = await browser.open(
      `${t.url}/end-session?client_id=${client.clientId}&post_logout_redirect_uri=${encodeURIComponent(LOGGED_OUT)}`,
    );
    assert.equal(ask.status, 200);
    assert.match(ask.html, /Sign out\?/);
    // Still signed in after merely opening the page.
    assert.ok(new URL((await browser.open(silent(client.clientId))).url).searchParams.get('code'));
    const done = await browser.submit(ask, { confirm: 'yes' });
    assert.equal(done.url, LOGGED_OUT);
    assert.equal(new URL((await browser.open(silent(client.clientId))).url).searchParams.get('error'), 'login_required');
  });

  test('an unregistered post_logout_redirect_uri is never followed', async () => {
    const { client, secret } = await t.addClient({ postLogoutRedirectUris: [LOGGED_OUT] });
    const tokens = await codeTokens(client.clientId, basic(client.clientId, secret ?? ''));
    const res = await fetch(
      `${t.url}/end-session?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /not registered/);
    const forged = await fetch(`${t.url}/end-session?id_token_hint=e30.e30.e30`, { redirect: 'manual' });
    assert.equal(forged.status, 400);
    await forged.arrayBuffer();
  });

  test('with no session there is nothing to confirm: the signed-out page', async () => {
    const res = await new Browser().open(`${t.url}/end-session`);
    assert.equal(res.status, 200);
    assert.match(res.html, /You are signed out/);
  });
});

describe('refresh token lifetimes', () => {
  test('idle: a refresh token unused for longer than the idle lifetime expires; the reason is logged, not sent', async () => {
    const { client, secret } = await t.addClient({ refreshTokenIdleTtl: 100 });
    const auth = basic(client.clientId, secret ?? '');
    const tokens = await codeTokens(client.clientId, auth);
    t.advance(90);
    try {
      const ok = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, auth);
      assert.equal(ok.status, 200);
      t.advance(101);
      const late = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(ok.body.refresh_token) }, auth);
      assert.equal(late.body.error, 'invalid_grant');
      assert.doesNotMatch(String(late.body.error_description), /idle/);
      assert.ok(t.logs.some((l) => l.detail === 'idle lifetime reached'));
    } finally {
      t.advance(-191);
    }
  });

  test('absolute: however often it is refreshed, the grant ends', async () => {
    const { client, secret } = await t.addClient({ refreshTokenTtl: 300, refreshTokenIdleTtl: 200 });
    const auth = basic(client.clientId, secret ?? '');
    let rt = (await codeTokens(client.clientId, auth)).refresh_token;
    let moved = 0;
    try {
      for (let i = 0; i < 2; i++) {
        t.advance(140);
        moved += 140;
        const res = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt }, auth);
        assert.equal(res.status, 200, `refresh ${i}`);
        rt = String(res.body.refresh_token);
      }
      t.advance(40);
      moved += 40;
      const res = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt }, auth);
      assert.equal(res.body.error, 'invalid_grant');
      assert.ok(t.logs.some((l) => l.detail === 'absolute lifetime reached'));
    } finally {
      t.advance(-moved);
    }
  });
});

describe('signing keys', () => {
  test('rotation publishes the new key first; old tokens verify until they expire; new tokens use the new key', async () => {
    // Its own server: this test moves the clock past the retired key's end, which cannot be undone.
    const outer = t;
    t = await startTestServer({ keys: { prePublish: 600, rotateAfter: 0 } });
    user = await t.addUser('frank', 'frank password 1');
    const { client, secret } = await t.addClient();
    const auth = basic(client.clientId, secret ?? '');
    const jwks = async () => createLocalJWKSet((await (await fetch(`${t.url}/jwks`)).json()) as { keys: [] });
    const before = await codeTokens(client.clientId, auth);
    const oldKid = decodeProtectedHeader(before.access_token).kid;

    const created = await rotateKeys(t.storage.keys, t.server.deps.config, Math.floor(Date.now() / 1000), t.server.deps.keys.sealer);
    await maintain(t.server.deps);
    const published = (await (await fetch(`${t.url}/jwks`)).json()) as { keys: { kid: string }[] };
    for (const k of created)
      assert.ok(
        published.keys.some((p) => p.kid === k.kid),
        'new key published before it signs',
      );
    // Within the pre-publication window the current key still signs.
    const during = await codeTokens(client.clientId, auth);
    assert.equal(decodeProtectedHeader(during.access_token).kid, oldKid);

    t.advance(601);
    let moved = 601;
    try {
      await maintain(t.server.deps);
      const afterRotation = await codeTokens(client.clientId, auth);
      const newKid = decodeProtectedHeader(afterRotation.access_token).kid;
      assert.ok(
        created.some((k) => k.kid === newKid),
        'new tokens use the new key',
      );
      assert.notEqual(decodeProtectedHeader(afterRotation.id_token).kid, decodeProtectedHeader(before.id_token).kid);
      // The old token still verifies against the published set (it has not expired yet).
      const now = new Date((Math.floor(Date.now() / 1000) + moved) * 1000);
      await jwtVerify(during.access_token, await jwks(), { issuer: t.url, currentDate: now });
      // Once every token the old key signed has expired, cleanup removes it.
      t.advance(3600 + 120);
      moved += 3720;
      await maintain(t.server.deps);
      const final = (await (await fetch(`${t.url}/jwks`)).json()) as { keys: { kid: string }[] };
      assert.ok(!final.keys.some((k) => k.kid === oldKid), 'the retired key is gone');
      assert.ok(final.keys.some((k) => k.kid === newKid));
      assert.ok(t.logs.some((l) => l.event === 'cleanup'));
    } finally {
      await t.close();
      t = outer;
    }
  });

  test('the automatic schedule rotates a key older than keys.rotateAfter', async () => {
    const own = await startTestServer({ keys: { prePublish: 0, rotateAfter: 1000 } });
    try {
      const before = await own.storage.keys.list();
      await maintain(own.server.deps);
      assert.equal((await own.storage.keys.list()).length, before.length, 'not due yet');
      own.advance(1001);
      await maintain(own.server.deps);
      const after = await own.storage.keys.list();
      assert.equal(after.length, before.length * 2);
      assert.ok(own.logs.some((l) => l.event === 'key.rotated'));
      for (const old of before) assert.ok(after.find((k) => k.kid === old.kid)?.retiresAt !== null);
    } finally {
      await own.close();
    }
  });
});

describe('cleanup', () => {
  test('removes every expired row and nothing live', async () => {
    const { client, secret } = await t.addClient();
    const auth = basic(client.clientId, secret ?? '');
    const live = await codeTokens(client.clientId, auth);
    // Rows that will be expired: unredeemed codes, sessions, interactions, grants with refresh tokens.
    for (let i = 0; i < 5; i++) {
      const page = await new Browser().open(codeRequestUrl(t.url, client.clientId));
      assert.ok(!isConsentPage(page));
    }
    const { storage } = t;
    const now = Math.floor(Date.now() / 1000);
    // A grant and refresh token whose lifetime is already over.
    await storage.codes.createWithGrant(
      {
        id: 'old-grant',
        clientId: client.clientId,
        userId: 'u',
        scope: 'openid',
        authTime: now - 10,
        createdAt: now - 10,
        expiresAt: now - 1,
        revokedAt: null,
        resources: [],
      },
      {
        codeHash: hashToken('old-code'),
        grantId: 'old-grant',
        clientId: client.clientId,
        userId: 'u',
        redirectUri: '',
        codeChallenge: 'x',
        scope: 'openid',
        nonce: null,
        authTime: now - 10,
        expiresAt: now - 5,
        consumedAt: null,
      },
    );
    await storage.refreshTokens.create({
      tokenHash: hashToken('old-rt'),
      grantId: 'old-grant',
      clientId: client.clientId,
      userId: 'u',
      scope: 'openid',
      authTime: now - 10,
      createdAt: now - 10,
      expiresAt: now - 1,
      consumedAt: null,
      replacedBy: null,
      successor: null,
    });
    await storage.revokedTokens.add('old-jti', now - 1);
    t.advance(3600);
    try {
      const deleted = await storage.cleanup(Math.floor(Date.now() / 1000) + 3600);
      assert.ok(deleted >= 5 + 4, `deleted ${deleted}`);
      assert.equal(await storage.grants.get('old-grant'), undefined);
      assert.equal(await storage.refreshTokens.find(hashToken('old-rt')), undefined);
      assert.equal(await storage.revokedTokens.has('old-jti'), false);
      assert.equal(await storage.cleanup(Math.floor(Date.now() / 1000) + 3600), 0, 'nothing left to delete');
      // The live grant's refresh token still works.
      const res = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: live.refresh_token }, auth);
      assert.equal(res.status, 200);
    } finally {
      t.advance(-3600);
    }
  });
});
