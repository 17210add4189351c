// The demo set-up of `npm start`: one user and one client, created on first start and reused after.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createUser } from '../accounts/users.ts';
import { buildClient } from '../clients/register.ts';
import { s256 } from '../grants/pkce.ts';
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

export async function ensureDemo(
  storage: Storage,
  db: string,
  scopes: readonly string[],
  now: number,
  redirectUri = DEMO_REDIRECT_URI,
): Promise<DemoCredentials> {
  const file = demoFile(db);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    const client = await storage.clients.get(saved.client_id);
    if (client?.redirectUris.includes(redirectUri) && (await storage.users.getByUsername(saved.username))) return saved;
  }
  const password = randomToken(9);
  const username = (await storage.users.getByUsername('demo')) ? `demo-${randomToken(3)}` : 'demo';
  await createUser(storage.users, { username, password, email: `${username}@example.com`, name: 'Demo User' }, now);
  const scope = ['openid', 'profile', 'email', 'offline_access', ...scopes.filter((s) => s.startsWith('api:'))].join(' ');
  const postLogout = `${new URL(redirectUri).origin}/`;
  const { record, secret } = buildClient(
    { name: 'Latchkey Demo App', redirectUris: [redirectUri], postLogoutRedirectUris: [postLogout], scope },
    scopes,
    now,
  );
  await storage.clients.create(record);
  const creds: DemoCredentials = {
    username,
    password,
    client_id: record.clientId,
    client_secret: secret ?? '',
    redirect_uri: redirectUri,
  };
  writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return creds;
}

/** What `npm start` and `latchkey serve --demo` print: credentials, an authorization URL, the exchange. */
export function demoInstructions(issuer: string, demo: DemoCredentials, codeTtl: number): string {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: demo.client_id,
    redirect_uri: demo.redirect_uri,
    scope: 'openid profile email offline_access',
    state: randomBytes(8).toString('base64url'),
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  return `  Demo user:      ${demo.username} / ${demo.password}
  Demo client:    client_id ${demo.client_id}
                  client_secret ${demo.client_secret}
                  redirect_uri ${demo.redirect_uri}

To run the flow by hand, open this URL, sign in and allow; the browser lands on the redirect URI with ?code=…
  ${authorize.href}

then exchange the code (within ${codeTtl} s):
  curl -s -u '${demo.client_id}:${demo.client_secret}' ${issuer}/token \\
    -d grant_type=authorization_code -d redirect_uri=${demo.redirect_uri} \\
    -d code_verifier=${verifier} -d code=PASTE_CODE_HERE
`;
}
