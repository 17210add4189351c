// A bounded, short-lived read cache in front of the lookup every token request makes: the client
// record, changed by another instance or the CLI, is seen after `clientTtlMs`. Brute-force counters
// are never cached: every sign-in attempt reserves its count in the database (accounts/brute-force.ts),
// and client authentication reads no counter at all.
import type { ClientRecord, ClientStore, Storage } from './types.ts';

export interface ReadCacheOptions {
  clientTtlMs: number;
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
  };
}

/** The same storage, with the client reads cached. */
export function withReadCaches(storage: Storage, opts: ReadCacheOptions): Storage {
  const nowMs = opts.nowMs ?? Date.now;
  return { ...storage, clients: cachedClients(storage.clients, opts, nowMs) };
}
