// Executing a committed batch (governance/CHARTER.md §15–§17, §21). Pure and
// deterministic: the only clock is the batch time. Order of work:
//   1. begin: probation ends (timeMs ≥ since + probationPeriodMs), the duty reports of an
//      epoch that closed are judged (notices, motions after the grace), motions past their
//      deadline expire (deadlineMs < timeMs), open motions whose tally passes are settled
//      (a re-based motion can pass without a new ballot);
//   2. each statement in order: accepted, or rejected with a code (state unchanged);
//   3. finish: if the world changed, ONE new world (version + 1, previous = hash of the world
//      in force) whose causes are the statements that changed it; open motions are re-based
//      onto it when their changes still apply, and rejected with the breaking rule's code
//      otherwise; ballots of members who no longer vote are dropped.
// Entries: [batch header, accepted statements…, outcomes…, ceremony restarts…, world?]. The
// federation key's ceremony (charter §22) moves with the statements and its deadlines are
// checked after the passes at the start (step 1). The new world takes
// effect for the next height: validatorsOf(returned state) are the validators of height + 1.

import { canonicalBytes, type Json } from '../codec/index.ts';
import { afterNewWorld, ceremonyDeadlines } from './ceremony.ts';
import { applyChanges } from './changes.ts';
import { HEIGHT_MAX, TIME_MS_MAX } from './constants.ts';
import type { Draft } from './draft.ts';
import { dutyEpochOf, settleDuties } from './duties.ts';
import { encodeEntry, type LedgerEntry } from './entry.ts';
import { GovernanceError, type Rejection, type RejectionCode } from './errors.ts';
import { worldHash } from './hash.ts';
import type { World } from './model.ts';
import { POLICY_RANGES } from './policy.ts';
import {
  checkRecovery,
  parseSignedRecovery,
  recoveredWorld,
  recoveryEffectiveMs,
  recoveryId,
  type SignedRecovery,
} from './recovery.ts';
import { applyStatement, settleMotion } from './rules.ts';
import { nextSeen } from './seen.ts';
import type { GovernanceState, OpenMotion } from './state.ts';
import type { SignedStatement } from './statement-types.ts';
import { type KnownStatement, type StatementVerifier, verifyOnTheSpot } from './verifier.ts';

export interface Batch {
  height: number;
  timeMs: number;
  /** The member whose root proposed the batch (a voting member of the world in force). */
  proposer: string;
  statements: readonly SignedStatement[];
}

export interface BatchRejection {
  index: number;
  code: RejectionCode;
  message: string;
  rule: string;
}

export interface BatchResult {
  state: GovernanceState;
  /** Ledger entries to append: [header, accepted statements…, outcomes…, world?]. */
  entries: Uint8Array[];
  rejected: BatchRejection[];
  /** The world produced by this batch, if any. */
  world: World | null;
}

/** Options of executeBatch and replay; the defaults are the pure rules as written. */
export interface ExecuteOptions {
  /** How statement signatures are checked (verifier.ts); default: verified on the spot. */
  verify?: StatementVerifier;
  /**
   * Statements the caller decoded from ledger entries and will not mutate, with their ids and
   * entry bytes (an auditor replaying a ledger): they are not parsed, hashed or encoded again.
   */
  known?: ReadonlyMap<SignedStatement, KnownStatement>;
  /**
   * The RFC 6962 root (lowercase hex) of the ledger's first `size` entries, for a replay to
   * check the root a recovery names (charter §20); undefined when the caller has no tree.
   */
  rootHashAt?: (size: number) => string | undefined;
}

/** The working copy of a batch at `timeMs`, nothing applied yet. */
function draftOf(state: GovernanceState, timeMs: number, options: ExecuteOptions): Draft {
  const base = state;
  return {
    base,
    timeMs,
    world: structuredClone(base.world),
    motions: new Map(base.openMotions.map((m) => [m.id, structuredClone(m)])),
    admissions: { ...base.admissions },
    seen: base.seen,
    seenAdded: new Map(),
    verify: options.verify ?? verifyOnTheSpot,
    known: options.known,
    retiredNodeKeys: structuredClone(base.retiredNodeKeys),
    selfUpdates: structuredClone(base.selfUpdates ?? {}),
    accepted: [],
    outcomes: [],
    causes: [],
    reports: base.dutyReports ?? null,
    ceremony: base.ceremony,
    ceremonyOwned: false,
    ceremonies: [],
    pending: base.pendingSignatures ?? [],
  };
}

