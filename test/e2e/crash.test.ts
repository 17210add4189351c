// Crash safety on each engine: SIGKILL the server during a bounded load of token requests, restart it
// on the same database, and check that every token a client was given still works and that no
// half-written record remains (anything acknowledged was committed before the response left).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/open.ts';
import { Browser } from '../helpers/browser.ts';
import { getCode, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { REDIRECT_URI } from '../helpers/server.ts';
import { provision, type ServerProcess, spawnServer, startedLine } from '../helpers/spawn.ts';
import { userinfoStatus } from '../helpers/tokens.ts';

const CHAINS = 10;
const CYCLES = 15; // each cycle: authorize, code exchange, refresh → at most 450 requests
const KILL_AFTER = 120; // acknowledged responses before the SIGKILL

function crashOn(engine: 'sqlite' | 'postgres', skip: string | false): void {
  describe(`crash safety: ${engine}`, { skip }, () => {
    let dir: string;
    let pg: TestDatabase | undefined;
    let db: string;
    const servers: ServerProcess[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'latchkey-crash-'));
      pg = engine === 'postgres' ? await createTestDatabase() : undefined;
      db = pg ? pg.url : `sqlite:${join(dir, 'crash.db')}`;
    });

    after(async () => {
      for (const s of servers) {
        if (s.child.exitCode === null && s.child.signalCode === null) {
          s.child.kill('SIGKILL');
          await s.exited;
        }
      }
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('kill -9 under load, restart: every acknowledged token works, nothing half-written', async (t) => {
      const { clientId, auth, user } = await provision(db);
      const first = spawnServer(['--db', db, '--port', '0', '--host', '127.0.0.1']);
      servers.push(first);
      const issuer = String((await first.waitFor(startedLine)).issuer);
      const port = new URL(issuer).port;

      // Sign in and consent once; afterwards each authorization request is answered with a code at once.
      const browser = new Browser();
      await getCode(issuer, clientId, user, {}, browser);

      /** Refresh tokens whose response arrived and that were never presented since: they must work. */
      const settled = new Set<string>();
      const accessTokens: string[] = [];
      let acknowledged = 0;
      let killed = false;
      const ack = () => {
        acknowledged++;
        if (acknowledged >= KILL_AFTER && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      };

      const chain = async () => {
        for (let i = 0; i < CYCLES && !killed; i++) {
          const { code, verifier } = await getCode(issuer, clientId, user, {}, browser);
          ack();
          const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI };
          const tokens = await tokenRequest(issuer, form, auth);
          assert.equal(tokens.status, 200);
          ack();
          const rt = String(tokens.body.refresh_token);
          accessTokens.push(String(tokens.body.access_token));
          settled.add(rt);
          if (killed) return;
          // Presenting the token makes its fate unknown until the answer comes (a lost answer is
          // the case the refresh grace window is for): it leaves the settled set until then.
          settled.delete(rt);
          const next = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: rt }, auth);
          assert.equal(next.status, 200);
          ack();
          accessTokens.push(String(next.body.access_token));
          settled.add(String(next.body.refresh_token));
        }
      };
      // A chain ends at its first failed request: the connection refused or reset by the kill.
      const outcomes = await Promise.allSettled(Array.from({ length: CHAINS }, chain));
      assert.equal(killed, true, 'the server was killed mid-load');
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.ok(!(o.reason instanceof assert.AssertionError), String(o.reason));
      }
      assert.equal(await first.exited, null, 'ended by the signal');

      const second = spawnServer(['--db', db, '--port', port, '--host', '127.0.0.1']);
      servers.push(second);
      assert.equal((await second.waitFor(startedLine)).issuer, issuer);

      assert.ok(settled.size >= CHAINS, `${settled.size} refresh tokens to check`);
      for (const rt of settled) {
        const r = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: rt }, auth);
        assert.equal(r.status, 200, `an acknowledged refresh token works after the restart: ${JSON.stringify(r.body)}`);
      }
      for (const at of accessTokens) assert.equal(await userinfoStatus(issuer, at), 200);
      t.diagnostic(`${acknowledged} responses before the kill; ${settled.size} refresh and ${accessTokens.length} access tokens checked`);

      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);

      const { db: q } = await openDatabase(db);
      try {
        const orphanCodes = await q
          .selectFrom('codes')
          .leftJoin('grants', 'grants.id', 'codes.grant_id')
          .select('codes.code_hash')
          .where('grants.id', 'is', null)
          .execute();
        assert.deepEqual(orphanCodes, [], 'every code has its grant');
        const orphanTokens = await q
          .selectFrom('refresh_tokens')
          .leftJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
          .select('refresh_tokens.token_hash')
          .where('grants.id', 'is', null)
          .execute();
        assert.deepEqual(orphanTokens, [], 'every refresh token has its grant');
        // Rotation is one transaction: never two live refresh tokens in one grant.
        const doubled = await q
          .selectFrom('refresh_tokens')
          .select(['grant_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('consumed_at', 'is', null)
          .groupBy('grant_id')
          .having((eb) => eb.fn.countAll(), '>', 1)
          .execute();
        assert.deepEqual(doubled, [], 'at most one live refresh token per grant');
        if (engine === 'sqlite') {
          const check = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(q);
          assert.deepEqual(check.rows, [{ integrity_check: 'ok' }]);
        }
      } finally {
        await q.destroy();
      }
    });
  });
}

crashOn('sqlite', false);
crashOn('postgres', pgSkip);
