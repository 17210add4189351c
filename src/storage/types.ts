// ARCHITECTURE.md rules 5 and 6: the small store interfaces every engine implements. Times are epoch seconds.
import type { FactorStore } from './factor-types.ts';

export type { FactorStore, PasskeyRecord, TotpRecord } from './factor-types.ts';

/**
 * The grants a client may use (RFC 6749 §4.1, §6, §4.4; RFC 8628 §3.4 the device code; RFC 8693 token exchange).
 *
 * @example
 * ```ts
 * import type { GrantType } from 'latchkey';
 *
 * const grantTypes: GrantType[] = ['authorization_code', 'refresh_token'];
 * ```
 */
export type GrantType =
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'urn:ietf:params:oauth:grant-type:device_code'
  | 'urn:ietf:params:oauth:grant-type:token-exchange';
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
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/**
 * A JSON Web Key Set (RFC 7517 §5) of public keys, as a `private_key_jwt` client registers it.
 *
 * @example
 * ```ts
 * import type { ClientJwks } from 'latchkey';
 *
 * const jwks: ClientJwks = { keys: [{ kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: 'k1', alg: 'ES256' }] };
 * ```
 */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}

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
  /** When the client was disabled; null while it is enabled. A disabled client is refused everywhere. */
  disabledAt: number | null;
  /** RFC 7591 §2 `jwks`: the public keys of a `private_key_jwt` client (absent or null: none). */
  jwks?: ClientJwks | null;
  /** RFC 7591 §2 `jwks_uri`: where the public keys of a `private_key_jwt` client are published. */
  jwksUri?: string | null;
  /** RFC 9126 §6: this client must push its authorization requests. */
  requirePushedAuthorizationRequests?: boolean;
  /** RFC 9449 §5.2: this client's access tokens are always DPoP-bound (a request without a proof is refused). */
  dpopBoundAccessTokens?: boolean;
  /** Every sign-in for this client needs a second factor (`latchkey clients update --require-mfa`). */
  requireMfa?: boolean;
  /** OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed (absent or null: none). */
  backchannelLogoutUri?: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.2: the client needs `sid` in its logout tokens. */
  backchannelLogoutSessionRequired?: boolean;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  createdAt: number;
  /** When the account was disabled; null while it is enabled. A disabled account cannot sign in. */
  disabledAt: number | null;
  /** Roles given by the operator, emitted as a claim when configured (`claims.roles`). */
  roles: string[];
  /** Groups given by the operator, emitted as a claim when configured (`claims.groups`). */
  groups: string[];
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
  /** OIDC Back-Channel Logout 1.0 §2.4: the `sid` of the login session the grant was issued in. */
  sid?: string | null;
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
  /** RFC 8176: how the user authenticated, for the ID token's `amr`. */
  amr?: string[];
  /** The `acr` the ID token carries (only when the request asked with acr_values), else null. */
  acr?: string | null;
  /** RFC 9449 §10: the JWK thumbprint of the `dpop_jkt` request parameter; the code exchange must prove it. */
  dpopJkt?: string | null;
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
  /** RFC 9449 §5: the JWK SHA-256 thumbprint a public client's refresh token is bound to. */
  dpopJkt?: string | null;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
  /** RFC 8176 amr values of the authentication behind the session (stored as `pwd` when absent). */
  amr?: string[];
  /**
   * OIDC Back-Channel Logout 1.0 §2.4 / Front-Channel Logout §3 `sid`: a random, non-secret id of the
   * session (never the cookie or its hash); null for sessions begun before it existed.
   */
  sid?: string | null;
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
  /** OIDC Core §3.1.2.1 `login_hint`: the username the login page starts with (absent when not sent). */
  loginHint?: string;
  /** OIDC Core §3.1.2.1 `ui_locales`: the languages asked for the pages, in order (absent when not sent). */
  uiLocales?: string[];
  /** RFC 8628: set when the request comes from the device page; the outcome goes to this device code. */
  deviceCodeHash?: string;
  /** OIDC Core §3.1.2.1 acr_values, in order of preference (absent in requests stored before). */
  acrValues?: string[];
  /** RFC 9449 §10 `dpop_jkt`: the thumbprint of the key the code will be bound to (absent when not sent). */
  dpopJkt?: string;
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
  /** The consent step was passed in this interaction (its recorded outcome). */
  consented: boolean;
  /** RFC 8176 amr values of the authentication recorded within this interaction, if any. */
  amr?: string[] | null;
}

export interface KeyRecord {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  /** The private JWK sealed under the key-encryption secret (tokens/seal.ts); clear only in databases older than that. */
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  /** Signs from this time on (published before). */
  activatesAt: number;
  /** Stops signing at this time; stays published until `expiresAt`. */
  retiresAt: number | null;
  expiresAt: number | null;
  /**
   * The kid of the newest key of this alg when this one was made ('' for the first): at most one key
   * replaces a given key, so that concurrent rotations add one key, not two.
   */
  replaces: string | null;
}

