// A bounded, short-lived read cache in front of the lookup every token request makes: the client
// record. A change made through this process is seen by it at once; one made by another instance or
// the CLI after `clientTtlMs`. Brute-force counters are never cached: every sign-in attempt reserves
// its count in the database (accounts/brute-force.ts), and client authentication reads no counter.
import { ExpiringCache } from '../cache.ts';
import type { ClientRecord, ClientStore, Storage } from './types.ts';

export interface ReadCacheOptions {
  clientTtlMs: number;
  /** Entries per cache; the least recently used is dropped first. */
  max: number;
  nowMs?: () => number;
}

function cachedClients(store: ClientStore, opts: ReadCacheOptions, nowMs: () => number): ClientStore {
  const cache = new ExpiringCache<string, ClientRecord>(opts.max);
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
    // The entry is dropped before and after the write, in case a read racing the write cached the old record.
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

/** The same storage, with the client reads cached. */
export function withReadCaches(storage: Storage, opts: ReadCacheOptions): Storage {
  return { ...storage, clients: cachedClients(storage.clients, opts, opts.nowMs ?? Date.now) };
}
