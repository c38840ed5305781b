// Pending statements: accepted from HTTP or gossip after they verify and pass the rules
// against the current state, waiting for the next batch. Bounded in count; the oldest
// pending statements are proposed first. After each commit the pool drops what was
// committed and re-checks the rest, since the world may have changed under them.

export const POOL_STATEMENTS_MAX = 10_000;

export interface PoolEntry<S> {
  id: string;
  statement: S;
  receivedMs: number;
}

export class StatementPool<S> {
  readonly capacity: number;
  #entries = new Map<string, PoolEntry<S>>();

  constructor(capacity = POOL_STATEMENTS_MAX) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Adds a statement; false if it was already pending or the pool is full. */
  add(id: string, statement: S, receivedMs: number): boolean {
    if (this.#entries.has(id) || this.#entries.size >= this.capacity) return false;
    this.#entries.set(id, { id, statement, receivedMs });
    return true;
  }

  /** Every pending statement, oldest first. */
  values(): IterableIterator<PoolEntry<S>> {
    return this.#entries.values();
  }

  /** Up to `limit` statements, oldest first. */
  take(limit: number): PoolEntry<S>[] {
    const out: PoolEntry<S>[] = [];
    for (const e of this.#entries.values()) {
      if (out.length >= limit) break;
      out.push(e);
    }
    return out;
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) this.#entries.delete(id);
  }

  /** Keeps only the statements for which `stillValid` is true; returns the ids dropped. */
  retain(stillValid: (statement: S) => boolean): string[] {
    const dropped: string[] = [];
    for (const [id, e] of this.#entries) {
      if (!stillValid(e.statement)) {
        this.#entries.delete(id);
        dropped.push(id);
      }
    }
    return dropped;
  }
}
