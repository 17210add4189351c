// ARCHITECTURE.md rules 5 and 6: the small store interfaces every engine implements. Times are epoch seconds.
import type { FactorStore, FactorSummary } from './factor-types.ts';
import type { AuditStore, DeviceCodeStore, LogoutJobStore, PushedRequestStore, ThrottleStore, UsedJtiStore } from './queue-types.ts';
import type {
  ClientRecord,
  CodeRecord,
  GrantRecord,
  InteractionRecord,
  KeyRecord,
  PageQuery,
  RefreshTokenRecord,
  RegistrationRecord,
  SessionRecord,
  UserRecord,
} from './records.ts';

export type { FactorStore, FactorSummary, PasskeyRecord, TotpRecord } from './factor-types.ts';
export type * from './queue-types.ts';
export type * from './records.ts';

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
  /**
   * The live session with what an authorization request of `clientId` decides on: the user's
   * remembered consent for it and their factors, in one read (a returning sign-in's first step).
   */
  getForClient(
    idHash: string,
    now: number,
    clientId: string,
  ): Promise<{ session: SessionRecord; consent: ConsentRecord | undefined; factors: FactorSummary } | undefined>;
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
  /** The code and its grant in one read (the grant is undefined when it is gone): a code exchange's first step. */
  findWithGrant(codeHash: string): Promise<{ code: CodeRecord; grant: GrantRecord | undefined } | undefined>;
  /**
   * Marks the code consumed in one atomic statement (ARCHITECTURE.md rule 5) and stores the refresh
   * token issued for it, in one transaction. Returns false, storing nothing, when the code had
   * already been consumed (another presentation won).
   */
  redeem(codeHash: string, now: number, refreshToken: RefreshTokenRecord | null): Promise<boolean>;
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
