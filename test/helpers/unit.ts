// Socket-free test dependencies: an in-memory SQLite store, real keys and issuer, a movable clock,
// and a silent logger — what grants and the browser flow take, without a server.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { type Accounts, builtInAccounts } from '../../src/accounts/account.ts';
import { ClientKeys } from '../../src/clients/client-keys.ts';
import { buildClient, type NewClient } from '../../src/clients/register.ts';
import { resolveConfig } from '../../src/config/schema.ts';
import type { GrantDeps } from '../../src/grants/types.ts';
import { openDatabase } from '../../src/storage/open.ts';
import type { Database } from '../../src/storage/schema.ts';
import { sqlStores } from '../../src/storage/sql-stores.ts';
import type { ClientRecord, Storage } from '../../src/storage/types.ts';
import { createIssuer } from '../../src/tokens/issuer.ts';
import { ensureKeys, loadKeyRing } from '../../src/tokens/keys.ts';
import { createSealer } from '../../src/tokens/seal.ts';
import { VerifiedTokens } from '../../src/tokens/verify.ts';

export const ISSUER = 'https://as.example';
export const REDIRECT = 'https://app.example/cb';
export const API = 'https://api.example/';
export const T0 = 1_900_000_000;

export interface UnitDeps extends GrantDeps {
  storage: Storage;
  /** The query builder under `storage`, for tests that set up rows the stores cannot write. */
  db: Kysely<Database>;
  accounts: Accounts;
  /** Moves the clock forward. */
  advance(seconds: number): void;
  addClient(input?: Partial<NewClient>): Promise<{ client: ClientRecord; secret: string | null }>;
  close(): Promise<void>;
}

export async function unitDeps(config: Parameters<typeof resolveConfig>[0] = {}): Promise<UnitDeps> {
  const resolved = resolveConfig({ issuer: ISSUER, db: 'sqlite::memory:', scopes: ['api:read', 'api:write'], ...config });
  const { db } = await openDatabase('sqlite::memory:');
  const storage = sqlStores(db, 'sqlite');
  let now = T0;
  const clock = () => now;
  const sealer = createSealer(randomBytes(32).toString('base64url'));
  await ensureKeys(storage.keys, [resolved.accessTokenAlg, resolved.idTokenAlg], now - 10, sealer);
  const keys = await loadKeyRing(storage.keys, clock, { sealer });
  let n = 0;
  return {
    config: resolved,
    storage,
    db,
    accounts: builtInAccounts(storage.users),
    issuer: createIssuer(resolved, keys, clock),
    keys,
    verifiedTokens: new VerifiedTokens(),
    clientKeys: new ClientKeys({ nowMs: () => now * 1000 }),
    clock,
    log: pino({ level: 'silent' }),
    advance(seconds) {
      now += seconds;
    },
    async addClient(input = {}) {
      n += 1;
      const { record, secret } = buildClient(
        { name: `client ${n}`, clientId: `client-${n}`, redirectUris: [REDIRECT], resources: [API], ...input },
        resolved.supportedScopes,
        now,
      );
      await storage.clients.create(record);
      return { client: record, secret };
    },
    close: () => storage.close(),
  };
}
