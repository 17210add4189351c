// Starts a real Latchkey on 127.0.0.1 port 0 over a throwaway SQLite file (or a given database), with a clock tests can move.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createUser } from '../../src/accounts/users.ts';
import { buildClient, type NewClient } from '../../src/clients/register.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer, ServerOptions } from '../../src/server-types.ts';
import { openStorage } from '../../src/storage/open.ts';
import type { ClientRecord, Storage, UserRecord } from '../../src/storage/types.ts';

export interface TestServer {
  url: string;
  server: RunningServer;
  storage: Storage;
  /** Log lines written during the test, parsed. */
  logs: Record<string, unknown>[];
  /** Moves the server's clock forward. */
  advance(seconds: number): void;
  /**
   * Stops the server's clock at the current second (until `unfreeze`), so that a test counting
   * seconds (waits, Retry-After) cannot see a second boundary pass by itself on a slow machine.
   * `at` stops it so that it reads `at` (to give several servers one clock).
   */
  freeze(at?: number): void;
  unfreeze(): void;
  addUser(username?: string, password?: string, extra?: { email?: string; name?: string }): Promise<UserRecord & { password: string }>;
  addClient(
    input?: Partial<NewClient> & { grantTypes?: ClientRecord['grantTypes'] },
  ): Promise<{ client: ClientRecord; secret: string | null }>;
  close(): Promise<void>;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** The key-encryption secret of test servers (a test that needs none passes `secret: undefined`). */
export const TEST_SECRET = 'the key-encryption secret of the tests, 32+ chars';

/**
 * `config.db` (any engine) makes the server use that database, shared with whoever else uses it
 * (other instances); otherwise the server gets a throwaway SQLite file.
 */
export async function startTestServer(
  config: ConfigInput = {},
  options: Pick<ServerOptions, 'keyReloadMs' | 'views' | 'claims' | 'accounts'> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const db = config.db ?? `sqlite:${join(dir, 'latchkey.db')}`;
  const storage = await openStorage(db);
  let offset = 0;
  let frozenAt: number | undefined;
  const clock = () => (frozenAt ?? Math.floor(Date.now() / 1000)) + offset;
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const server = await startServer(
    { host: '127.0.0.1', port: 0, db, logLevel: 'debug', secret: TEST_SECRET, ...config },
    { storage, clock, logger: createLogger('debug', sink), ...options },
  );
  let users = 0;
  const known: string[] = [];
  return {
    url: server.url,
    server,
    storage,
    logs,
    advance(seconds) {
      offset += seconds;
    },
    freeze(at) {
      frozenAt = at === undefined ? Math.floor(Date.now() / 1000) : at - offset;
    },
    unfreeze() {
      frozenAt = undefined;
    },
    async addUser(username = `user${++users}`, password = 'correct horse battery', extra = {}) {
      const user = await createUser(storage.users, { username, password, ...extra }, clock());
      known.push(password);
      return { ...user, password };
    },
    async addClient(input = {}) {
      const { record, secret } = buildClient(
        { name: 'Test App', redirectUris: [REDIRECT_URI], ...input },
        server.deps.config.supportedScopes,
        clock(),
      );
      if (input.grantTypes) record.grantTypes = input.grantTypes;
      await storage.clients.create(record);
      if (secret) known.push(secret);
      return { client: record, secret };
    },
    async close() {
      await server.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
      assertNoSecretsLogged(logs, known);
    },
  };
}

/**
 * Every test server checks, when it closes, every line it logged: no password or client secret it
 * created, no JWT and no Basic credentials (codes and tokens are checked where tests know them).
 */
export function assertNoSecretsLogged(logs: Record<string, unknown>[], known: string[]): void {
  for (const line of logs) {
    const text = JSON.stringify(line);
    const leak =
      known.find((s) => s.length >= 8 && text.includes(s)) ??
      /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/.exec(text)?.[0] ??
      /Basic [A-Za-z0-9+/]{8,}/.exec(text)?.[0];
    if (leak) throw new Error(`a secret was logged: ${text.slice(0, 300)}`);
  }
}
