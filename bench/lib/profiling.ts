// Profiles one measured window of a server: SIGUSR2 to every process of its tree starts the profiler
// that lib/profile-hook.mjs preloaded, the next one stops it; the profiles are filed by scenario.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { processTree } from './proc.ts';

export const PROFILE_HOOK = join(import.meta.dirname, 'profile-hook.mjs');

/** The node arguments and environment that make a server profilable into `dir`. */
export function profiledServer(dir: string): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  mkdirSync(dir, { recursive: true });
  return { execArgv: ['--import', PROFILE_HOOK], env: { LATCHKEY_BENCH_PROFILE_DIR: dir } };
}

const signalAll = (pids: number[]) => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // Gone.
    }
  }
};

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** Starts the profilers of every process under `roots`; resolves once they run. Returns the stopper. */
export async function startWindow(dir: string, roots: number[]): Promise<(scenario: string) => Promise<string[]>> {
  const pids = roots.flatMap((r) => processTree(r));
  for (const name of readdirSync(dir)) if (name.startsWith('started-') || name.startsWith('window-')) rmSync(join(dir, name));
  signalAll(pids);
  await waitFor(() => pids.every((pid) => existsSync(join(dir, `started-${pid}`))), 5000);
  return async (scenario) => {
    signalAll(pids);
    const done = () => readdirSync(dir).filter((n) => n.startsWith('window-') && n.endsWith('.cpuprofile'));
    await waitFor(() => done().length >= pids.length, 15_000);
    for (const pid of pids) rmSync(join(dir, `started-${pid}`), { force: true });
    const into = join(dir, scenario);
    mkdirSync(into, { recursive: true });
    const files: string[] = [];
    for (const name of done()) {
      renameSync(join(dir, name), join(into, name));
      files.push(join(into, name));
    }
    return files;
  };
}
