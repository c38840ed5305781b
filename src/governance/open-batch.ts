// A batch that is still being filled (the proposer's pending batch): statements are applied one
// at a time to one working copy, so adding a statement costs that statement's rules, not the
// whole batch again. Its result is exactly what executeBatch gives for the statements it
// accepted, in the order they were added (a rejected statement changes nothing, CHARTER §17
// step 4), so a validator that re-executes the value reaches the same state and entries.

import { type Batch, type BatchResult, begin, checkHeader, type ExecuteOptions, finish } from './batch.ts';
import type { Draft } from './draft.ts';
import { GovernanceError, type Rejection } from './errors.ts';
import { applyStatement } from './rules.ts';
import type { GovernanceState } from './state.ts';
import type { SignedStatement } from './statement-types.ts';

export type BatchHeader = Omit<Batch, 'statements'>;

export interface OpenBatch {
  readonly header: BatchHeader;
  /** The statements accepted so far, in order: the batch's statements. */
  readonly statements: readonly SignedStatement[];
  /** Applies one more statement: null when accepted, else the rejection (nothing changed). */
  add(statement: SignedStatement): Rejection | null;
  /** The batch as it stands: state, entries and world. The open batch can take more after it. */
  result(): BatchResult;
}

/**
 * Opens a batch at `header` on `state`. Throws GovernanceError BAD_BATCH when the header cannot
 * follow the state; add() refuses (BAD_BATCH) past the policy's batchStatementsMax.
 */
export function openBatch(
  state: GovernanceState,
  header: BatchHeader,
  options: ExecuteOptions = {},
): OpenBatch {
  checkHeader(state, { ...header, statements: [] });
  const d = begin(state, header.timeMs, options);
  const max = state.world.policy.batchStatementsMax;
  return {
    header: { ...header },
    get statements() {
      return d.accepted;
    },
    add(statement) {
      if (d.accepted.length >= max)
        throw new GovernanceError('BAD_BATCH', `a batch holds at most ${max} statements`);
      return applyStatement(d, statement);
    },
    result() {
      const { height, timeMs, proposer } = header;
      return finish(snapshot(d), { kind: 'batch', height, timeMs, proposer }, height);
    },
  };
}

/**
 * A copy of the draft's mutable parts. finish() hands the draft's world, motions and ceremony to
 * the new state, and later statements mutate the draft (ballots, suspensions, DKG parts): each
 * result gets its own. The ceremony is copied on write (ceremony.ts own()): after a snapshot,
 * neither the draft nor the snapshot owns it, so whichever changes it next copies it first.
 * Statements, outcomes and the base state are never mutated, so they are shared.
 */
function snapshot(d: Draft): Draft {
  d.ceremonyOwned = false;
  return {
    ...d,
    world: structuredClone(d.world),
    motions: new Map([...d.motions].map(([id, m]) => [id, structuredClone(m)])),
    admissions: { ...d.admissions },
    seenAdded: new Map(d.seenAdded),
    retiredNodeKeys: structuredClone(d.retiredNodeKeys),
    selfUpdates: { ...d.selfUpdates },
    accepted: [...d.accepted],
    outcomes: [...d.outcomes],
    causes: [...d.causes],
    ceremonies: [...d.ceremonies],
  };
}
