// OIDC Back-Channel Logout 1.0 §2.5: the worker gives up after the configured attempts, waiting
// longer each time, and drops the jobs of a client that no longer takes them.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { unitDeps } from '../../test/helpers/unit.ts';
import { grant } from '../../test/storage/fixtures.ts';
import type { KeyRing } from '../tokens/keys.ts';
import { retryDelayMs, startLogoutWorker } from './worker.ts';

type Line = Record<string, unknown>;

/** A loopback port nobody listens on: every delivery to it fails at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('back-channel logout worker', () => {
  test('the wait doubles from the base', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => retryDelayMs(1000, n)),
      [1000, 2000, 4000, 8000],
    );
  });

  test('retries with growing waits, gives up after maxAttempts; a disabled client is dropped', async () => {
    const deps = await unitDeps({
      backchannelLogout: { maxAttempts: 3, retryBaseMs: 1000, pollIntervalMs: 60_000 },
      outboundFetch: { allowLoopback: true },
    });
    const uri = `http://127.0.0.1:${await closedPort()}/bc`;
    const { client } = await deps.addClient({ backchannelLogoutUri: uri });
    const { client: off } = await deps.addClient({ backchannelLogoutUri: uri });
    await deps.storage.clients.update({ ...off, disabledAt: 1 });
    await deps.storage.sessions.create({ idHash: 'h1', userId: 'u1', authTime: 1, expiresAt: 2e9, sid: 'sid-1' });
    for (const c of [client, off]) {
      const g = grant({ clientId: c.clientId, userId: 'u1', sid: 'sid-1' });
      await deps.storage.codes.createWithGrant(g, {
        codeHash: `code-${c.clientId}`,
        grantId: g.id,
        clientId: c.clientId,
        userId: 'u1',
        redirectUri: '',
        codeChallenge: 'x',
        scope: 'openid',
        nonce: null,
        authTime: 1,
        expiresAt: 2e9,
        consumedAt: null,
      });
    }
    const lines: Line[] = [];
    const record = (fields: Line) => lines.push(fields);
    let ms = 1_000_000;
    const worker = startLogoutWorker({
      config: deps.config,
      storage: deps.storage,
      // unitDeps types its key ring as the grants see it; it is the whole ring.
      keys: deps.keys as unknown as KeyRing,
      clock: deps.clock,
      nowMs: () => ms,
      log: { info: record, warn: record, error: record } as never,
    });
    try {
      await deps.storage.sessions.delete('h1');
      const retries = () => lines.filter((l) => l.event === 'backchannel_logout.retry');
      await until('the first failure', () => retries().length === 1);
      await until('the disabled client dropped', () => lines.some((l) => l.event === 'backchannel_logout.dropped'));
      assert.equal(lines.find((l) => l.event === 'backchannel_logout.dropped')?.client_id, off.clientId);
      assert.equal(retries()[0]?.retry_in_ms, 1000);
      // Not due yet: a kick does nothing.
      ms += 999;
      worker.kick();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(retries().length, 1);
      ms += 1;
      worker.kick();
      await until('the second failure', () => retries().length === 2);
      assert.equal(retries()[1]?.retry_in_ms, 2000);
      ms += 2000;
      worker.kick();
      await until('giving up', () => lines.some((l) => l.event === 'backchannel_logout.failed'));
      assert.equal(lines.find((l) => l.event === 'backchannel_logout.failed')?.attempt, 3);
      ms += 1e9;
      assert.deepEqual(await deps.storage.logoutJobs.claimDue(ms, 1000, 10), [], 'no job left');
    } finally {
      await worker.stop();
      await deps.close();
    }
  });
});
