// Latchkey as users run it: `latchkey serve` from bin/, over SQLite or PostgreSQL, one process or several.
import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashPassword } from '../../src/accounts/passwords.ts';
import { buildClient } from '../../src/clients/register.ts';
import { type ConfigInput, resolveConfig } from '../../src/config/schema.ts';
import { openStorage } from '../../src/storage/open.ts';
import { Browser, newAgent } from '../lib/browser.ts';
import { freePort, spawnLogged, stop, waitForHttp } from '../lib/children.ts';
import { codeFlow } from '../lib/flow.ts';
import { pgCluster } from '../lib/pg.ts';
import { profiledServer } from '../lib/profiling.ts';
import { discover } from './discovery.ts';
import {
  benchTarget,
  CLIENT_ID,
  CLIENT_SECRET,
  REDIRECT_URI,
  SCOPE,
  type ScenarioId,
  type StartOptions,
  type Sut,
  type SystemSpec,
} from './types.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'latchkey.mjs');
const run = promisify(execFile);

export interface LatchkeyVariant {
  engine: 'sqlite' | 'postgres';
  workers: number;
  /** Separate `latchkey serve` processes on their own ports over one database (PostgreSQL only). */
  instances?: number;
}

let serveHelp: Promise<string> | undefined;
const helpOfServe = () => {
  serveHelp ??= run(process.execPath, [BIN, 'serve', '--help'], { timeout: 30_000 }).then((r) => r.stdout);
  return serveHelp;
};

export function latchkeySystem(v: LatchkeyVariant): SystemSpec {
  const engineLabel = v.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const instances = v.instances ?? 1;
  return {
    id: systemId(v),
    label:
      instances > 1
        ? `Latchkey, ${engineLabel}, ${instances} instances on ${instances} ports`
        : `Latchkey, ${engineLabel}${v.workers > 1 ? `, --workers ${v.workers}` : ', 1 process'}`,
    kind: 'latchkey',
    async unavailable() {
      if (v.workers > 1 && !(await helpOfServe()).includes('--workers')) return '`latchkey serve --workers` does not exist yet';
      if (v.engine === 'postgres') {
        const source = readFileSync(join(ROOT, 'src', 'storage', 'open.ts'), 'utf8');
        if (source.includes('not available yet')) return 'the PostgreSQL engine does not exist yet (src/storage/open.ts)';
        try {
          await pgCluster();
        } catch (e) {
          return `no throwaway PostgreSQL: ${(e as Error).message}`;
        }
      }
      return undefined;
    },
    start: (options) => startLatchkey(v, options),
  };
}

const systemId = (v: LatchkeyVariant) =>
  (v.instances ?? 1) > 1 ? `latchkey-${v.engine}-${v.instances}-instances` : `latchkey-${v.engine}-${v.workers}`;

let databases = 0;

