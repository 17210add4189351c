// The demo set-up of `npm start`: one user and one client, created on first start and reused after.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createUser } from '../accounts/users.ts';
import { buildClient } from '../clients/register.ts';
import type { Storage } from '../storage/types.ts';
import { randomToken } from '../tokens/opaque.ts';

export interface DemoCredentials {
  username: string;
  password: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

export const DEMO_REDIRECT_URI = 'http://localhost:9001/callback';

/** Where the demo credentials are kept: beside the SQLite file, readable by the owner only. */
export function demoFile(db: string): string {
  const path = db.startsWith('sqlite:') ? db.slice('sqlite:'.length) : './data/latchkey.db';
  return join(dirname(path === ':memory:' || path === '' ? './data/x' : path), 'demo-credentials.json');
}

export async function ensureDemo(storage: Storage, db: string, scopes: readonly string[], now: number): Promise<DemoCredentials> {
  const file = demoFile(db);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    if ((await storage.clients.get(saved.client_id)) && (await storage.users.getByUsername(saved.username))) return saved;
  }
  const password = randomToken(9);
  const username = (await storage.users.getByUsername('demo')) ? `demo-${randomToken(3)}` : 'demo';
  await createUser(storage.users, { username, password, email: `${username}@example.com`, name: 'Demo User' }, now);
  const scope = ['openid', 'profile', 'email', 'offline_access', ...scopes.filter((s) => s.startsWith('api:'))].join(' ');
  const { record, secret } = buildClient({ name: 'Latchkey Demo App', redirectUris: [DEMO_REDIRECT_URI], scope }, scopes, now);
  await storage.clients.create(record);
  const creds: DemoCredentials = {
    username,
    password,
    client_id: record.clientId,
    client_secret: secret ?? '',
    redirect_uri: DEMO_REDIRECT_URI,
  };
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return creds;
}
