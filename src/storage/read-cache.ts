// Bounded, short-lived read caches in front of the two lookups every token request makes: the client
// record and the brute-force counters. Both may be stale for a moment, and only in a safe direction:
// a client record changed by another instance or the CLI is seen after `clientTtlMs` (a change made
// through this process, at once); a counter
// raised by another instance is seen after `clearTtlMs` (this instance's own failures are seen at once).
import type { ClientRecord, ClientStore, Storage, ThrottleStore } from './types.ts';

export interface ReadCacheOptions {
  clientTtlMs: number;
  clearTtlMs: number;
  /** Entries per cache; the oldest is dropped first. */
  max: number;
  nowMs?: () => number;
}

class Expiring<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string, now: number): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V, until: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, until });
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
}

function cachedClients(store: ClientStore, opts: ReadCacheOptions, nowMs: () => number): ClientStore {
  const cache = new Expiring<ClientRecord>(opts.max);
  return {
    ...store,
    async get(clientId) {
      const hit = cache.get(clientId, nowMs());
      if (hit) return hit;
      const found = await store.get(clientId);
      // Only existing clients are cached: an unknown id is looked up again next time.
      if (found) cache.set(clientId, found, nowMs() + opts.clientTtlMs);
      return found;
    },
    async create(client) {
      cache.delete(client.clientId);
      await store.create(client);
    },
    // A change made through this process is seen by it at once (disable, delete, a new secret); the
    // entry is dropped again after the write, in case a read racing the write cached the old record.
    async update(client) {
      cache.delete(client.clientId);
      try {
        return await store.update(client);
      } finally {
        cache.delete(client.clientId);
      }
    },
    async delete(clientId) {
      cache.delete(clientId);
      try {
        return await store.delete(clientId);
      } finally {
        cache.delete(clientId);
      }
    },
  };
}

function cachedThrottle(store: ThrottleStore, opts: ReadCacheOptions, nowMs: () => number): ThrottleStore {
  // Keys known to have no live counter: the common case, a client or person who gets it right.
  const clear = new Expiring<true>(opts.max);
  return {
    async get(keys, now) {
      const t = nowMs();
      const unknown = keys.filter((k) => !clear.get(k, t));
      if (unknown.length === 0) return [];
      const records = await store.get(unknown, now);
      for (const k of unknown) if (!records.some((r) => r.key === k)) clear.set(k, true, t + opts.clearTtlMs);
      return records;
    },
    async fail(key, now, keepSeconds) {
      clear.delete(key);
      return store.fail(key, now, keepSeconds);
    },
    async remember(key, now, keepSeconds) {
      clear.delete(key);
      await store.remember(key, now, keepSeconds);
    },
    async clear(key) {
      await store.clear(key);
    },
  };
}

/** The same storage, with the client and counter reads cached. */
export function withReadCaches(storage: Storage, opts: ReadCacheOptions): Storage {
  const nowMs = opts.nowMs ?? Date.now;
  return { ...storage, clients: cachedClients(storage.clients, opts, nowMs), throttle: cachedThrottle(storage.throttle, opts, nowMs) };
}
