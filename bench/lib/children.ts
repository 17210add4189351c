// Every process the bench starts is registered here and ended on exit, Ctrl+C or a crash.
import { type ChildProcess, fork, type Serializable, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { processTree } from './proc.ts';

const live = new Set<ChildProcess>();

/** Sends SIGTERM to a child and its descendants, then SIGKILL after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    live.delete(child);
    return;
  }
  const tree = processTree(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const pid of tree) signal(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    for (const pid of tree) signal(pid, 'SIGKILL');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
  // Workers that outlived their primary.
  for (const pid of tree) signal(pid, 'SIGKILL');
  live.delete(child);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function killAllNow(): void {
  for (const child of live) {
    if (child.pid === undefined) continue;
    for (const pid of processTree(child.pid)) signal(pid, 'SIGKILL');
  }
  live.clear();
}

let installed = false;
function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping every child process\n`);
      killAllNow();
      process.exit(130);
    });
  }
}

const TSX = ['--import', 'tsx'];

/** Forks a TypeScript module with an IPC channel. */
export function forkTs(module: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, execArgv: string[] = []): ChildProcess {
  installHandlers();
  const child = fork(module, args, {
    execArgv: [...TSX, ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track(child);
  return child;
}

/** Spawns a command; its stdout and stderr go to `logFd` (a file) so that a chatty server never blocks on a pipe. */
export function spawnLogged(command: string, args: string[], logFd: number, env: NodeJS.ProcessEnv = {}): ChildProcess {
  installHandlers();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', logFd, logFd] });
  track(child);
  return child;
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Waits for the next IPC message that satisfies `accept`, failing on exit or after `timeoutMs`. */
export function nextMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what}: no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const onMessage = (m: Serializable) => {
      if (accept(m)) done(undefined, m);
      else if (isFailure(m)) done(new Error(`${what}: ${m.error}`));
    };
    const onExit = (code: number | null, sig: string | null) => done(new Error(`${what}: the process exited (${sig ?? code})`));
    function done(err?: Error, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function isFailure(m: unknown): m is { type: 'error'; error: string } {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'error';
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, for at most `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess, times = 1): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  // Several workers behind one port: each new connection may reach another one, so wait for a run of answers.
  let inARow = 0;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200 && ++inARow >= times) return;
      if (res.status === 200) continue;
      inARow = 0;
      last = `status ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}
