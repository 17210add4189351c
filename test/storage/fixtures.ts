// Records for the storage contract suite: valid defaults, unique keys, overridable fields.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import type {
  AuthorizationParams,
  ClientRecord,
  CodeRecord,
  GrantRecord,
  InteractionRecord,
  RefreshTokenRecord,
  Storage,
  UserRecord,
} from '../../src/storage/types.ts';

export const NOW = 1_700_000_000;

/** What each part of the suite works on; filled in by the suite's `before`. */
export interface Ctx {
  storage: Storage;
  /** A fresh, migrated database with its own stores and query builder (closed by the caller). */
  fresh(): Promise<{ storage: Storage; db: Kysely<Database> }>;
  /** A fresh database with no schema at all (closed by the suite). */
  unmigrated(): Promise<Kysely<Database>>;
}

let seq = 0;
export const unique = (prefix: string) => `${prefix}-${++seq}`;

export function grant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: unique('grant'),
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid offline_access',
    authTime: NOW - 5,
    createdAt: NOW,
    expiresAt: NOW + 86_400,
    revokedAt: null,
    resources: [],
    ...overrides,
  };
}

export function code(grantId: string, overrides: Partial<CodeRecord> = {}): CodeRecord {
  return {
    codeHash: unique('code-hash'),
    grantId,
    clientId: 'client-1',
    userId: 'user-1',
    redirectUri: 'https://app.example.com/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: 'openid offline_access',
    nonce: 'n-0S6_WzA2Mj',
    authTime: NOW - 5,
    expiresAt: NOW + 60,
    consumedAt: null,
    ...overrides,
  };
}

export function refresh(grantId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    tokenHash: unique('rt-hash'),
    grantId,
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid offline_access',
    authTime: NOW - 5,
    createdAt: NOW,
    expiresAt: NOW + 3600,
    consumedAt: null,
    replacedBy: null,
    successor: null,
    dpopJkt: null,
    ...overrides,
  };
}

const params: AuthorizationParams = {
  clientId: 'client-1',
  redirectUri: 'https://app.example.com/cb',
  redirectUriGiven: true,
  scope: 'openid profile',
  state: 'xyz',
  nonce: null,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  prompt: ['consent'],
  maxAge: 300,
  resources: [],
};

export function interaction(overrides: Partial<InteractionRecord> = {}): InteractionRecord {
  return {
    id: unique('interaction'),
    params,
    browserHash: 'browser-hash',
    userId: null,
    authTime: null,
    expiresAt: NOW + 900,
    consented: false,
    ...overrides,
  };
}

export function user(overrides: Partial<UserRecord> = {}): UserRecord {
  const id = unique('user');
  return {
    id,
    username: id,
    passwordHash: '$argon2id$x',
    email: null,
    emailVerified: false,
    name: null,
    createdAt: NOW,
    disabledAt: null,
    roles: [],
    groups: [],
    ...overrides,
  };
}

export function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: unique('client'),
    secretHash: null,
    name: 'App',
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code'],
    tokenEndpointAuthMethod: 'none',
    scope: 'openid',
    createdAt: NOW,
    postLogoutRedirectUris: [],
    resources: [],
    refreshTokenTtl: null,
    refreshTokenIdleTtl: null,
    disabledAt: null,
    jwks: null,
    jwksUri: null,
    requirePushedAuthorizationRequests: false,
    dpopBoundAccessTokens: false,
    ...overrides,
  };
}
