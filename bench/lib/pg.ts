// A throwaway PostgreSQL cluster through the project's scripts/pgtmp.sh, one database per system.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './children.ts';

const run = promisify(execFile);
export const PGTMP = join(import.meta.dirname, '..', '..', 'scripts', 'pgtmp.sh');

export interface PgCluster {
  /** A new empty database on the cluster. */
  database(name: string): Promise<string>;
  /** The postmaster, whose process tree does the database's share of the work. */
  postmasterPid(): number | undefined;
  stop(): void;
}

let cluster: Promise<PgCluster> | undefined;

/** Starts the cluster once per bench run; it is stopped and deleted on exit. */
export function pgCluster(): Promise<PgCluster> {
  cluster ??= startCluster();
  return cluster;
}

async function startCluster(): Promise<PgCluster> {
  if (!existsSync(PGTMP)) throw new Error('scripts/pgtmp.sh does not exist');
  const port = await freePort();
  // pgtmp.sh creates the directory and hands it to an unprivileged user when run as root: its parent must stay traversable.
  const root = join(tmpdir(), `latchkey-bench-pg-${process.pid}-${port}`);
  const env = { ...process.env, PGTMP_PORT: String(port), PGTMP_ROOT: root };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync('bash', [PGTMP, 'stop'], { env, stdio: 'ignore', timeout: 30_000 });
    } catch {
      // Best effort on the way out.
    }
  };
  process.on('exit', stop);
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [PGTMP, 'start'], { env, timeout: 120_000 }));
  } catch (e) {
    stop();
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`pgtmp.sh start failed: ${stderr.split('\n').pop() ?? (e as Error).message}`);
  }
  const admin = /DATABASE_URL=(\S+)/.exec(stdout)?.[1];
  if (!admin) {
    stop();
    throw new Error(`pgtmp.sh start printed no DATABASE_URL: ${stdout}`);
  }
  return {
    async database(name) {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const url = new URL(admin);
      url.pathname = `/${name}`;
      return url.href;
    },
    postmasterPid() {
      try {
        const pid = Number(readFileSync(join(root, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    },
    stop,
  };
}
