// The stores of single-use values, queues, counters and the audit trail (ARCHITECTURE.md rules 5
// and 6): replay caches, pushed requests, device codes, back-channel logout jobs, throttles. Times
// are epoch seconds unless a field says otherwise.
import type { GrantRecord, PageQuery } from './records.ts';

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
  /** How the person who approved signed in (RFC 8176); empty until approved. */
  amr: string[];
  /** Seconds the client must wait between polls; grows by 5 at each poll that came too early (§3.5). */
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
}

/** Who approved a device request, when they signed in, and how (RFC 8176 amr). */
export interface DeviceApproval {
  userId: string;
  authTime: number;
  amr: string[];
}

export interface DeviceCodeStore {
  create(record: DeviceCodeRecord): Promise<void>;
  /** The live, pending request of this user code. */
  findPending(userCodeHash: string, now: number): Promise<DeviceCodeRecord | undefined>;
  /** Records the person's decision once, while the request is pending and live; false otherwise. */
  decide(deviceCodeHash: string, outcome: DeviceApproval | 'denied', now: number): Promise<boolean>;
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