/** The working copy of a batch at `timeMs`, after the batch-start work (CHARTER §17 steps 1–3). */
export function begin(state: GovernanceState, timeMs: number, options: ExecuteOptions = {}): Draft {
  const d = draftOf(state, timeMs, options);
  const period = state.world.policy.probationPeriodMs;
  for (const m of d.world.members) {
    if (m.status === 'probation' && timeMs >= m.since + period) {
      m.status = 'voting';
      m.since = timeMs;
    }
  }
  // Reports on epoch E are taken during E + 1 only; from the first batch after, E is judged.
  if (d.reports !== null && d.reports.epoch !== dutyEpochOf(timeMs, state.world) - 1) {
    const settled = settleDuties({
      reports: d.reports,
      inForce: state.world,
      inForceHash: state.worldHash,
      working: d.world,
      openMotions: d.motions.values(),
      timeMs,
    });
    d.world = settled.world;
    for (const m of settled.motions) d.motions.set(m.id, m);
    d.outcomes.push(...settled.entries);
    d.reports = null;
  }
  for (const m of sortedMotions(d)) {
    if (m.deadlineMs < timeMs) {
      d.motions.delete(m.id);
      d.outcomes.push({ kind: 'outcome', motion: m.id, result: 'expired' });
    }
  }
  for (const m of sortedMotions(d)) if (d.motions.has(m.id)) settleMotion(d, m);
  ceremonyDeadlines(d);
  return d;
}