/** A client registered dynamically (RFC 7591 §3): what its configuration endpoint (RFC 7592) needs. */
export interface RegistrationRecord {
  clientId: string;
  /** SHA-256 of the registration access token (RFC 7592 §3). */
  tokenHash: string;
  createdAt: number;
  /** Removed by cleanup if still unused at this time; null once the client was used. */
  unusedUntil: number | null;
}

export interface RegistrationStore {
  /** Creates the client and its registration in one transaction. */
  create(client: ClientRecord, registration: RegistrationRecord): Promise<void>;
  get(clientId: string): Promise<RegistrationRecord | undefined>;
  /** Forgets the registration (the client itself is deleted by clients/lifecycle.ts `deleteClient`). */
  delete(clientId: string): Promise<void>;
  /**
   * Marks as used the registrations whose client has a grant, then deletes the clients still unused
   * after their time; returns how many were deleted.
   */
  removeUnused(now: number): Promise<number>;
}

/** One page of a listing ordered by a key: the rows after `after` (exclusive), at most `limit`. */
export interface PageQuery {
  after?: string | undefined;
  limit: number;
}

export interface ClientStore {
  get(clientId: string): Promise<ClientRecord | undefined>;
  create(client: ClientRecord): Promise<void>;
  list(): Promise<ClientRecord[]>;
  /** Clients ordered by client_id. */
  page(query: PageQuery): Promise<ClientRecord[]>;
  /** Replaces the stored record of `client.clientId` (all fields but `createdAt`); false when there is none. */
  update(client: ClientRecord): Promise<boolean>;
  /** Deletes the client and the consents given to it; false when there was none. Its grants stay, revoked by the caller. */
  delete(clientId: string): Promise<boolean>;
}

export interface UserStore {
  getById(id: string): Promise<UserRecord | undefined>;
  /** Finds the user whose username equals this one once both are normalized (accounts/username.ts). */
  getByUsername(username: string): Promise<UserRecord | undefined>;
  /** Fails when another user has the same normalized username. */
  create(user: UserRecord): Promise<void>;
  list(): Promise<UserRecord[]>;
  /** Users ordered by id; `search` matches part of the username or the email address, ignoring case. */
  page(query: PageQuery & { search?: string | undefined }): Promise<UserRecord[]>;
  /** Replaces the stored record of `user.id` (all fields but `createdAt`); false when there is none. */
  update(user: UserRecord): Promise<boolean>;
  /** Deletes the user and the consents they gave; false when there was none. Its grants stay, revoked by the caller. */
  delete(id: string): Promise<boolean>;
}

/**
 * Whose access `Storage.revokeAccess` ends: one person's (with their sessions), one client's, what one
 * person gave one client, or one grant.
 */
export type AccessOwner = { userId: string } | { clientId: string } | { userId: string; clientId: string } | { grantId: string };

/**
 * Ending a session (`delete`, `deleteOthers`, and `Storage.revokeAccess` of a person) also queues, in
 * the same transaction, a back-channel logout job for each client with a `backchannel_logout_uri`
 * that got a grant in that session (OIDC Back-Channel Logout 1.0 §2.3, §2.5).
 */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(idHash: string, now: number): Promise<SessionRecord | undefined>;
  delete(idHash: string): Promise<void>;
  /** The live sessions of a user, newest sign-in first. */
  listForUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Ends every session of the user but `keepIdHash`; returns how many it ended. */
  deleteOthers(userId: string, keepIdHash: string): Promise<number>;
  /** Records a stronger authentication on a live session (a second factor after the first). */
  upgrade(idHash: string, authTime: number, amr: string[]): Promise<void>;
}

export interface InteractionStore {
  create(interaction: InteractionRecord): Promise<void>;
  get(id: string, now: number): Promise<InteractionRecord | undefined>;
  /** Records who authenticated in this interaction, when, and how (RFC 8176 amr values, when given). */
  setUser(id: string, userId: string, authTime: number, amr?: string[]): Promise<void>;
  /** Records that the person allowed the request on the consent page. */
  setConsented(id: string): Promise<void>;
  /** Deletes and reports whether it still existed: a finished interaction completes once. */
  consume(id: string): Promise<boolean>;
}

/** What a user has approved for a client so far. */
export interface ConsentRecord {
  scopes: string[];
  /** RFC 8707 resources approved (the default audience needs none). */
  resources: string[];
}

