// E2E: `npm start` as a person runs it — three parties up, credentials printed, reused on a second start.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDemo } from '../../src/cli/demo.ts';
import { openStorage } from '../../src/storage/open.ts';
import { Browser } from '../helpers/browser.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-start-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  text: string;
  app: string;
  server: string;
  api: string;
  stop(): Promise<number | null>;
}

/**
 * Runs the `start` script on free loopback ports and waits for its banner: the script itself, or
 * with `npm: true` through `npm start` (in a process group of its own, so that `killGroup` can
 * remove whatever is left of it).
 */
function npmStart(options: { env?: Record<string, string>; npm?: boolean } = {}): Promise<Started> {
  const [command, args] = options.npm
    ? ['npm', ['start']]
    : [process.execPath, ['--conditions=latchkey-source', '--import', 'tsx', 'scripts/start.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: options.npm === true,
    env: {
      ...process.env,
      ...options.env,
      PORT: '0',
      DEMO_CLIENT_PORT: '0',
      DEMO_API_PORT: '0',
      LATCHKEY_HOST: '127.0.0.1',
      LATCHKEY_DB: `sqlite:${join(dir, 'demo.db')}`,
      LATCHKEY_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${text}`)), 30_000);
    const onData = (d: Buffer) => {
      text += d.toString();
      if (!text.includes('Stop with Ctrl+C')) return;
      clearTimeout(timer);
      const url = (label: string) => new RegExp(`${label}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(text)?.[1] ?? '';
      resolve({
        child,
        text,
        app: url('Demo app \\(open this\\)'),
        server: url('Authorization server'),
        api: url('Demo API'),
        stop: () =>
          new Promise((r) => {
            child.on('close', r);
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => reject(new Error(`exited ${code}:\n${text}`)));
  });
}

test('npm start runs the three parties and prints the demo credentials and an authorization URL', async () => {
  const first = await npmStart();
  try {
    for (const u of [first.app, first.server, first.api]) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+$/);
    const user = /Demo user:\s+(\S+) \/ (\S+)/.exec(first.text);
    assert.ok(user?.[1] && user[2], first.text);
    const authorize = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(first.text)?.[1];
    assert.ok(authorize);
    assert.match(first.text, /curl -s -u '[^']+' http:\/\/127\.0\.0\.1:\d+\/token/);
    // The printed authorization URL works with the printed credentials and lands on the app's callback.
    const landing = await new Browser().authorize(authorize, { username: user[1], password: user[2] });
    assert.equal(landing.status, 303);
    assert.ok(landing.url.startsWith(`${first.app}/callback?code=`), landing.url);
    const home = await fetch(first.app);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Sign in/);
    const creds = join(dir, 'demo-credentials.json');
    assert.equal(statSync(creds).mode & 0o777, 0o600);
    assert.equal((JSON.parse(readFileSync(creds, 'utf8')) as { password: string }).password, user[2]);
  } finally {
    assert.equal(await first.stop(), 0);
  }
});

test('a second start reuses the demo user and client', async () => {
  const db = `sqlite:${join(dir, 'reuse.db')}`;
  const storage = await openStorage(db);
  try {
    const now = Math.floor(Date.now() / 1000);
    const first = await ensureDemo(
      storage,
      db,
      ['openid', 'profile', 'email', 'offline_access', 'api:read'],
      now,
      'http://127.0.0.1:9001/callback',
    );
    const second = await ensureDemo(
      storage,
      db,
      ['openid', 'profile', 'email', 'offline_access', 'api:read'],
      now,
      'http://127.0.0.1:9001/callback',
    );
    assert.deepEqual(second, first);
    assert.equal((await storage.users.list()).length, 1);
    assert.equal((await storage.clients.list()).length, 1);
  } finally {
    await storage.close();
  }
});

/** Whether something accepts connections at `url` now. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Kills what is left of a process group started with `detached` (nothing, when all went well). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm process stops the servers of npm start`, async () => {
    const started = await npmStart({ npm: true, env: { LATCHKEY_DB: `sqlite:${join(dir, `signal-${signal}.db`)}` } });
    try {
      assert.equal(await listening(started.server), true);
      const exited = new Promise<void>((resolve) => {
        started.child.once('exit', () => resolve());
        // An npm that does not exit on the signal is checked (and fails) all the same.
        setTimeout(resolve, 20_000).unref();
      });
      started.child.kill(signal);
      await exited;
      // The servers are closed by the time npm has exited: nothing is left listening (bounded wait
      // for the kernel to release the sockets).
      let up = [true, true, true];
      for (let i = 0; i < 50 && up.some(Boolean); i++) {
        up = await Promise.all([started.server, started.app, started.api].map(listening));
        if (up.some(Boolean)) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(up, [false, false, false], 'server, demo app and demo API are all stopped');
    } finally {
      killGroup(started.child);
    }
  });
}

test('npm start reads the config file named by LATCHKEY_CONFIG, as latchkey serve does', async () => {
  const file = join(dir, 'latchkey.json');
  writeFileSync(file, JSON.stringify({ ttl: { code: 42 }, scopes: ['reports:read'] }));
  const started = await npmStart({ env: { LATCHKEY_CONFIG: file, LATCHKEY_DB: `sqlite:${join(dir, 'config.db')}` } });
  try {
    assert.match(started.text, /exchange the code \(within 42 s\)/);
    const metadata = (await (await fetch(`${started.server}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    assert.ok(metadata.scopes_supported.includes('reports:read'), 'the scopes of the file are kept');
    assert.ok(metadata.scopes_supported.includes('api:read'), 'with the demo API scopes');
  } finally {
    assert.equal(await started.stop(), 0);
  }
});
