// Many instances over one PostgreSQL database: any request can land on any instance. Two servers,
// each with its own connection pool and port, share one issuer as they would behind a load balancer.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PUBLISH_DELAY_SECONDS, rotateKeys } from '../../src/tokens/rotate.ts';
import { Browser } from '../helpers/browser.ts';
import { authorizeUrl, basic, getCode, pkce, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { kidOf, userinfoStatus } from '../helpers/tokens.ts';

describe('two instances sharing PostgreSQL', { skip: pgSkip }, () => {
  let pg: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  /** Where B listens (its issuer is A's: both stand for one public URL). */
  let bUrl: string;
  let user: { username: string; password: string };
  let clientId: string;
  let auth: string;
  // Signed in at A once; the session cookie is what a load balancer would send to either instance.
  const browser = new Browser();

  before(async () => {
    pg = await createTestDatabase();
    // B reloads its keys every 100 ms; A only hourly, so that a rotation reaches A only on demand.
    a = await startTestServer({ db: pg.url }, { keyReloadMs: 3_600_000 });
    b = await startTestServer({ db: pg.url, issuer: a.url }, { keyReloadMs: 100 });
    bUrl = `http://127.0.0.1:${(b.server.http.address() as AddressInfo).port}`;
    assert.notEqual(bUrl, a.url);
    user = await a.addUser();
    const { client, secret } = await a.addClient();
    clientId = client.clientId;
    auth = basic(client.clientId, secret ?? '');
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await pg?.drop();
  });

  const exchange = (base: string, code: string, verifier: string) =>
    tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI }, auth);

  /** A code from A for the signed-in browser (consent is remembered after the first time). */
  const codeFromA = () => getCode(a.url, clientId, user, {}, browser);

  test('a code issued at A redeems at B, and the refresh token rotates across instances', async () => {
    const { code, verifier } = await codeFromA();
    const tokens = await exchange(bUrl, code, verifier);
    assert.equal(tokens.status, 200);
    assert.equal(await userinfoStatus(a.url, String(tokens.body.access_token)), 200);
    assert.equal(await userinfoStatus(bUrl, String(tokens.body.access_token)), 200);

    const atA = await tokenRequest(a.url, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) }, auth);
    assert.equal(atA.status, 200);
    const atB = await tokenRequest(bUrl, { grant_type: 'refresh_token', refresh_token: String(atA.body.refresh_token) }, auth);
    assert.equal(atB.status, 200);
  });

  test('a login session made at A is valid at B', async () => {
    const { challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      prompt: 'none',
    };
    // OIDC Core §3.1.2.1 prompt=none: B answers with a code only if it recognises the session.
    const withSession = new URL((await browser.open(authorizeUrl(bUrl, params))).url);
    assert.equal(withSession.origin + withSession.pathname, REDIRECT_URI);
    assert.equal(withSession.searchParams.get('error'), null);
    assert.match(withSession.searchParams.get('code') ?? '', /^[\w-]{43}$/);

    const stranger = new URL((await new Browser().open(authorizeUrl(bUrl, params))).url);
    assert.equal(stranger.searchParams.get('error'), 'login_required');
  });

  test('revocation at A (code reuse) is seen at B on the next request', async () => {
    const { code, verifier } = await codeFromA();
    const tokens = await exchange(a.url, code, verifier);
    assert.equal(tokens.status, 200);
    assert.equal(await userinfoStatus(bUrl, String(tokens.body.access_token)), 200);

    const reuse = await exchange(a.url, code, verifier);
    assert.equal(reuse.body.error, 'invalid_grant');

    assert.equal(await userinfoStatus(bUrl, String(tokens.body.access_token)), 401);
    const refresh = await tokenRequest(bUrl, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) }, auth);
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  /** Tokens from B for a code from A. */
  const tokensFromB = async () => {
    const { code, verifier } = await codeFromA();
    return exchange(bUrl, code, verifier);
  };

  test('a key rotated at A with --immediately is published at B first, and signs only after the publication delay', async () => {
    const cfg = a.server.deps.config;
    const created = await rotateKeys(a.storage.keys, cfg, a.server.deps.clock(), a.server.deps.keys.sealer, { immediately: true });
    const newKids = created.map((k) => k.kid);
    await a.server.deps.keys.reload();
    const early = await tokensFromB();
    assert.equal(newKids.includes(kidOf(String(early.body.access_token))), false, 'not signing before every instance publishes it');

    let published: string[] = [];
    for (let i = 0; i < 50 && !newKids.every((k) => published.includes(k)); i++) {
      if (i > 0) await sleep(100);
      const jwks = (await (await fetch(`${bUrl}/jwks`)).json()) as { keys: { kid: string }[] };
      published = jwks.keys.map((k) => k.kid);
    }
    assert.deepEqual(
      newKids.filter((k) => !published.includes(k)),
      [],
      'B publishes the new keys',
    );

    a.advance(PUBLISH_DELAY_SECONDS);
    b.advance(PUBLISH_DELAY_SECONDS);
    const fromB = await tokensFromB();
    assert.equal(fromB.status, 200);
    assert.ok(newKids.includes(kidOf(String(fromB.body.access_token))), 'B signs with the new key');
    assert.ok(newKids.includes(kidOf(String(fromB.body.id_token))), 'ID tokens too');
    assert.equal(await userinfoStatus(a.url, String(fromB.body.access_token)), 200);
  });

  test('a key B signs with verifies at A at once even if A has not reloaded: an unknown kid reloads the key ring', async () => {
    const cfg = b.server.deps.config;
    const created = await rotateKeys(b.storage.keys, cfg, b.server.deps.clock(), b.server.deps.keys.sealer, {
      immediately: true,
      algs: [cfg.accessTokenAlg],
    });
    const kid = created[0]?.kid ?? '';
    await b.server.deps.keys.reload();
    a.advance(PUBLISH_DELAY_SECONDS);
    b.advance(PUBLISH_DELAY_SECONDS);

    const fromB = await tokensFromB();
    assert.equal(kidOf(String(fromB.body.access_token)), kid);
    assert.equal(a.server.deps.keys.verifying(kid), undefined, 'A has not loaded the key yet');
    assert.equal(await userinfoStatus(a.url, String(fromB.body.access_token)), 200);
    assert.ok(a.server.deps.keys.verifying(kid), 'A loaded it on demand');
  });
});
