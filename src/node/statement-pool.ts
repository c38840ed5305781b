// Pending statements: accepted from HTTP or gossip after their author's signature and the rules
// against the current state, waiting for a batch. Memory only (a statement is durable once
// committed). Bounded per author, in count and in bytes, and the totals are the per-author
// bounds times the most members a world holds: a member that floods fills its own share and
// never refuses another member's statement. Batches take statements in a fair order: round robin
// over authors (the author served longest ago first), oldest first within each author.

import { MEMBERS_MAX, OPEN_MOTIONS_MAX } from '../governance/index.ts';

/** Pending statements of one author: enough to ballot every open motion at once. */
export const POOL_STATEMENTS_PER_AUTHOR_MAX = OPEN_MOTIONS_MAX;
/** Pending bytes (canonical signed statements) of one author: more than its share of a few batches. */
export const POOL_BYTES_PER_AUTHOR_MAX = 1024 * 1024;
/** The whole pool: every member of the largest world at its own bound. */
export const POOL_STATEMENTS_MAX = MEMBERS_MAX * POOL_STATEMENTS_PER_AUTHOR_MAX;
export const POOL_BYTES_MAX = MEMBERS_MAX * POOL_BYTES_PER_AUTHOR_MAX;

export interface PoolLimits {
  statementsPerAuthorMax: number;
  bytesPerAuthorMax: number;
  statementsMax: number;
  bytesMax: number;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = {
  statementsPerAuthorMax: POOL_STATEMENTS_PER_AUTHOR_MAX,
  bytesPerAuthorMax: POOL_BYTES_PER_AUTHOR_MAX,
  statementsMax: POOL_STATEMENTS_MAX,
  bytesMax: POOL_BYTES_MAX,
};

export interface PoolEntry<S> {
  id: string;
  statement: S;
  /** The member who signed it, and the key its signature was checked against (signerKeyOf). */
  author: string;
  signerKey: string;
  /** Length of its canonical bytes. */
  bytes: number;
  receivedMs: number;
  /** Arrival order in this pool. */
  seq: number;
}

export type PoolAdd = 'added' | 'known' | 'full' | 'author-full';

interface AuthorQueue<S> {
  entries: Map<string, PoolEntry<S>>;
  bytes: number;
}

export class StatementPool<S> {
  readonly limits: PoolLimits;
  #entries = new Map<string, PoolEntry<S>>();
  #authors = new Map<string, AuthorQueue<S>>();
  #bytes = 0;
  #seq = 0;

  constructor(limits: PoolLimits = DEFAULT_POOL_LIMITS) {
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  get(id: string): PoolEntry<S> | undefined {
    return this.#entries.get(id);
  }

  /** Every pending statement, oldest first. */
  values(): IterableIterator<PoolEntry<S>> {
    return this.#entries.values();
  }

  /** Adds a statement unless it is pending already or a bound (its author's or the pool's) is reached. */
  add(entry: Omit<PoolEntry<S>, 'seq'>): PoolAdd {
    if (this.#entries.has(entry.id)) return 'known';
    const queue = this.#authors.get(entry.author);
    if (
      (queue?.entries.size ?? 0) >= this.limits.statementsPerAuthorMax ||
      (queue?.bytes ?? 0) + entry.bytes > this.limits.bytesPerAuthorMax
    ) {
      return 'author-full';
    }
    if (this.#entries.size >= this.limits.statementsMax || this.#bytes + entry.bytes > this.limits.bytesMax)
      return 'full';
    const e: PoolEntry<S> = { ...entry, seq: ++this.#seq };
    this.#entries.set(e.id, e);
    const q = queue ?? { entries: new Map(), bytes: 0 };
    q.entries.set(e.id, e);
    q.bytes += e.bytes;
    this.#authors.set(e.author, q);
    this.#bytes += e.bytes;
    return 'added';
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const e = this.#entries.get(id);
      if (e === undefined) continue;
      this.#entries.delete(id);
      this.#bytes -= e.bytes;
      const q = this.#authors.get(e.author)!;
      q.entries.delete(id);
      q.bytes -= e.bytes;
      if (q.entries.size === 0) this.#authors.delete(e.author);
    }
  }

  /** Keeps only the statements for which `stillValid` is true; returns the ids dropped. */
  retain(stillValid: (entry: PoolEntry<S>) => boolean): string[] {
    const dropped = [...this.#entries.values()].filter((e) => !stillValid(e)).map((e) => e.id);
    this.remove(dropped);
    return dropped;
  }

  /**
   * Every pending statement in the order a batch takes them: in passes, each pass one statement
   * of each author (its oldest not yet taken), authors by `rank` (lower first: served longest
   * ago) and then by their oldest statement. A member that floods gets one statement per pass
   * like everyone else.
   */
  fairOrder(rank: (author: string) => number): PoolEntry<S>[] {
    const queues = [...this.#authors.entries()]
      .map(([author, q]) => ({ rank: rank(author), list: [...q.entries.values()] }))
      .sort((a, b) => a.rank - b.rank || a.list[0]!.seq - b.list[0]!.seq);
    const out: PoolEntry<S>[] = [];
    for (let pass = 0; out.length < this.#entries.size; pass++) {
      for (const q of queues) {
        const e = q.list[pass];
        if (e !== undefined) out.push(e);
      }
    }
    return out;
  }
}
