// A map that keeps at most `capacity` entries, dropping the least recently used first. For
// values that never change once made (ledger entries, decided motions, keys decoded from their
// text, points found valid): a miss only costs making the value again.

export class Lru<K, V> {
  readonly capacity: number;
  readonly #map = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new Error('an LRU holds at least one entry');
    this.capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Whether `key` is held; not counted as a use. */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key); // refresh its position: most recently used last
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  clear(): void {
    this.#map.clear();
  }
}
