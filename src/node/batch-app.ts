// The root's side of consensus: the batch this root would propose (a pending batch kept between
// statements, pending-batch.ts), checking a proposed value by re-executing it (governance rules
// + tree recomputation), whether a fresh proposal's batch time is near our clock, and the checked
// result of a decided value for the ledger. Checking is a pure function of the committed state;
// results are memoised by value id, since every round asks again.

import { toHex } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import {
  type BatchResult,
  executeBatch,
  type GovernanceState,
  type PreVerified,
  preVerified,
  type Rejection,
  type SignedStatement,
} from '../governance/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import { BATCH_VALUE_BYTES_MAX, type BatchValue, decodeValue } from './batch-value.ts';
import { type Offer, PendingBatch } from './pending-batch.ts';
import type { PoolEntry } from './statement-pool.ts';

/**
 * A fresh proposal's batch time may be this far from a validator's clock, either way (on a
 * devnet clock running k× faster, k times this). A proposer dates its batch when it opens it
 * (at most PENDING_BATCH_AGE_MS_MAX earlier), and the proposal takes seconds to arrive and be
 * checked; 30 s is several times that and far above the skew of clocks kept by NTP. Below it, a
 * proposer could hold ledger time still (motions never expire, new statements look like they
 * come from the future); above it, run it ahead.
 */
export const BATCH_TIME_SKEW_MS_MAX = 30_000;
/** A pending batch opened longer ago than this (ledger time) is opened again at the current time. */
export const PENDING_BATCH_AGE_MS_MAX = 5_000;
const MEMO_VALUES_MAX = 64;

export interface Checked {
  value: BatchValue;
  result: BatchResult;
}

export interface Built {
  /** The value to propose, or undefined when nothing is pending (idle when idle). */
  bytes: Uint8Array | undefined;
  /** Pending statements the rules now reject, by id, and why: the caller drops them from its pool. */
  rejected: Map<string, Rejection>;
}

export class BatchApp {
  #memo = new Map<string, Checked | string>();
  /** Batch times of values checked, by the value bytes the consensus core holds. */
  #times = new WeakMap<Uint8Array, number>();
  #pending: PendingBatch | undefined;
  #remembered: Uint8Array | undefined;

  readonly store: LedgerStore;
  readonly now: () => number;
  /** How much faster than wall time `now` runs (a devnet clock); the skew bound scales with it. */
  readonly clockRate: number;

  constructor(store: LedgerStore, now: () => number, clockRate = 1) {
    this.store = store;
    this.now = now;
    this.clockRate = clockRate;
  }

  /**
   * Offers a statement just added to the pool to the pending batch, when one is open on this
   * state: 'added', 'no-room' (it waits in the pool), 'not-open' (the next build opens a batch
   * from the pool), or the rule it breaks among the pending statements.
   */
  offer(state: GovernanceState, entry: PoolEntry<SignedStatement>): Offer | 'not-open' {
    const pending = this.#pending;
    if (pending === undefined || pending.state !== state || this.#tooOld(pending)) return 'not-open';
    const offered = pending.offer(entry);
    // Dated after the pending batch's time allows: a batch opened now takes it.
    if (typeof offered === 'object' && offered.code === 'STATEMENT_FROM_FUTURE') {
      this.#pending = undefined;
      return 'not-open';
    }
    return offered;
  }

  /**
   * The value this root proposes at `height`: the pending batch, opened anew from `fairOrder()`
   * when the committed state moved, the proposer or height differ, or it is too old.
   */
  build(
    state: GovernanceState,
    height: number,
    proposer: string,
    fairOrder: () => PoolEntry<SignedStatement>[],
  ): Built {
    const rejected = new Map<string, Rejection>();
    let pending = this.#pending;
    if (
      pending === undefined ||
      pending.state !== state ||
      pending.header.height !== height ||
      pending.header.proposer !== proposer ||
      this.#tooOld(pending)
    ) {
      pending = new PendingBatch(state, { height, timeMs: Math.max(this.now(), state.timeMs + 1), proposer });
      for (const entry of fairOrder()) {
        const offered = pending.offer(entry);
        if (typeof offered === 'object') rejected.set(entry.id, offered);
      }
      this.#pending = pending;
    }
    const built = pending.value((entries) => this.store.rootAfter(entries));
    if (built === undefined) return { bytes: undefined, rejected };
    if (built.bytes !== this.#remembered) {
      this.#remembered = built.bytes;
      this.#times.set(built.bytes, built.value.timeMs);
      this.#remember(toHex(sha256(built.bytes)), { value: built.value, result: built.result });
    }
    return { bytes: built.bytes, rejected };
  }

  #tooOld(pending: PendingBatch): boolean {
    return this.now() - pending.header.timeMs > PENDING_BATCH_AGE_MS_MAX;
  }

