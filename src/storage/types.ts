// DESIGN rule 5 and 6: the small store interfaces every engine implements. Times are epoch seconds.

/**
 * The grants a client may use (RFC 6749 §4.1, §6, §4.4).
 *
 * @example
 * ```ts
 * import type { GrantType } from 'latchkey';
 *
 * const grantTypes: GrantType[] = ['authorization_code', 'refresh_token'];
 * ```
 */
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
/**
 * How a client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`).
 *
 * @example
 * ```ts
 * import type { ClientAuthMethod } from 'latchkey';
 *
 * const method: ClientAuthMethod = 'client_secret_basic';
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** RFC 7591 §2 client metadata, as Latchkey keeps it. */
export interface ClientRecord {
  clientId: string;
  /** SHA-256 (base64url) of the client secret; null for a public client. */
  secretHash: string | null;
  name: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: ClientAuthMethod;
  /** Space-separated scopes the client may request; also the default when a request names none. */
  scope: string;
  createdAt: number;
  /** OIDC RP-Initiated Logout §3.1: where the client may be sent after sign-out (exact match). */
  postLogoutRedirectUris: string[];
  /** RFC 8707: the resources (audiences) the client may ask tokens for, besides the default audience. */
  resources: string[];
  /** Absolute refresh token lifetime in seconds; the server default when null. */
  refreshTokenTtl: number | null;
  /** Idle refresh token lifetime (unused for this long, it expires); the server default when null. */
  refreshTokenIdleTtl: number | null;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  createdAt: number;
}

/** The aggregate that ties a code, its refresh tokens and access tokens together. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string | null;
  scope: string;
  authTime: number | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** RFC 8707: the resources the grant covers; empty for the default audience. */
  resources: string[];
}

export interface CodeRecord {
  codeHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  authTime: number;
  expiresAt: number;
  consumedAt: number | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  scope: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  /** Set at rotation: the hash of the refresh token that replaced this one. */
  replacedBy: string | null;
  /** Set at rotation: the successor's token response, sealed with this token (src/tokens/successor.ts). */
  successor: string | null;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
}

/** The parameters of a validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
export interface AuthorizationParams {
  clientId: string;
  /** Where the response goes: the redirect_uri sent, or the only one registered. */
  redirectUri: string;
  /** Whether redirect_uri was in the request (RFC 6749 §4.1.3 then requires it at the token endpoint). */
  redirectUriGiven: boolean;
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string;
  prompt: ('login' | 'consent' | 'none')[];
  maxAge: number | null;
  /** RFC 8707 resource indicators sent with the request. */
  resources: string[];
}

/** The only bridge between the pages and the protocol: one pending authorization request. */
export interface InteractionRecord {
  id: string;
  params: AuthorizationParams;
  /** SHA-256 of the browser's CSRF cookie when the request began: the interaction belongs to that browser. */
  browserHash: string;
  userId: string | null;
  authTime: number | null;
  expiresAt: number;
}

export interface KeyRecord {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  /** Signs from this time on (published before). */
  activatesAt: number;
  /** Stops signing at this time; stays published until `expiresAt`. */
  retiresAt: number | null;
  expiresAt: number | null;
}

export interface ClientStore {
  get(clientId: string): Promise<ClientRecord | undefined>;
  create(client: ClientRecord): Promise<void>;
  list(): Promise<ClientRecord[]>;
}

export interface UserStore {
  getById(id: string): Promise<UserRecord | undefined>;
  getByUsername(username: string): Promise<UserRecord | undefined>;
  create(user: UserRecord): Promise<void>;
  list(): Promise<UserRecord[]>;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(idHash: string, now: number): Promise<SessionRecord | undefined>;
  delete(idHash: string): Promise<void>;
}

export interface InteractionStore {
  create(interaction: InteractionRecord): Promise<void>;
  get(id: string, now: number): Promise<InteractionRecord | undefined>;
  setUser(id: string, userId: string, authTime: number): Promise<void>;
  /** Deletes and reports whether it still existed: a finished interaction completes once. */
  consume(id: string): Promise<boolean>;
}

