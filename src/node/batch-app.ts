// The root's side of consensus: building a batch value when this root proposes, checking a
// proposed value by re-executing it (governance rules + tree recomputation), and committing a
// decided value to the ledger. Checking is a pure function of the committed state plus the
// local clock bound on the batch time; results are memoised by value id, since every round
// asks again.

import { bytesEqual, fromHex, toHex } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import {
  type BatchResult,
  executeBatch,
  type GovernanceState,
  type Rejection,
  type SignedStatement,
  statementId,
} from '../governance/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import { type BatchValue, decodeValue, encodeValue, VALUE_STATEMENTS_MAX } from './batch-value.ts';

/** A proposer's clock may run ahead of ours by this much before we refuse its batch time. */
export const BATCH_CLOCK_SKEW_MS_MAX = 30_000;
const MEMO_VALUES_MAX = 64;

export interface Checked {
  value: BatchValue;
  result: BatchResult;
}

export class BatchApp {
  #memo = new Map<string, Checked | string>();

  readonly store: LedgerStore;
  readonly now: () => number;

  constructor(store: LedgerStore, now: () => number) {
    this.store = store;
    this.now = now;
  }

  /**
   * A value for `height` from pending statements, or undefined if there is nothing to commit.
   * Statements the rules reject now are left out (and reported), so the value is valid.
   */
  build(
    state: GovernanceState,
    height: number,
    proposer: string,
    pending: SignedStatement[],
  ): { bytes: Uint8Array; rejected: { id: string; rejection: Rejection }[] } | undefined {
    const timeMs = Math.max(this.now(), state.timeMs + 1);
    let statements = pending.slice(0, Math.min(VALUE_STATEMENTS_MAX, state.world.policy.batchStatementsMax));
    let result = executeBatch(state, { height, timeMs, proposer, statements });
    const rejected: { id: string; rejection: Rejection }[] = [];
    // Leaving a statement out can make a later one fail (a DKG package that only fit after
    // it): drop and run again until the batch is clean. Each pass drops at least one, so the
    // loop ends within the number of statements.
    while (result.rejected.length > 0) {
      for (const r of result.rejected) {
        rejected.push({
          id: statementId(statements[r.index]!),
          rejection: { code: r.code, message: r.message, rule: r.rule },
        });
      }
      const drop = new Set(result.rejected.map((r) => r.index));
      statements = statements.filter((_, i) => !drop.has(i));
      result = executeBatch(state, { height, timeMs, proposer, statements });
    }
    // Nothing but a header means nothing to commit: idle when idle.
    if (result.entries.length <= 1)
      return rejected.length > 0 ? { bytes: new Uint8Array(0), rejected } : undefined;
    const tree = this.store.rootAfter(result.entries);
    const value: BatchValue = {
      height,
      timeMs,
      proposer,
      statements,
      size: tree.size,
      rootHash: toHex(tree.rootHash),
      worldHash: result.state.worldHash,
    };
    const bytes = encodeValue(value);
    this.#remember(toHex(sha256(bytes)), { value, result });
    return { bytes, rejected };
  }

  /** Re-executes a proposed value; the reason it is invalid, or the checked result. */
  check(
    state: GovernanceState,
    height: number,
    validators: Set<string>,
    bytes: Uint8Array,
  ): Checked | string {
    const id = toHex(sha256(bytes));
    const memo = this.#memo.get(id);
    if (memo !== undefined) return memo;
    const verdict = this.#check(state, height, validators, bytes);
    this.#remember(id, verdict);
    return verdict;
  }

  #check(
    state: GovernanceState,
    height: number,
    validators: Set<string>,
    bytes: Uint8Array,
  ): Checked | string {
    let value: BatchValue;
    try {
      value = decodeValue(bytes);
    } catch (err) {
      return (err as Error).message;
    }
    if (value.height !== height) return `value is for height ${value.height}, not ${height}`;
    if (!validators.has(value.proposer)) return `proposer ${value.proposer} is not a validator`;
    if (value.timeMs > this.now() + BATCH_CLOCK_SKEW_MS_MAX) return 'batch time is ahead of our clock';
    let result: BatchResult;
    try {
      result = executeBatch(state, {
        height,
        timeMs: value.timeMs,
        proposer: value.proposer,
        statements: value.statements,
      });
    } catch (err) {
      return (err as Error).message;
    }
    if (result.rejected.length > 0)
      return `statement ${result.rejected[0]!.index} is rejected: ${result.rejected[0]!.message}`;
    if (result.entries.length <= 1) return 'an empty batch';
    const tree = this.store.rootAfter(result.entries);
    if (tree.size !== value.size || !bytesEqual(tree.rootHash, fromHex(value.rootHash)))
      return 'wrong tree size or root';
    if (result.state.worldHash !== value.worldHash) return 'wrong world hash';
    return { value, result };
  }

  #remember(id: string, verdict: Checked | string): void {
    if (this.#memo.size >= MEMO_VALUES_MAX) this.#memo.delete(this.#memo.keys().next().value!);
    this.#memo.set(id, verdict);
  }

  /** Forgets memoised checks: they were against a state that has now moved on. */
  reset(): void {
    this.#memo.clear();
  }
}
