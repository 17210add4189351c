// OWASP ASVS V2.2.1 / NIST SP 800-63B §5.2.2: rate limiting of sign-in and client authentication,
// with counters in the database so that the limits hold across instances.
import { isIPv6 } from 'node:net';
import type { Config } from '../config/schema.ts';
import type { ThrottleRecord, ThrottleStore } from '../storage/types.ts';
import { hashToken } from '../tokens/opaque.ts';
import { normalizeUsername } from './username.ts';

export type ThrottlePolicy = Config['bruteForce']['account'];

/**
 * Seconds a counter must wait after its n-th failure before the next attempt: nothing for the first
 * `free` failures, then 1, 2, 4, … seconds, then `lockSeconds` from `lockAfter` failures on. The
 * wait is enforced by refusing early attempts, not by sleeping, so parallel requests gain nothing.
 */
export function waitAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.free) return 0;
  if (failures >= policy.lockAfter) return policy.lockSeconds;
  return Math.min(2 ** (failures - policy.free - 1), policy.lockSeconds);
}

/** Seconds until `record` allows another attempt; 0 when it does. */
export function retryAfter(record: ThrottleRecord | undefined, policy: ThrottlePolicy, now: number): number {
  if (!record || record.failures === 0) return 0;
  return Math.max(0, record.lastFailureAt + waitAfter(record.failures, policy) - now);
}

/**
 * The address counted for an IP limit: IPv4 as is (also when IPv4-mapped), IPv6 by its /64
 * prefix, since one host commonly holds a whole /64.
 */
export function ipBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}

/** One dimension of a limit: its stored key and policy. */
export interface Dimension {
  key: string;
  policy: ThrottlePolicy;
}

/** Keys are hashes: the table never holds a username, client id or address in the clear. */
export const throttleKey = (kind: string, ...material: string[]): string => `${kind}:${hashToken(material.join('\u0000'))}`;

export interface Gate {
  /** Seconds before another attempt is allowed (0: go ahead), the largest over the dimensions. */
  retryAfter: number;
  /** The dimension that refuses, for the audit log. */
  refusedBy: string | undefined;
  /** The keys that have a live counter (so that a success clears only what exists). */
  counted: string[];
}

export async function checkGate(store: ThrottleStore, dimensions: Dimension[], now: number): Promise<Gate> {
  const records = await store.get(
    dimensions.map((d) => d.key),
    now,
  );
  let gate: Gate = { retryAfter: 0, refusedBy: undefined, counted: records.filter((r) => r.failures > 0).map((r) => r.key) };
  for (const d of dimensions) {
    const wait = retryAfter(
      records.find((r) => r.key === d.key),
      d.policy,
      now,
    );
    if (wait > gate.retryAfter) gate = { ...gate, retryAfter: wait, refusedBy: d.key.slice(0, d.key.indexOf(':')) };
  }
  return gate;
}

/** Counts a failure in every dimension; returns the largest failure count reached. */
export async function recordFailure(store: ThrottleStore, dimensions: Dimension[], config: Config, now: number): Promise<number> {
  let most = 0;
  for (const d of dimensions) {
    const keep = Math.max(config.bruteForce.windowSeconds, d.policy.lockSeconds);
    most = Math.max(most, (await store.fail(d.key, now, keep)).failures);
  }
  return most;
}

/** The dimensions of a sign-in attempt. */
export function loginDimensions(config: Config, username: string, ip: string): { account: Dimension; ip: Dimension; known: string } {
  const account = normalizeUsername(username);
  return {
    account: { key: throttleKey('login-account', account), policy: config.bruteForce.account },
    ip: { key: throttleKey('login-ip', ipBucket(ip)), policy: config.bruteForce.ip },
    known: account,
  };
}

/** The mark of a browser (by the hash of its CSRF secret) that has signed in to `account`. */
export const knownBrowserKey = (browserHash: string, account: string): string => throttleKey('login-known', browserHash, account);

/** The dimensions of a client authentication: per client_id and address, and per address. */
export function clientDimensions(config: Config, clientId: string | undefined, ip: string): Dimension[] {
  const bucket = ipBucket(ip);
  const dims: Dimension[] = [{ key: throttleKey('client-ip', bucket), policy: config.bruteForce.ip }];
  if (clientId) dims.unshift({ key: throttleKey('client-id', clientId, bucket), policy: config.bruteForce.client });
  return dims;
}

export interface LoginAttempt extends Gate {
  /** Counts a failed sign-in (account and address); returns the largest count reached. */
  failed(): Promise<number>;
  /** Clears the account's counter (not the address's) and remembers this browser for the account. */
  succeeded(): Promise<void>;
}

/**
 * Opens a sign-in attempt. The account limit does not apply to a browser that has signed in to
 * that account before, so an attacker cannot keep its owner out; the address limit always applies.
 */
export async function beginLogin(
  deps: { config: Config; storage: { throttle: ThrottleStore }; clock: () => number },
  username: string,
  ip: string,
  browserHash: string,
): Promise<LoginAttempt> {
  const { config, clock } = deps;
  const store = deps.storage.throttle;
  const dims = loginDimensions(config, username, ip);
  const knownKey = knownBrowserKey(browserHash, dims.known);
  const now = clock();
  const known = (await store.get([knownKey], now)).length > 0;
  const gate = await checkGate(store, known ? [dims.ip] : [dims.account, dims.ip], now);
  return {
    ...gate,
    failed: () => recordFailure(store, [dims.account, dims.ip], config, clock()),
    async succeeded() {
      await store.clear(dims.account.key);
      await store.remember(knownKey, clock(), config.bruteForce.knownBrowserSeconds);
    },
  };
}
