// Runs `latchkey serve` as a child process, as an operator would, and reads its JSON log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createUser } from '../../src/accounts/users.ts';
import { buildClient } from '../../src/clients/register.ts';
import { openStorage } from '../../src/storage/open.ts';
import { basic } from './flow.ts';
import { REDIRECT_URI, TEST_SECRET } from './server.ts';

/**
 * The `latchkey` command run from the sources (bin/latchkey.mjs runs the build in dist/; the package
 * test covers that one).
 */
export const CLI = ['--import', 'tsx', new URL('../../src/cli/main.ts', import.meta.url).pathname];

export type LogLine = Record<string, unknown>;

export interface ServerProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line (past or future) that matches; rejects on timeout or exit. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Spawns `latchkey serve ARGS` with `LATCHKEY_LOG_LEVEL=info` (and `env`); stderr is kept for error
 * messages. A PostgreSQL `--db` gets the tests' key-encryption secret unless `env` names one.
 */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): ServerProcess {
  const needsSecret = args.some((a) => a.startsWith('postgres'));
  const child = spawn(process.execPath, [...CLI, 'serve', ...args], {
    env: { ...process.env, LATCHKEY_LOG_LEVEL: 'info', ...(needsSecret ? { LATCHKEY_SECRET: TEST_SECRET } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        // Not a log line (a library writing to stdout): ignored.
      }
    }
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });

  function waitFor(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found) finish(() => resolve(found));
        else if (done) finish(() => reject(new Error(`the server exited before the expected log line\n${stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching log line within ${timeoutMs} ms\n${stderr}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  }

  return { child, lines, waitFor, exited };
}

export const startedLine = (line: LogLine) => line.event === 'server.started';

/** GET on a new connection each time (no keep-alive), so that a dead worker's socket is never reused. */
export function getFresh(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** A user and a confidential client in the database at `db`, made before the server starts. */
export async function provision(db: string): Promise<{ clientId: string; auth: string; user: { username: string; password: string } }> {
  const storage = await openStorage(db);
  try {
    const now = Math.floor(Date.now() / 1000);
    const user = { username: 'carol', password: 'carol password 1' };
    await createUser(storage.users, user, now);
    const { record, secret } = buildClient(
      { name: 'Load', redirectUris: [REDIRECT_URI] },
      ['openid', 'profile', 'email', 'offline_access'],
      now,
    );
    await storage.clients.create(record);
    return { clientId: record.clientId, auth: basic(record.clientId, secret ?? ''), user };
  } finally {
    await storage.close();
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `latchkey ARGS` to its end, with `stdin` as its input; LATCHKEY_DB is unset unless `env` sets it. */
export function runCli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      env: { ...process.env, LATCHKEY_DB: '', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