export interface ConsentStore {
  /** What the user has approved for the client so far, or undefined when nothing. */
  get(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Stores what the user has now approved for the client (the caller merges it with what was before). */
  remember(userId: string, clientId: string, approved: ConsentRecord, now: number): Promise<void>;
  /** Every client the user has approved, most recent first. */
  listForUser(userId: string): Promise<(ConsentRecord & { clientId: string; updatedAt: number })[]>;
  /** The consents a user gave (ordered by client) or a client was given (ordered by user); `after` is that other id. */
  list(owner: { userId: string } | { clientId: string }, query: PageQuery): Promise<ConsentEntry[]>;
}

/** A remembered consent with whom it binds. */
export interface ConsentEntry extends ConsentRecord {
  userId: string;
  clientId: string;
  updatedAt: number;
}

export interface GrantStore {
  get(id: string): Promise<GrantRecord | undefined>;
  /** The live grants (not revoked, not expired) of a user or a client, ordered by id. */
  list(owner: { userId: string } | { clientId: string }, now: number, query: PageQuery): Promise<GrantRecord[]>;
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
   * Marks the code consumed in one atomic statement (ARCHITECTURE.md rule 5). Returns the code when this call
   * consumed it, `reused` with the record when it had been consumed before, or undefined when unknown.
   */
  consume(codeHash: string, now: number): Promise<{ code: CodeRecord; reused: boolean } | undefined>;
}

export interface RefreshTokenStore {
  create(token: RefreshTokenRecord): Promise<void>;
  find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** The token and its grant in one read (the grant is undefined when it is gone): the refresh path's first step. */
  findWithGrant(tokenHash: string): Promise<{ token: RefreshTokenRecord; grant: GrantRecord | undefined } | undefined>;
  /**
   * Consumes `tokenHash` and stores `next` in one transaction (ARCHITECTURE.md rule 5). Returns false, storing
   * nothing, when the token had already been consumed.
   */
  rotate(tokenHash: string, next: RefreshTokenRecord, now: number, successor: string | null): Promise<boolean>;
}

export interface KeyStore {
  list(): Promise<KeyRecord[]>;
  /** Adds a key; false (and nothing added) when a key of its alg already replaces `key.replaces`. */
  create(key: KeyRecord): Promise<boolean>;
  retire(kid: string, retiresAt: number, expiresAt: number): Promise<void>;
  /** Brings a published key's activation forward to `at` (never later). */
  activate(kid: string, at: number): Promise<void>;
  /**
   * Replaces a key's stored private part if it still is `from` (compare-and-set); false otherwise.
   * On SQLite the old value is also wiped from the file and its write-ahead log.
   */
  reseal(kid: string, from: string, to: string): Promise<boolean>;
}

/** An audit event kept in the database (admin API), until `expiresAt`. */
export interface AuditRecord {
  /** Sortable by time: admin/audit.ts makes it. */
  id: string;
  at: number;
  event: string;
  clientId: string | null;
  userId: string | null;
  /** The other fields of the event (ids only, never a secret). */
  data: Record<string, unknown>;
  expiresAt: number;
}

export interface AuditQuery extends PageQuery {
  /** Epoch seconds, inclusive. */
  from?: number | undefined;
  /** Epoch seconds, exclusive. */
  to?: number | undefined;
  userId?: string | undefined;
  clientId?: string | undefined;
  event?: string | undefined;
}

export interface AuditStore {
  add(event: AuditRecord): Promise<void>;
  /** Events ordered by id (time), after the cursor. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
}

/** One-time identifiers (RFC 7523 §3 assertion `jti`, RFC 9449 §11.1 DPoP proof `jti`), shared by every instance. */
export interface UsedJtiStore {
  /**
   * Records `key` until `expiresAt` with one insert that fails on conflict: true when this call
   * recorded it, false when it was already recorded (a replay). Of any number of concurrent calls
   * with one key, on any instance, exactly one returns true.
   */
  use(key: string, expiresAt: number): Promise<boolean>;
}

/** RFC 9126 §2.2: a pushed authorization request, kept until it is used once or expires. */
export interface PushedRequestRecord {
  /** SHA-256 of the random part of the request_uri. */
  idHash: string;
  clientId: string;
  /** The parameters as pushed: each one once, and the RFC 8707 `resource` list. */
  params: { params: Record<string, string>; resources: string[] };
  expiresAt: number;
}

export interface PushedRequestStore {
  create(request: PushedRequestRecord): Promise<void>;
  /** Deletes and returns the request when it is live: a request_uri is used once (RFC 9126 §4). */
  consume(idHash: string, now: number): Promise<PushedRequestRecord | undefined>;
}

/** RFC 8628 §3.2: a device authorization request and what the person decided. */
export interface DeviceCodeRecord {
  /** SHA-256 of the device_code. */
  deviceCodeHash: string;
  /** SHA-256 of the normalized user_code. */
  userCodeHash: string;
  clientId: string;
  scope: string;
  resources: string[];
  status: 'pending' | 'approved' | 'denied' | 'consumed';
  userId: string | null;
  authTime: number | null;
  /** Seconds the client must wait between polls; grows by 5 at each poll that came too early (§3.5). */
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
}

export interface DeviceCodeStore {
  create(record: DeviceCodeRecord): Promise<void>;
  /** The live, pending request of this user code. */
  findPending(userCodeHash: string, now: number): Promise<DeviceCodeRecord | undefined>;
  /** Records the person's decision once, while the request is pending and live; false otherwise. */
  decide(deviceCodeHash: string, outcome: { userId: string; authTime: number } | 'denied', now: number): Promise<boolean>;
  /**
   * One poll, in one atomic statement: records its time and, when it came before `interval` had
   * passed since the last one, adds 5 seconds to the interval (RFC 8628 §3.5 slow_down).
   */
  poll(deviceCodeHash: string, now: number): Promise<{ record: DeviceCodeRecord; tooFast: boolean } | undefined>;
  /** Consumes an approved request and creates its grant in one transaction; false when it was not approved (or already consumed). */
  redeem(deviceCodeHash: string, grant: GrantRecord): Promise<boolean>;
}

/** OIDC Back-Channel Logout 1.0 §2.5: one logout token to deliver to one client. */
export interface LogoutJobRecord {
  id: string;
  clientId: string;
  /** The `sub` of the logout token. */
  userId: string;
  /** The `sid` of the ended session, when it had one. */
  sid: string | null;
  /** Delivery attempts begun so far (this one included, once claimed). */
  attempts: number;
  /** Epoch seconds. */
  createdAt: number;
}

/** The durable queue of back-channel logout deliveries, shared by every instance. */
export interface LogoutJobStore {
  /**
   * Claims the job for `leaseMs` in one atomic statement, when it is due at `nowMs` and not leased:
   * of concurrent claims, on any instance, one wins (the others get undefined). Counts an attempt.
   */
  claim(id: string, nowMs: number, leaseMs: number): Promise<LogoutJobRecord | undefined>;
  /** Claims up to `limit` due jobs, oldest first (each as `claim` does). */
  claimDue(nowMs: number, leaseMs: number, limit: number): Promise<LogoutJobRecord[]>;
  /** Delivered, or given up: the job is deleted. */
  finish(id: string): Promise<void>;
  /** Failed: the lease ends and the job is due again at `nextAttemptMs`. */
  retryAt(id: string, nextAttemptMs: number): Promise<void>;
  /** Calls `listener` after each commit that queued jobs in this process; returns the unsubscribe. */
  onQueued(listener: () => void): () => void;
}

/** A brute-force counter (accounts/brute-force.ts); keys are hashes, never a username or address. */
export interface ThrottleRecord {
  key: string;
  failures: number;
  lastFailureAt: number;
  expiresAt: number;
}

/** From `failures` counted attempts on, the next one must wait `seconds` after the last. */
export interface WaitStep {
  failures: number;
  seconds: number;
}

/** Brute-force counters shared by every instance, so that limits hold behind a load balancer. */
export interface ThrottleStore {
  /** The live counters among `keys`. */
  get(keys: string[], now: number): Promise<ThrottleRecord[]>;
  /** Counts one failure atomically; a counter idle for `keepSeconds` starts again at 1. */
  fail(key: string, now: number, keepSeconds: number): Promise<ThrottleRecord>;
  /**
   * Reserves an attempt in one atomic statement, before the password is checked: counts it and
   * returns the counter when the wait that `waits` asks after the current count has passed since
   * the last counted attempt (or the counter is idle for `keepSeconds`), else counts nothing and
   * returns undefined. Concurrent reservations on any number of instances see each other's counts.
   */
  reserve(key: string, now: number, keepSeconds: number, waits: readonly WaitStep[]): Promise<ThrottleRecord | undefined>;
  /** Gives back one reserved attempt (an attempt that turned out not to be a failure). */
  release(key: string): Promise<void>;
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
  /** @internal */
  registrations: RegistrationStore;
  factors: FactorStore;
  audit: AuditStore;
  usedJtis: UsedJtiStore;
  /** @internal */
  pushedRequests: PushedRequestStore;
  /** @internal */
  deviceCodes: DeviceCodeStore;
  /** @internal */
  logoutJobs: LogoutJobStore;
  /**
   * Ends everything that lets the owner in, in one transaction: the person's login sessions and
   * pending interactions, and every grant of the person or client (revoked, so that its access tokens
   * are inactive), with its unused codes and refresh tokens consumed. Returns how many sessions and
   * grants it ended. For a user and a client together (consent withdrawn) the remembered consent is
   * forgotten in the same transaction.
   */
  revokeAccess(owner: AccessOwner, now: number): Promise<{ sessions: number; grants: number }>;
  /** Deletes expired rows in bounded batches; returns how many were deleted. */
  cleanup(now: number): Promise<number>;
  close(): Promise<void>;
}
