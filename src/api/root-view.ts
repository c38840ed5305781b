// What a root's own HTTP routes need from the root, and nothing more: snapshots to read and
// the one write (submit). The root implements it; the routes never see the root's fields, so
// a route cannot change the root's state other than by submitting a statement.

import type { Decision } from '../consensus/index.ts';
import type {
  ChainHead,
  Evidence,
  GovernanceState,
  OutcomeResult,
  Rejection,
  Screened,
  SignedGenesis,
  SignedStatement,
  WorldStep,
} from '../governance/index.ts';

/** Why a submitted statement was not taken: a rule (with its charter section), or a full pool or author's share of it. */
export type SubmitRejection = Rejection | { code: 'POOL_FULL' | 'POOL_AUTHOR_FULL'; message: string };

export interface SubmitResult {
  id: string;
  rejection: SubmitRejection | null;
  /** Already committed or pending here: nothing was done. */
  known: boolean;
}

/** Where a statement is on this root. */
export type StatementStatus =
  | { id: string; status: 'committed'; index: number; height: number }
  | { id: string; status: 'pending' }
  | { id: string; status: 'unknown' };

/** A decided motion and the ledger entry that records its outcome. */
export interface MotionOutcome {
  id: string;
  result: OutcomeResult;
  reason?: string;
  index: number;
  height: number;
}

/** Every world since genesis with the proof that the ledger committed it (governance chain.ts). */
export interface WorldChain {
  genesis: SignedGenesis;
  steps: WorldStep[];
  head: ChainHead | null;
}

/** A committed batch value with its commit certificate, as peers fetch it to catch up. */
export interface DecisionRecord {
  height: number;
  round: number;
  valueId: string;
  /** The batch value, base64. */
  value: string;
  /** A quorum of signed precommits for the value at that height and round. */
  certificate: Decision['certificate'];
}

/** This root's view of itself: governance height, the consensus step, peers, the last commit. */
export interface RootStatus {
  /** This root's member name, or null when it is not a member of the world in force. */
  member: string | null;
  federation: string;
  worldVersion: number;
  height: number;
  consensus: { height: number; round: number; step: string; active: boolean };
  ledger: { size: number; checkpointCosigners: string[] };
  /** Statements waiting for a batch. */
  pending: number;
  peerId: string;
  addrs: string[];
  peers: string[];
  lastCommit: { height: number; size: number; timeMs: number; atMs: number } | null;
  /** Relay duty now: reservations held, relayed connections open, bytes relayed since start. */
  relay: { reservations: number; circuits: number; relayedBytes: number };
  /** Rendezvous duty now: registrations stored. */
  rendezvous: { registrations: number };
  /** The root's clock, ms. */
  timeMs: number;
}

export interface RootView {
  /** The governance state after the last committed batch; replaced, never changed, on commit. */
  state(): GovernanceState;
  worldChain(): Promise<WorldChain>;
  /** The outcome of a decided motion, or undefined. */
  outcome(id: string): MotionOutcome | undefined;
  /** The `limit` most recently decided motions, newest first. */
  decidedMotions(limit: number): MotionOutcome[];
  /**
   * Checks a statement against the rules now; takes it into the pool and gossips it if fresh.
   * `screened`: what screenStatement found when the caller already screened it.
   */
  submit(signed: SignedStatement, screened?: Screened): SubmitResult;
  statementStatus(id: string): StatementStatus;
  status(): RootStatus;
  /** Decisions recorded for heights [from, from + limit), in height order, stopping at a gap. */
  decisions(from: number, limit: number): Promise<DecisionRecord[]>;
  /** Equivocation this root has seen. */
  evidence(): readonly Evidence[];
}
