// OWASP ASVS V2.2.1 / NIST SP 800-63B §5.2.2: rate limiting of sign-in, with counters in the
// database so that the limits hold across instances, and OWASP's "device cookies" so that the
// limits never keep an account's owner out. Client authentication is counted, never refused.
import { isIPv6 } from 'node:net';
import type { Config } from '../config/schema.ts';
import type { ThrottleRecord, ThrottleStore, WaitStep } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { normalizeUsername } from './username.ts';

export type ThrottlePolicy = Config['bruteForce']['account'];

/**
 * Seconds a counter must wait after its n-th counted attempt before the next one: nothing for the
 * first `free`, then 1, 2, 4, … seconds, capped at `lockSeconds`, which applies from `lockAfter` on.
 * The wait is enforced by refusing early attempts, not by sleeping.
 */
export function waitAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.free) return 0;
  if (failures >= policy.lockAfter) return policy.lockSeconds;
  return Math.min(2 ** (failures - policy.free - 1), policy.lockSeconds);
}

/** `waitAfter` as the steps the store checks in its reservation statement (each wait once). */
export function waitSteps(policy: ThrottlePolicy): WaitStep[] {
  const steps: WaitStep[] = [];
  for (let n = policy.free + 1; ; n++) {
    const seconds = waitAfter(n, policy);
    if (seconds !== steps.at(-1)?.seconds) steps.push({ failures: n, seconds });
    if (n >= policy.lockAfter || seconds >= policy.lockSeconds) return steps;
  }
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

/** Keys are hashes: the table never holds a username, client id, address or cookie in the clear. */
export const throttleKey = (kind: string, ...material: string[]): string => `${kind}:${hashToken(material.join('\u0000'))}`;

const kindOf = (key: string): string => key.slice(0, key.indexOf(':'));

const keepFor = (d: Dimension, config: Config): number => Math.max(config.bruteForce.windowSeconds, d.policy.lockSeconds);

/** The outcome of reserving an attempt in several dimensions. */
export interface Reservation {
  /** Seconds before another attempt is allowed (0: reserved, go ahead). */
  retryAfter: number;
  /** The dimension that refused, for the audit log. */
  refusedBy: string | undefined;
  /** The largest count reached (this attempt included) when reserved. */
  failures: number;
}

/**
 * Reserves one attempt in every dimension, in order, each in one atomic statement. When one
 * refuses, the reservations already made are given back and nothing else is counted.
 */
export async function reserveAttempt(store: ThrottleStore, dims: Dimension[], config: Config, now: number): Promise<Reservation> {
  let failures = 0;
  for (const [i, d] of dims.entries()) {
    const record = await store.reserve(d.key, now, keepFor(d, config), waitSteps(d.policy));
    if (record) {
      failures = Math.max(failures, record.failures);
      continue;
    }
    for (const done of dims.slice(0, i)) await store.release(done.key);
    const [current] = await store.get([d.key], now);
    // At least a second: the counter may have moved on between the two statements.
    return { retryAfter: Math.max(1, retryAfter(current, d.policy, now)), refusedBy: kindOf(d.key), failures: 0 };
  }
  return { retryAfter: 0, refusedBy: undefined, failures };
}

/** The account a username names, as counted: the same however it is typed (accounts/username.ts). */
const accountOf = (username: string): string => normalizeUsername(username);

/** The dimensions of a sign-in attempt from a browser that is not known for the account. */
export function loginDimensions(config: Config, username: string, ip: string): { account: Dimension; ip: Dimension } {
  return {
    account: { key: throttleKey('login-account', accountOf(username)), policy: config.bruteForce.account },
    ip: { key: throttleKey('login-ip', ipBucket(ip)), policy: config.bruteForce.ip },
  };
}

/** A device cookie value as the server issues it (256 random bits, base64url). */
const isDeviceValue = (value: string | undefined): value is string => !!value && /^[A-Za-z0-9_-]{43}$/.test(value);

/** Keys of the device cookie records: issued by this server; known for an account; its own counter. */
export const deviceKeys = (device: string, username: string) => ({
  issued: throttleKey('device-issued', device),
  known: throttleKey('login-known', device, accountOf(username)),
  counter: throttleKey('login-device', device, accountOf(username)),
});

export interface LoginAttempt extends Reservation {
  /** The attempt failed: its reservation stays counted. Returns the largest count reached. */
  failed(): Promise<number>;
  /**
   * The attempt succeeded: clears the counter that gated it (for a new browser, the account's;
   * the address's reservation is given back) and marks the browser as known for the account.
   * Returns the device cookie value to set (a new one unless the browser has one we issued).
   */
  succeeded(): Promise<string>;
}

/**
 * Opens a sign-in attempt and reserves it before the password is checked, so that parallel
 * attempts gain nothing. A browser that has signed in to the account before (its device cookie is
 * recorded for the account) is limited only by its own counter: neither an attack on the account
 * nor one from its address can keep the owner out, and a stolen cookie still guesses no faster than
 * the account limit allows. Any other browser is limited per address and per account.
 */
export async function beginLogin(
  deps: { config: Config; storage: { throttle: ThrottleStore }; clock: () => number },
  username: string,
  ip: string,
  deviceCookie: string | undefined,
): Promise<LoginAttempt> {
  const { config, clock } = deps;
  const store = deps.storage.throttle;
  const now = clock();
  const device = isDeviceValue(deviceCookie) ? deviceKeys(deviceCookie, username) : undefined;
  const known = device ? (await store.get([device.known], now)).length > 0 : false;
  const dims = loginDimensions(config, username, ip);
  const gates: Dimension[] = known && device ? [{ key: device.counter, policy: config.bruteForce.account }] : [dims.ip, dims.account];
  const reservation = await reserveAttempt(store, gates, config, now);
  return {
    ...reservation,
    failed: async () => reservation.failures,
    async succeeded() {
      if (known && device) {
        await store.clear(device.counter);
      } else {
        await store.clear(dims.account.key);
        await store.release(dims.ip.key);
      }
      const at = clock();
      const keep = config.bruteForce.knownBrowserSeconds;
      // A cookie value this server did not issue is never adopted (it could have been planted).
      const issued = isDeviceValue(deviceCookie) && (await store.get([deviceKeys(deviceCookie, username).issued], at)).length > 0;
      const value = issued ? (deviceCookie as string) : randomToken();
      const keys = deviceKeys(value, username);
      await store.remember(keys.issued, at, keep);
      await store.remember(keys.known, at, keep);
      return value;
    },
  };
}

/**
 * Reserves a second-factor attempt (a code or a recovery code) of a user who has given the right
 * password: counted per account with the account policy, like passwords, so that the code space
 * cannot be walked. `succeeded` clears the counter; a failure stays counted.
 */
export async function beginSecondFactor(
  deps: { config: Config; storage: { throttle: ThrottleStore }; clock: () => number },
  userId: string,
): Promise<Reservation & { succeeded(): Promise<void> }> {
  const { config, storage } = deps;
  const dim: Dimension = { key: throttleKey('mfa-account', userId), policy: config.bruteForce.account };
  const reservation = await reserveAttempt(storage.throttle, [dim], config, deps.clock());
  return { ...reservation, succeeded: () => storage.throttle.clear(dim.key) };
}

/** The dimensions of a client authentication: per client_id and address, and per address. */
export function clientDimensions(config: Config, clientId: string | undefined, ip: string): Dimension[] {
  const bucket = ipBucket(ip);
  const dims: Dimension[] = [{ key: throttleKey('client-ip', bucket), policy: config.bruteForce.ip }];
  if (clientId) dims.unshift({ key: throttleKey('client-id', clientId, bucket), policy: config.bruteForce.client });
  return dims;
}

/** The longest a failed client authentication is held before it is answered. */
export const CLIENT_FAILURE_DELAY_MAX_MS = 2000;

/**
 * Counts a failed client authentication in every dimension (nothing is gated: generated secrets
 * carry 256 bits, so refusing would protect nothing and hand out denial of service). Returns the
 * largest count reached and how long to hold the failing answer: the policy's growing wait, at
 * most CLIENT_FAILURE_DELAY_MAX_MS. A client with the right secret is never held nor refused.
 */
export async function recordClientFailure(
  store: ThrottleStore,
  dims: Dimension[],
  config: Config,
  now: number,
): Promise<{ failures: number; delayMs: number }> {
  let failures = 0;
  let seconds = 0;
  for (const d of dims) {
    const record = await store.fail(d.key, now, keepFor(d, config));
    failures = Math.max(failures, record.failures);
    seconds = Math.max(seconds, waitAfter(record.failures, d.policy));
  }
  return { failures, delayMs: Math.min(seconds * 1000, CLIENT_FAILURE_DELAY_MAX_MS) };
}
