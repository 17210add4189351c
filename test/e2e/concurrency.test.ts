// ARCHITECTURE.md rule 5 under load, over HTTP on both engines: a code redeems once among 100 parallel
// requests and its reuse revokes the grant; 100 parallel refreshes of one token rotate it once and
// all get the same successor (and access tokens of their own) within the grace window; after it, presentation is reuse.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { claimsOf, userinfoStatus } from '../helpers/tokens.ts';

const PARALLEL = 100;

function exactlyOnce(engine: 'sqlite' | 'postgres', skip: string | false): void {
  describe(`exactly once under concurrency: ${engine}`, { skip }, () => {
    let pg: TestDatabase | undefined;
    let t: TestServer;
    let user: { username: string; password: string };
    let auth: string;
    let clientId: string;

    before(async () => {
      pg = engine === 'postgres' ? await createTestDatabase() : undefined;
      t = await startTestServer(pg ? { db: pg.url } : {});
      user = await t.addUser();
      const { client, secret } = await t.addClient();
      clientId = client.clientId;
      auth = basic(client.clientId, secret ?? '');
    });

    after(async () => {
      await t?.close();
      await pg?.drop();
    });

    test(`${PARALLEL} parallel redemptions of one code: one token response, the rest invalid_grant, and the grant revoked`, async () => {
      const { code, verifier } = await getCode(t.url, clientId, user);
      const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI };
      const results = await Promise.all(Array.from({ length: PARALLEL }, () => tokenRequest(t.url, form, auth)));

      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1);
      const refused = results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant');
      assert.equal(refused.length, PARALLEL - 1);

      const tokens = ok[0]?.body ?? {};
      assert.equal(typeof tokens.refresh_token, 'string');
      // RFC 6749 §4.1.2: the reuse revoked every token issued from the code, the winner's included.
      const refreshed = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) }, auth);
      assert.equal(refreshed.status, 400);
      assert.equal(refreshed.body.error, 'invalid_grant');
      assert.equal(await userinfoStatus(t.url, String(tokens.access_token)), 401);
      const grant = await t.storage.grants.get(String(claimsOf(String(tokens.access_token)).grant_id));
      assert.notEqual(grant?.revokedAt ?? null, null);
    });

    test(`${PARALLEL} parallel refreshes of one token: all get the same successor, the grant lives on`, async () => {
      const first = await codeExchange();
      const form = { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) };
      const results = await Promise.all(Array.from({ length: PARALLEL }, () => tokenRequest(t.url, form, auth)));

      // Within the grace window every presentation gets the one successor (multi-tab apps, retries).
      assert.deepEqual(
        results.map((r) => r.status),
        Array(PARALLEL).fill(200),
      );
      const successors = new Set(results.map((r) => String(r.body.refresh_token)));
      const accessTokens = new Set(results.map((r) => String(r.body.access_token)));
      assert.equal(successors.size, 1);
      // Each presentation gets an access token of its own, and each works.
      assert.equal(accessTokens.size, PARALLEL);
      for (const token of [...accessTokens].slice(0, 5)) assert.equal(await userinfoStatus(t.url, token), 200);
      const successor = [...successors][0] ?? '';
      const next = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: successor }, auth);
      assert.equal(next.status, 200, 'the grant was not revoked');
      assert.equal(await userinfoStatus(t.url, String(next.body.access_token)), 200);
    });

    test(`${PARALLEL} parallel refreshes after the grace window: reuse, and the grant revoked`, async () => {
      const first = await codeExchange();
      const rt = String(first.body.refresh_token);
      const rotated = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt }, auth);
      assert.equal(rotated.status, 200);
      t.advance(11);
      try {
        const results = await Promise.all(
          Array.from({ length: PARALLEL }, () => tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt }, auth)),
        );
        assert.equal(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant').length, PARALLEL);
        const again = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(rotated.body.refresh_token) }, auth);
        assert.equal(again.body.error, 'invalid_grant');
        const grant = await t.storage.grants.get(String(claimsOf(String(first.body.access_token)).grant_id));
        assert.notEqual(grant?.revokedAt ?? null, null);
      } finally {
        t.advance(-11);
      }
    });

    async function codeExchange() {
      const { code, verifier } = await getCode(t.url, clientId, user);
      const first = await tokenRequest(
        t.url,
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
        auth,
      );
      assert.equal(first.status, 200);
      return first;
    }
  });
}

exactlyOnce('sqlite', false);
exactlyOnce('postgres', pgSkip);