async function startLatchkey(v: LatchkeyVariant, options: StartOptions): Promise<Sut> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const ports = await Promise.all(Array.from({ length: v.instances ?? 1 }, () => freePort()));
  const port = ports[0] as number;
  const issuer = `http://127.0.0.1:${port}`;
  const cluster = v.engine === 'postgres' ? await pgCluster() : undefined;
  const db = cluster ? await cluster.database(`bench_${process.pid}_${++databases}`) : `sqlite:${join(dir, 'latchkey.db')}`;
  const postmaster = cluster?.postmasterPid();
  // OIDC Core §12.2: the refresh answer carries an ID token, as oidc-provider's does (the same work on both).
  const config: ConfigInput = {
    host: '127.0.0.1',
    port,
    issuer,
    db,
    scopes: ['api'],
    refreshIdToken: true,
    // Every simulated browser comes from 127.0.0.1, as behind a proxy that the server is not told of:
    // the per-address bound on new sign-in pages would refuse a first-sign-in load from one address.
    limits: { interactionsPerMinute: 1_000_000 },
  };
  // PostgreSQL needs the key-encryption secret in the configuration; every instance shares it.
  if (cluster) config.secret = randomBytes(32).toString('base64url');
  await seed(db, config, options);
  await options.prefill?.(db);

  const log = join(dir, 'server.log');
  const profileDir = options.profileDir ? join(options.profileDir, systemId(v)) : undefined;
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    await Promise.all(children.map((c) => stop(c, 5000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, instancePort] of ports.entries()) {
      // Every instance has the same issuer, as behind a load balancer; only the port differs.
      const configFile = join(dir, `config-${i}.json`);
      writeFileSync(configFile, JSON.stringify({ ...config, port: instancePort }));
      const profile = profileDir ? profiledServer(profileDir) : undefined;
      const args = [
        ...(profile?.execArgv ?? []),
        BIN,
        'serve',
        '--config',
        configFile,
        ...(v.workers > 1 ? ['--workers', String(v.workers)] : []),
      ];
      const child = spawnLogged(process.execPath, args, openSync(log, 'a'), profile?.env);
      children.push(child);
      // One at a time: the first one migrates the database and creates the signing keys.
      await waitForHttp(`http://127.0.0.1:${instancePort}/.well-known/openid-configuration`, 60_000, child, v.workers > 1 ? 10 : 1);
    }
    const meta = await discover(issuer);
    const target = benchTarget(issuer, {
      authorizationEndpoint: meta.authorization_endpoint,
      tokenEndpoint: meta.token_endpoint,
      introspectionEndpoint: meta.introspection_endpoint,
    });
    const missing: Partial<Record<ScenarioId, string>> = {};
    if (!meta.grant_types_supported?.includes('client_credentials')) missing.client_credentials = 'not implemented yet';
    if (!meta.introspection_endpoint) missing.introspection = 'not implemented yet';
    const [first, ...others] = children;
    const sut: Sut = {
      pid: first?.pid as number,
      target,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      jwksUrl: meta.jwks_uri,
      missing,
      ...(profileDir ? { profileDir } : {}),
      ...(postmaster === undefined ? {} : { databasePids: () => [postmaster] }),
      ...(others.length === 0
        ? {}
        : { extraPids: () => others.map((c) => c.pid as number), origins: ports.map((p) => `http://127.0.0.1:${p}`) }),
      async stop() {
        await cleanup();
      },
    };
    if (meta.introspection_endpoint) {
      sut.introspection = {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        // The access token of a person's code flow: a JWT that introspection verifies and checks for revocation.
        token: async () => {
          const agent = newAgent(2);
          const browser = new Browser(agent, { requests: 0, errors: 0, lastError: '' });
          const tokens = await codeFlow(browser, agent, target, {
            username: `${options.userPrefix}${options.users - 1}`,
            password: options.password,
          });
          agent.destroy();
          return tokens.access_token;
        },
      };
    }
    return sut;
  } catch (e) {
    const tail = readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
    await cleanup();
    throw new Error(`${(e as Error).message}\n${tail}`);
  }
}

/** The client and the users, written with the server's own code before it starts. */
async function seed(db: string, config: ConfigInput, options: StartOptions): Promise<void> {
  const storage = await openStorage(db);
  try {
    const now = Math.floor(Date.now() / 1000);
    const { record } = buildClient(
      {
        name: 'Bench client',
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [REDIRECT_URI],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        scope: SCOPE,
      },
      resolveConfig(config).supportedScopes,
      now,
    );
    await storage.clients.create(record);
    // One argon2id hash for every user: hashing thousands would take minutes and measure nothing.
    const passwordHash = await hashPassword(options.password);
    for (let i = 0; i < options.users; i++) {
      await storage.users.create({
        id: `bench-user-${i}`,
        username: `${options.userPrefix}${i}`,
        passwordHash,
        email: null,
        roles: [],
        groups: [],
        disabledAt: null,
        emailVerified: false,
        name: null,
        createdAt: now,
      });
    }
  } finally {
    await storage.close();
  }
}
