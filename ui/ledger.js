// What the dashboard learns from the ledger itself (GET /ledger/entries): batch headers give
// the ledger's growth over time, statements give motions' summaries and ballots with their
// reasons, outcomes say when a motion was decided. Entries are canonical JSON (ledger/LEDGER.md);
// only the newest LEDGER_ENTRIES_KEPT_MAX are kept, so a long ledger costs a bounded memory.

/** Entries the page reads and keeps, newest first; older history is left to `witan audit`. */
export const LEDGER_ENTRIES_KEPT_MAX = 16384;
/** Entries asked for in one request (the root allows up to 1024). */
export const LEDGER_PAGE_ENTRIES = 256;

/**
 * @typedef {{ kind: 'genesis' }
 *   | { kind: 'batch', height: number, timeMs: number, proposer: string }
 *   | { kind: 'statement', statement: { statement: Record<string, unknown> & { kind: string, author: string, createdMs: number }, signature: string } }
 *   | { kind: 'world', world: import('./types.js').World, causes: string[] }
 *   | { kind: 'outcome', motion: string, result: string, reason?: string }} Entry
 */

/**
 * @param {string} base64 one entry as GET /ledger/entries gives it
 * @returns {Entry}
 */
export function decodeEntry(base64) {
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return JSON.parse(new TextDecoder().decode(bytes));
}

export class LedgerHistory {
  /** @type {Map<number, Entry>} entries by index */
  entries = new Map();
  /** First index not read yet. */
  next = 0;

  /**
   * Where to start reading a ledger of `size` entries: past what is read, within the bound.
   * @param {number} size
   */
  startFor(size) {
    return Math.max(this.next, size - LEDGER_ENTRIES_KEPT_MAX);
  }

  /**
   * @param {number} start index of the first entry
   * @param {string[]} page entries as base64
   */
  add(start, page) {
    for (const [i, e] of page.entries()) this.entries.set(start + i, decodeEntry(e));
    this.next = Math.max(this.next, start + page.length);
    for (const index of this.entries.keys()) {
      if (this.entries.size <= LEDGER_ENTRIES_KEPT_MAX) break;
      this.entries.delete(index);
    }
  }

  /** Batch headers in ledger order, with their entry index. */
  batches() {
    /** @type {{ index: number, height: number, timeMs: number }[]} */
    const out = [];
    for (const [index, e] of this.entries)
      if (e.kind === 'batch') out.push({ index, height: e.height, timeMs: e.timeMs });
    return out.sort((a, b) => a.index - b.index);
  }

  /**
   * Tree size after each batch, at the batch's time: the ledger's growth.
   * @param {number} size the current tree size
   * @returns {[number, number][]}
   */
  growth(size) {
    const batches = this.batches();
    return batches.map((b, i) => [b.timeMs, batches[i + 1]?.index ?? size]);
  }

  /**
   * The time of the batch that holds entry `index`, when that batch is read.
   * @param {number} index
   */
  timeOf(index) {
    let time = null;
    for (const b of this.batches()) {
      if (b.index > index) break;
      time = b.timeMs;
    }
    return time;
  }

  /**
   * The statement at `index`, or undefined when it is not read (or not a statement).
   * @param {number} index
   */
  statementAt(index) {
    const e = this.entries.get(index);
    return e?.kind === 'statement' ? e.statement.statement : undefined;
  }

  /**
   * The latest ballot of each member on a motion, among the entries before `beforeIndex`.
   * @param {string} motionId
   * @param {number} [beforeIndex]
   * @returns {Record<string, import('./types.js').Ballot>}
   */
  ballotsOn(motionId, beforeIndex = Number.POSITIVE_INFINITY) {
    /** @type {Record<string, import('./types.js').Ballot>} */
    const out = {};
    for (const [index, e] of [...this.entries].sort((a, b) => a[0] - b[0])) {
      if (index >= beforeIndex) break;
      if (e.kind !== 'statement') continue;
      const s = e.statement.statement;
      if (s.kind !== 'ballot' || s.motion !== motionId) continue;
      const choice = /** @type {'yes' | 'no' | 'abstain'} */ (s.choice);
      out[s.author] = {
        choice,
        createdMs: s.createdMs,
        ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
      };
    }
    return out;
  }

  /**
   * The index of a motion's outcome entry, when read.
   * @param {string} motionId
   */
  outcomeIndex(motionId) {
    for (const [index, e] of this.entries) if (e.kind === 'outcome' && e.motion === motionId) return index;
    return undefined;
  }
}
