// The batch this root would propose next: an open batch (governance open-batch.ts) on the
// committed state, filled from the pool in fair order when it is opened and then one statement
// at a time as statements arrive, so an accepted statement costs its own rules and not the
// whole batch again. It is bounded so that its value always fits one gossip message
// (BATCH_VALUE_BYTES_MAX, batch-value.ts) and the policy's batchStatementsMax, and each author
// may fill at most a quarter of it — its first statement always fits — so statements that
// arrive while one member floods still find room in the next value.

import { invariant } from '../base/index.ts';
import { toHex } from '../codec/index.ts';
import {
  type BatchHeader,
  type BatchResult,
  type GovernanceState,
  type OpenBatch,
  openBatch,
  type PreVerified,
  preVerified,
  type Rejection,
  type SignedStatement,
} from '../governance/index.ts';
import {
  BATCH_VALUE_BYTES_MAX,
  type BatchValue,
  encodeValue,
  VALUE_FIXED_BYTES_MAX,
  VALUE_STATEMENTS_MAX,
} from './batch-value.ts';
import type { PoolEntry } from './statement-pool.ts';

/** One author's share of a batch: a quarter of its bytes and statements (its first statement always fits). */
export const BATCH_AUTHOR_BYTES_MAX = Math.floor(BATCH_VALUE_BYTES_MAX / 4);
export const BATCH_AUTHOR_STATEMENTS_MAX = VALUE_STATEMENTS_MAX / 4;

export type Offer = 'added' | 'no-room' | Rejection;

/** The tree the ledger would have after appending entries (LedgerStore.rootAfter). */
export type TreeAfter = (entries: Uint8Array[]) => { size: number; rootHash: Uint8Array };

export interface BuiltValue {
  bytes: Uint8Array;
  value: BatchValue;
  result: BatchResult;
}

export class PendingBatch {
  readonly state: GovernanceState;
  readonly header: BatchHeader;
  readonly #open: OpenBatch;
  readonly #statementsMax: number;
  /** Upper bound of the value's encoded length so far. */
  #bytes = VALUE_FIXED_BYTES_MAX;
  #authors = new Map<string, { bytes: number; statements: number }>();
  /** Signatures checked when the statements entered the pool: not checked again here. */
  #verified = new Map<string, PreVerified>();
  /** The value once built; null while the batch has nothing to propose (no statement, no effect of time). */
  #built: BuiltValue | null | undefined;

  /** Throws GovernanceError BAD_BATCH when the header cannot follow the state. */
  constructor(state: GovernanceState, header: BatchHeader) {
    this.state = state;
    this.header = header;
    this.#open = openBatch(state, header, { verify: preVerified(this.#verified) });
    this.#statementsMax = Math.min(VALUE_STATEMENTS_MAX, state.world.policy.batchStatementsMax);
  }

  get statements(): number {
    return this.#open.statements.length;
  }

  /** Adds a statement when it fits the batch and its author's share; otherwise 'no-room' or the rule it breaks. */
  offer(entry: PoolEntry<SignedStatement>): Offer {
    const author = this.#authors.get(entry.author) ?? { bytes: 0, statements: 0 };
    const bytes = entry.bytes + 1; // and a comma
    const fits =
      this.#open.statements.length < this.#statementsMax &&
      this.#bytes + bytes <= BATCH_VALUE_BYTES_MAX &&
      author.statements < BATCH_AUTHOR_STATEMENTS_MAX &&
      (author.statements === 0 || author.bytes + bytes <= BATCH_AUTHOR_BYTES_MAX);
    if (!fits) return 'no-room';
    this.#verified.set(entry.id, { signerKey: entry.signerKey, ok: true });
    const rejection = this.#open.add(entry.statement);
    if (rejection !== null) return rejection;
    this.#bytes += bytes;
    this.#authors.set(entry.author, { bytes: author.bytes + bytes, statements: author.statements + 1 });
    this.#built = undefined;
    return 'added';
  }

  /**
   * The value of the batch as it stands, or undefined when it would commit nothing but a
   * header (idle when idle). Built once per change.
   */
  value(treeAfter: TreeAfter): BuiltValue | undefined {
    // Kept until a statement is added: the header's time is fixed, so the result is too. A root
    // at rest asks every second whether time alone makes a batch; that is judged once per batch.
    if (this.#built !== undefined) return this.#built ?? undefined;
    const result = this.#open.result();
    if (result.entries.length <= 1) {
      this.#built = null;
      return undefined;
    }
    const tree = treeAfter(result.entries);
    const value: BatchValue = {
      ...this.header,
      statements: [...this.#open.statements],
      size: tree.size,
      rootHash: toHex(tree.rootHash),
      worldHash: result.state.worldHash,
    };
    const bytes = encodeValue(value);
    invariant(
      bytes.length <= this.#bytes,
      `a batch value of ${bytes.length} bytes was counted as ${this.#bytes}`,
    );
    this.#built = { bytes, value, result };
    return this.#built;
  }
}