export interface ConsentStore {
  /** The scopes the user has granted the client so far. */
  get(userId: string, clientId: string): Promise<string[]>;
  remember(userId: string, clientId: string, scopes: string[], now: number): Promise<void>;
}

export interface GrantStore {
  get(id: string): Promise<GrantRecord | undefined>;
  revoke(id: string, now: number): Promise<void>;
}

/** RFC 7009: access tokens revoked one by one (JWTs cannot be recalled), kept until they expire. */
export interface RevokedTokenStore {
  add(jti: string, expiresAt: number): Promise<void>;
  has(jti: string): Promise<boolean>;
  /**
   * In one query: true unless the token's grant (when it has one) is live and the token itself was
   * not revoked. A grant that no longer exists counts as revoked.
   */
  isRevoked(jti: string, grantId: string | null): Promise<boolean>;
}

export interface CodeStore {
  /** Creates the grant and its code in one transaction. */
  createWithGrant(grant: GrantRecord, code: CodeRecord): Promise<void>;
  /**
   * Marks the code consumed in one atomic statement (DESIGN rule 5). Returns the code when this call
   * consumed it, `reused` with the record when it had been consumed before, or undefined when unknown.
   */
  consume(codeHash: string, now: number): Promise<{ code: CodeRecord; reused: boolean } | undefined>;
}

export interface RefreshTokenStore {
  create(token: RefreshTokenRecord): Promise<void>;
  find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Consumes `tokenHash` and stores `next` in one transaction (DESIGN rule 5). Returns false, storing
   * nothing, when the token had already been consumed.
   */
  rotate(tokenHash: string, next: RefreshTokenRecord, now: number, successor: string | null): Promise<boolean>;
}

export interface KeyStore {
  list(): Promise<KeyRecord[]>;
  create(key: KeyRecord): Promise<void>;
  retire(kid: string, retiresAt: number, expiresAt: number): Promise<void>;
}

/** A brute-force counter (accounts/brute-force.ts); keys are hashes, never a username or address. */
export interface ThrottleRecord {
  key: string;
  failures: number;
  lastFailureAt: number;
  expiresAt: number;
}

/** Brute-force counters shared by every instance, so that limits hold behind a load balancer. */
export interface ThrottleStore {
  /** The live counters among `keys`. */
  get(keys: string[], now: number): Promise<ThrottleRecord[]>;
  /** Counts one failure atomically; a counter idle for `keepSeconds` starts again at 1. */
  fail(key: string, now: number, keepSeconds: number): Promise<ThrottleRecord>;
  /** Keeps a mark (failures 0) for `keepSeconds`: a browser that has signed in to an account. */
  remember(key: string, now: number, keepSeconds: number): Promise<void>;
  clear(key: string): Promise<void>;
}

/**
 * Every store of one engine, plus its lifecycle. Published with `engine`, `cleanup` and `close` only:
 * the stores are internal.
 *
 * @example
 * ```ts
 * import { openStorage, type Storage } from 'latchkey';
 *
 * const storage: Storage = await openStorage('sqlite:./data/latchkey.db');
 * await storage.cleanup(Math.floor(Date.now() / 1000));
 * await storage.close();
 * ```
 */
export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  /** @internal */
  clients: ClientStore;
  /** @internal */
  users: UserStore;
  /** @internal */
  sessions: SessionStore;
  /** @internal */
  interactions: InteractionStore;
  /** @internal */
  consents: ConsentStore;
  /** @internal */
  grants: GrantStore;
  /** @internal */
  revokedTokens: RevokedTokenStore;
  /** @internal */
  codes: CodeStore;
  /** @internal */
  refreshTokens: RefreshTokenStore;
  /** @internal */
  keys: KeyStore;
  /** @internal */
  throttle: ThrottleStore;
  /** Deletes expired rows in bounded batches; returns how many were deleted. */
  cleanup(now: number): Promise<number>;
  close(): Promise<void>;
}
