// Short ids: people give any prefix of at least SHORT_ID_HEX_MIN hex digits wherever a motion
// or statement id goes, and are shown the shortest prefix no other statement here shares.
// Committed ids come from the ledger index's prefix buckets; pending ones from the pool, which is
// bucketed once per question.

import type { IdMatch } from '../api/root-view.ts';
import { SHORT_ID_HEX_MIN, type StatementKind } from '../governance/index.ts';
import { RESOLVE_CANDIDATES_MAX } from './constants.ts';
import type { LedgerIndex } from './ledger-index.ts';

export interface PendingId {
  id: string;
  kind: StatementKind;
}

/** The ids a root knows, committed and pending, for one question. */
export class IdSpace {
  readonly #index: LedgerIndex;
  readonly #pending = new Map<string, PendingId[]>();

  constructor(index: LedgerIndex, pending: Iterable<PendingId>) {
    this.#index = index;
    for (const p of pending) {
      const key = p.id.slice(0, SHORT_ID_HEX_MIN);
      const bucket = this.#pending.get(key);
      if (bucket === undefined) this.#pending.set(key, [p]);
      else bucket.push(p);
    }
  }

  #pendingWith(prefix: string): PendingId[] {
    return (this.#pending.get(prefix.slice(0, SHORT_ID_HEX_MIN)) ?? []).filter((p) =>
      p.id.startsWith(prefix),
    );
  }

  /** What `prefix` (SHORT_ID_HEX_MIN to 64 lowercase hex digits) names; with 'motion', motions only. */
  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch {
    const motions = what === 'motion';
    const limit = RESOLVE_CANDIDATES_MAX + 1;
    const committed = this.#index.idsWithPrefix(
      prefix,
      limit,
      (id) => !motions || this.#index.motions.has(id),
    );
    const pending = this.#pendingWith(prefix)
      .filter((p) => !motions || p.kind === 'motion')
      .map((p) => p.id);
    const all = [...new Set([...committed, ...pending])];
    if (all.length === 0) return { kind: 'none' };
    if (all.length === 1) return { kind: 'one', id: all[0]! };
    return {
      kind: 'many',
      candidates: all.slice(0, RESOLVE_CANDIDATES_MAX).sort(),
      more: all.length > RESOLVE_CANDIDATES_MAX,
    };
  }

  /** The shortest prefix of `id`, at least SHORT_ID_HEX_MIN digits, that no other known statement shares. */
  shortId(id: string): string {
    for (let digits = SHORT_ID_HEX_MIN; digits < id.length; digits++) {
      const prefix = id.slice(0, digits);
      const shared =
        this.#index.sharesPrefix(id, digits) || this.#pendingWith(prefix).some((p) => p.id !== id);
      if (!shared) return prefix;
    }
    return id;
  }
}
