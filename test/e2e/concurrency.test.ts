// DESIGN rule 5 under load, over HTTP on both engines: a code redeems once among 100 parallel
// requests and its reuse revokes the grant; 100 parallel refreshes of one token rotate it once.
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

    test(`${PARALLEL} parallel refreshes of one token: one success, and the grant revoked (no grace window)`, async () => {
      const { code, verifier } = await getCode(t.url, clientId, user);
      const first = await tokenRequest(
        t.url,
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
        auth,
      );
      assert.equal(first.status, 200);
      const form = { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) };
      const results = await Promise.all(Array.from({ length: PARALLEL }, () => tokenRequest(t.url, form, auth)));

      const ok = results.filter((r) => r.status === 200);
      assert.equal(ok.length, 1);
      assert.equal(results.filter((r) => r.status === 400 && r.body.error === 'invalid_grant').length, PARALLEL - 1);

      // The other presentations are reuse of a rotated token (RFC 9700 §4.14.2): the grant is revoked,
      // so even the one successor no longer works.
      const successor = String(ok[0]?.body.refresh_token);
      const again = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: successor }, auth);
      assert.equal(again.status, 400);
      assert.equal(again.body.error, 'invalid_grant');
      assert.equal(await userinfoStatus(t.url, String(ok[0]?.body.access_token)), 401);
      const grant = await t.storage.grants.get(String(claimsOf(String(first.body.access_token)).grant_id));
      assert.notEqual(grant?.revokedAt ?? null, null);
    });
  });
}

exactlyOnce('sqlite', false);
exactlyOnce('postgres', pgSkip);