function sortedMotions(d: Draft): OpenMotion[] {
  return [...d.motions.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function sameContent(a: World, b: World): boolean {
  const bytes = (w: World) =>
    canonicalBytes({ members: w.members, policy: w.policy, key: w.federationKey } as unknown as Json);
  return Buffer.from(bytes(a)).equals(bytes(b));
}

function rebase(d: Draft, next: World, nextHash: string): OpenMotion[] {
  const kept: OpenMotion[] = [];
  const voting = new Set(next.members.filter((m) => m.status === 'voting').map((m) => m.name));
  for (const m of sortedMotions(d)) {
    const check = applyChanges(next, m.changes, d.timeMs, d.retiredNodeKeys);
    if ('code' in check) {
      d.outcomes.push({ kind: 'outcome', motion: m.id, result: 'rejected', reason: check.code });
      continue;
    }
    const ballots = Object.fromEntries(Object.entries(m.ballots).filter(([name]) => voting.has(name)));
    kept.push({ ...m, parent: nextHash, ballots });
  }
  return kept;
}

/** Ends a batch (CHARTER §17 step 5): the new state and the entries. Adds re-basing outcomes to `d`. */
export function finish(d: Draft, header: LedgerEntry, height: number): BatchResult {
  const base = d.base;
  let world = base.world;
  let hash = base.worldHash;
  let produced: World | null = null;
  let motions = sortedMotions(d);
  let ceremony = d.ceremony;
  let pending = d.pending;
  if (!sameContent(base.world, d.world)) {
    produced = { ...d.world, version: base.world.version + 1, previous: base.worldHash };
    world = produced;
    hash = worldHash(produced);
    motions = rebase(d, produced, hash);
    ({ ceremony, pending } = afterNewWorld(d, produced, hash));
  }
  // Ids are remembered for the longest age any policy may allow, not the current one: a
  // policy change that widens statementAgeMaxMs must not let a forgotten statement in again.
  const horizon = d.timeMs - POLICY_RANGES.statementAgeMaxMs[1];
  const seen = nextSeen(base.seen, d.seenAdded, horizon);
  const keyHorizon = d.timeMs - world.policy.motionTtlMs;
  const retiredNodeKeys = Object.fromEntries(
    Object.entries(d.retiredNodeKeys).filter(([, r]) => r.retiredMs >= keyHorizon),
  );
  // Self-update times are kept like statement ids: for the longest window and the most updates
  // any policy allows, of members still in the world.
  const [, updatesMax] = POLICY_RANGES.selfUpdatesPerWindowMax;
  const updateHorizon = d.timeMs - POLICY_RANGES.selfUpdateWindowMs[1];
  const selfUpdates: Record<string, number[]> = {};
  for (const [name, times] of Object.entries(d.selfUpdates)) {
    const kept = times.filter((t) => t > updateHorizon).slice(-updatesMax);
    if (kept.length > 0 && world.members.some((m) => m.name === name)) selfUpdates[name] = kept;
  }
  const entries: Uint8Array[] = [encodeEntry(header)];
  for (const s of d.accepted)
    entries.push(d.known?.get(s)?.entry ?? encodeEntry({ kind: 'statement', statement: s }));
  for (const o of d.outcomes) entries.push(encodeEntry(o));
  for (const c of d.ceremonies) entries.push(encodeEntry(c));
  if (produced !== null) entries.push(encodeEntry({ kind: 'world', world: produced, causes: d.causes }));
  const state: GovernanceState = {
    world,
    worldHash: hash,
    height,
    timeMs: d.timeMs,
    openMotions: motions,
    admissions: d.admissions,
    seen,
    retiredNodeKeys,
    selfUpdates,
    dutyReports: d.reports,
  };
  if (ceremony !== undefined) state.ceremony = ceremony;
  if (pending.length > 0) state.pendingSignatures = pending;
  return { state, entries, rejected: [], world: produced };
}

export function checkHeader(state: GovernanceState, batch: Batch): void {
  const bad = (message: string) => new GovernanceError('BAD_BATCH', message);
  if (!Number.isSafeInteger(batch.height) || batch.height !== state.height + 1 || batch.height > HEIGHT_MAX) {
    throw bad(`batch height must be ${state.height + 1}, got ${batch.height}`);
  }
  if (!Number.isSafeInteger(batch.timeMs) || batch.timeMs < state.timeMs || batch.timeMs > TIME_MS_MAX) {
    throw bad(
      `batch time ${batch.timeMs} is earlier than the previous batch's ${state.timeMs}; ledger time never goes back`,
    );
  }
  const proposer = state.world.members.find((m) => m.name === batch.proposer);
  if (proposer === undefined || proposer.status !== 'voting') {
    throw bad(`proposer "${batch.proposer}" is not a voting member of the world in force`);
  }
  if (!Array.isArray(batch.statements) || batch.statements.length > state.world.policy.batchStatementsMax) {
    throw bad(`a batch holds at most ${state.world.policy.batchStatementsMax} statements`);
  }
}

/**
 * Executes one batch. Throws GovernanceError BAD_BATCH when the header cannot follow the
 * state (height, time, proposer, size); otherwise returns the new state, the ledger entries
 * to append and the statements that were rejected (which are not in the entries).
 */
export function executeBatch(
  state: GovernanceState,
  batch: Batch,
  options: ExecuteOptions = {},
): BatchResult {
  checkHeader(state, batch);
  const d = begin(state, batch.timeMs, options);
  const rejected: BatchRejection[] = [];
  batch.statements.forEach((s, index) => {
    const r = applyStatement(d, s);
    if (r !== null) rejected.push({ index, ...r });
  });
  const header: LedgerEntry = {
    kind: 'batch',
    height: batch.height,
    timeMs: batch.timeMs,
    proposer: batch.proposer,
  };
  return { ...finish(d, header, batch.height), rejected };
}

/**
 * Would this statement be accepted in a batch at context.timeMs? Verification and rules
 * against the current state, including the expiries and probation ends due by then. Never
 * changes the state. context.timeMs earlier than the last batch is read as the last batch time.
 */
export function checkStatement(
  state: GovernanceState,
  signed: SignedStatement,
  context: { timeMs: number; verify?: StatementVerifier },
): Rejection | null {
  const timeMs = Math.max(state.timeMs, Math.min(context.timeMs, TIME_MS_MAX));
  const d = begin(state, timeMs, context.verify === undefined ? {} : { verify: context.verify });
  return applyStatement(d, signed);
}

/**
 * apply(state, statement, context): one statement as a batch of its own at
 * context.height (default state.height + 1) and context.timeMs, proposed by context.proposer
 * (default the first validator). Returns the new state and entries, or the rejection.
 */
export function apply(
  state: GovernanceState,
  signed: SignedStatement,
  context: { timeMs: number; height?: number; proposer?: string },
): { state: GovernanceState; entries: Uint8Array[] } | { rejection: Rejection } {
  const proposer = context.proposer ?? state.world.members.find((m) => m.status === 'voting')!.name;
  const result = executeBatch(state, {
    height: context.height ?? state.height + 1,
    timeMs: context.timeMs,
    proposer,
    statements: [signed],
  });
  const r = result.rejected[0];
  if (r !== undefined) return { rejection: { code: r.code, message: r.message, rule: r.rule } };
  return { state: result.state, entries: result.entries };
}

/**
 * Executes a recovery (charter §20) as the batch of its own it opens: height recovery.height,
 * time recovery.timeMs + timeLockMs, the removed members gone, open motions re-based (§16).
 * `ledger` is the ledger before it: its size, and its root hash when the caller has the tree.
 * Throws GovernanceError BAD_RECOVERY, with the rejection, when the rules refuse it.
 */
export function executeRecovery(
  state: GovernanceState,
  input: SignedRecovery,
  ledger: { size: number; rootHash?: string },
  options: ExecuteOptions = {},
): BatchResult {
  const rejection = checkRecovery(state, input, ledger);
  if (rejection !== null)
    throw new GovernanceError('BAD_RECOVERY', `${rejection.code} (${rejection.rule}): ${rejection.message}`, {
      rejection,
    });
  const signed = parseSignedRecovery(input);
  const d = draftOf(state, recoveryEffectiveMs(state, signed), options);
  d.world = recoveredWorld(d.world, signed);
  // Worlds still waiting for the retired key's signatures never get them.
  d.pending = [];
  d.causes.push(recoveryId(signed));
  return finish(d, { kind: 'recovery', recovery: signed }, signed.recovery.height);
}
