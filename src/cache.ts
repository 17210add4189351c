// The one bounded cache: whatever is kept in memory (introspection results, verifiers, verified tokens,
// read-through records) has a size limit and drops the least recently used entry first.

/** A small least-recently-used map. */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #maxEntries: number;
  // The most recently used key: using it again changes no order, so the map is left alone.
  #newest: { key: K } | undefined;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined && this.#newest?.key !== key) {
      this.#newest = { key };
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.#newest = { key };
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    if (this.#newest?.key === key) this.#newest = undefined;
    this.#entries.delete(key);
  }
}

/** A bounded cache whose entries also expire (at a time in the caller's unit: seconds or ms). */
export class ExpiringCache<K, V> {
  readonly #entries: BoundedCache<K, { value: V; until: number }>;

  constructor(maxEntries: number) {
    this.#entries = new BoundedCache(maxEntries);
  }

  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, until: number): void {
    this.#entries.set(key, { value, until });
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }
}
