// `latchkey serve --workers 2` on each engine: two processes share one port and one database; a
// worker that dies is replaced while the other keeps answering; SIGTERM stops them all.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getCode, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { REDIRECT_URI } from '../helpers/server.ts';
import { getFresh, type LogLine, provision, type ServerProcess, spawnServer, startedLine } from '../helpers/spawn.ts';

const REQUESTS = 20;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function workersOn(engine: 'sqlite' | 'postgres', skip: string | false): void {
  describe(`serve --workers 2: ${engine}`, { skip }, () => {
    let dir: string;
    let pg: TestDatabase | undefined;
    let db: string;
    let server: ServerProcess | undefined;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'latchkey-workers-'));
      pg = engine === 'postgres' ? await createTestDatabase() : undefined;
      db = pg ? pg.url : `sqlite:${join(dir, 'workers.db')}`;
    });

    after(async () => {
      if (server && server.child.exitCode === null) {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('both workers serve one port; a killed worker is replaced; SIGTERM stops everything', async () => {
      const { clientId, auth, user } = await provision(db);
      server = spawnServer(['--workers', '2', '--db', db, '--port', '0', '--host', '127.0.0.1']);
      const started = (line: LogLine) => startedLine(line);
      await server.waitFor(() => server?.lines.filter(started).length === 2);
      const first = server.lines.filter(started);
      const pids = first.map((l) => Number(l.pid));
      assert.equal(new Set(pids).size, 2, 'two worker processes');
      assert.equal(new Set(first.map((l) => l.issuer)).size, 1, 'one shared address');
      const issuer = String(first[0]?.issuer);

      // A whole flow: login, consent, code and refresh may each land on either worker.
      const { code, verifier } = await getCode(issuer, clientId, user);
      const tokens = await tokenRequest(
        issuer,
        { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
        auth,
      );
      assert.equal(tokens.status, 200);
      const refreshed = await tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) }, auth);
      assert.equal(refreshed.status, 200);

      const discovery = `${issuer}/.well-known/openid-configuration`;
      for (let i = 0; i < REQUESTS; i++) assert.equal(await getFresh(discovery), 200);

      const [victim = 0, survivor = 0] = pids;
      process.kill(victim, 'SIGKILL');
      for (let i = 0; i < 50 && alive(victim); i++) await sleep(20);
      assert.equal(alive(victim), false);
      // The other worker answers every request while the primary replaces the dead one.
      for (let i = 0; i < REQUESTS; i++) assert.equal(await getFresh(discovery), 200);
      const replacement = await server.waitFor((l) => started(l) && !pids.includes(Number(l.pid)));
      assert.equal(replacement.issuer, issuer);
      assert.ok(server.lines.some((l) => l.event === 'worker.exit' && l.pid === victim && l.signal === 'SIGKILL'));
      for (let i = 0; i < REQUESTS; i++) assert.equal(await getFresh(discovery), 200);

      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      for (const pid of [survivor, Number(replacement.pid)]) {
        for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
        assert.equal(alive(pid), false, `worker ${pid} stopped`);
      }
    });
  });
}

workersOn('sqlite', false);
workersOn('postgres', pgSkip);
