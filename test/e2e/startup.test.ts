// E2E: what a load balancer sees of an instance: answers (503, Retry-After) while it starts, idle
// keep-alive connections kept past the balancer's 60 s, and keys rotated elsewhere published within 5 s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../../src/server.ts';
import { openStorage } from '../../src/storage/open.ts';
import type { Storage } from '../../src/storage/types.ts';
import { rotateKeys } from '../../src/tokens/rotate.ts';
import { startTestServer, TEST_SECRET } from '../helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** GET over one keep-alive agent; resolves with the status and the client-side socket's local port. */
function get(url: string, agent?: Agent): Promise<{ status: number; retryAfter: string | undefined; localPort: number | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], localPort: req.socket?.localPort }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('start-up', () => {
  // Before the fix such a request hung: the time limit turns a hang into a failure.
  test('a request that arrives while the server starts gets 503 with Retry-After, then the server answers', {
    timeout: 30_000,
  }, async () => {
    const storage = await openStorage(`sqlite:${join(dir, 'starting.db')}`);
    // The key store's first read waits until the test lets it go: the server is listening, not ready.
    let entered = () => {};
    const reached = new Promise<void>((r) => {
      entered = r;
    });
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const held: Storage = {
      ...storage,
      keys: {
        ...storage.keys,
        list: async () => {
          entered();
          await gate;
          return storage.keys.list();
        },
      },
    };
    const port = await freePort();
    const starting = startServer(
      { host: '127.0.0.1', port, db: 'sqlite::memory:', secret: TEST_SECRET, logLevel: 'silent' },
      { storage: held },
    );
    await reached;
    const during = await get(`http://127.0.0.1:${port}/healthz`);
    assert.equal(during.status, 503);
    assert.equal(during.retryAfter, '1');
    release();
    const server = await starting;
    try {
      assert.equal((await get(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
      await storage.close();
    }
  });
});

describe('keep-alive', () => {
  test('an idle connection is still served after 10 s (limits.keepAliveTimeoutMs)', async () => {
    const t = await startTestServer({ limits: { keepAliveTimeoutMs: 72_000 } });
    let connections = 0;
    t.server.http.on('connection', () => connections++);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(`${t.url}/healthz`, agent);
      await sleep(10_000);
      const second = await get(`${t.url}/healthz`, agent);
      assert.deepEqual([first.status, second.status], [200, 200]);
      assert.equal(second.localPort, first.localPort, 'the same socket');
      assert.equal(connections, 1, 'no new connection');
    } finally {
      agent.destroy();
      await t.close();
    }
  });

  test('the default is 72 s, above the 60 s idle timeout of common load balancers', async () => {
    const t = await startTestServer();
    try {
      assert.equal(t.server.http.keepAliveTimeout, 72_000);
    } finally {
      await t.close();
    }
  });
});

describe('key reload', () => {
  test('a key rotated through the database is published by another instance within 5 s', async () => {
    const db = `sqlite:${join(dir, 'shared.db')}`;
    const a = await startTestServer({ db });
    const b = await startTestServer({ db, issuer: a.url });
    const bUrl = `http://127.0.0.1:${(b.server.http.address() as AddressInfo).port}`;
    try {
      const [created] = await rotateKeys(a.storage.keys, a.server.deps.config, a.server.deps.clock(), a.server.deps.keys.sealer, {
        algs: [a.server.deps.config.accessTokenAlg],
      });
      const kid = created?.kid;
      let seen = false;
      // Bounded: 20 looks 250 ms apart; the default reload interval (4 s) fits well within.
      for (let i = 0; i < 20 && !seen; i++) {
        await sleep(250);
        const jwks = (await (await fetch(`${bUrl}/jwks`)).json()) as { keys: { kid: string }[] };
        seen = jwks.keys.some((k) => k.kid === kid);
      }
      assert.ok(seen, 'published by the other instance within 5 s');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