  /**
   * Re-executes a proposed value; the reason it is invalid, or the checked result. `verified`:
   * statement signatures this root already checked (its pool), by statement id.
   */
  check(
    state: GovernanceState,
    height: number,
    validators: Set<string>,
    bytes: Uint8Array,
    verified: Pick<ReadonlyMap<string, PreVerified>, 'get'> = new Map(),
  ): Checked | string {
    const id = toHex(sha256(bytes));
    const memo = this.#memo.get(id);
    const verdict = memo ?? this.#check(state, height, validators, bytes, verified);
    if (memo === undefined) this.#remember(id, verdict);
    if (typeof verdict !== 'string') this.#times.set(bytes, verdict.value.timeMs);
    return verdict;
  }

  /**
   * Why a freshly proposed value (no proof of lock yet) is not timely here, or null: its batch
   * time must be within BATCH_TIME_SKEW_MS_MAX of our clock. Asked only of fresh proposals, so
   * a value a quorum prevoted stays acceptable however late it is proposed again.
   */
  untimely(bytes: Uint8Array): string | null {
    let timeMs = this.#times.get(bytes);
    if (timeMs === undefined) {
      try {
        timeMs = decodeValue(bytes).timeMs;
      } catch (err) {
        return (err as Error).message;
      }
    }
    const skew = BATCH_TIME_SKEW_MS_MAX * this.clockRate;
    const now = this.now();
    if (timeMs > now + skew) return `batch time is ${timeMs - now} ms ahead of our clock`;
    if (timeMs < now - skew) return `batch time is ${now - timeMs} ms behind our clock`;
    return null;
  }

  #check(
    state: GovernanceState,
    height: number,
    validators: Set<string>,
    bytes: Uint8Array,
    verified: Pick<ReadonlyMap<string, PreVerified>, 'get'>,
  ): Checked | string {
    if (bytes.length > BATCH_VALUE_BYTES_MAX)
      return `value of ${bytes.length} bytes exceeds ${BATCH_VALUE_BYTES_MAX}`;
    let value: BatchValue;
    try {
      value = decodeValue(bytes);
    } catch (err) {
      return (err as Error).message;
    }
    if (value.height !== height) return `value is for height ${value.height}, not ${height}`;
    if (!validators.has(value.proposer)) return `proposer ${value.proposer} is not a validator`;
    let result: BatchResult;
    try {
      result = executeBatch(
        state,
        { height, timeMs: value.timeMs, proposer: value.proposer, statements: value.statements },
        { verify: preVerified(verified) },
      );
    } catch (err) {
      return (err as Error).message;
    }
    if (result.rejected.length > 0)
      return `statement ${result.rejected[0]!.index} is rejected: ${result.rejected[0]!.message}`;
    if (result.entries.length <= 1) return 'an empty batch';
    const tree = this.store.rootAfter(result.entries);
    if (tree.size !== value.size || toHex(tree.rootHash) !== value.rootHash) return 'wrong tree size or root';
    if (result.state.worldHash !== value.worldHash) return 'wrong world hash';
    return { value, result };
  }

  #remember(id: string, verdict: Checked | string): void {
    if (this.#memo.size >= MEMO_VALUES_MAX) this.#memo.delete(this.#memo.keys().next().value!);
    this.#memo.set(id, verdict);
  }

  /** Forgets memoised checks and the pending batch: they were against a state that has moved on. */
  reset(): void {
    this.#memo.clear();
    this.#pending = undefined;
    this.#remembered = undefined;
  }
}
