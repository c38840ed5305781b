// What a root's own HTTP routes need from the root, and nothing more: snapshots to read and
// the one write (submit). The root implements it; the routes never see the root's fields, so
// a route cannot change the root's state other than by submitting a statement.

import type { Decision } from '../consensus/index.ts';
import type {
  BallotChoice,
  ChainHead,
  Change,
  ChangeDiff,
  Evidence,
  GovernanceState,
  OutcomeResult,
  Rejection,
  Screened,
  SignedGenesis,
  SignedStatement,
  Tally,
  WorldStep,
} from '../governance/index.ts';
import type { ChangeSignal } from './change-signal.ts';

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

/** A decided motion: how, in which batch, and the world that batch left in force. */
export interface MotionOutcome {
  id: string;
  result: OutcomeResult;
  /** For a rejection: the code of the rule the changes broke (charter). */
  reason?: string;
  /** Ledger index of the outcome entry. */
  index: number;
  /** Height of the batch that decided it. */
  height: number;
  /** Version of the world in force after that batch (for a passed motion: the world it made). */
  worldVersion: number;
  /** That batch's time, ledger ms. */
  decidedMs: number;
}

/** A member's latest ballot on a motion, with the reason it signed. */
export interface BallotView {
  choice: BallotChoice;
  createdMs: number;
  /** statementId of the ballot. */
  id: string;
  reason?: string;
}

/** The rules' tally (governance tally.ts), and what it leaves unsaid. */
export interface TallyView extends Tally {
  /** Members whose ballot would count and who have cast none. */
  notVoted: number;
  /** A policy change or a removal: only seasoned voting members count, for and in the denominator (charter §13). */
  seasonedOnly: boolean;
}

/** What open and decided motions both say. */
export interface MotionFacts {
  id: string;
  /** The shortest prefix of the id (at least 8 hex digits) that no other statement here shares. */
  shortId: string;
  /** The member who moved it, or '#system' for a motion the rules opened (evidence, duties). */
  author: string;
  /** The mover's line for people, as signed. */
  summary?: string;
  changes: Change[];
  /** The changes field by field against `against`. */
  diff: ChangeDiff[];
  /** The world the diff and the tally are against: the one in force (open), or when decided. */
  against: { version: number; hash: string };
  createdMs: number;
  deadlineMs: number;
  /** Where the motion's statement (or the evidence that opened it) is in the ledger. */
  proposed: { index: number; height: number };
  /** Latest ballot per member name. */
  ballots: Record<string, BallotView>;
  tally: TallyView;
}

export interface OpenMotionView extends MotionFacts {
  status: 'open';
  /** worldHash of the world it applies to (re-based when the world changes). */
  parent: string;
}

export interface DecidedMotionView extends MotionFacts, Omit<MotionOutcome, 'id'> {
  status: 'decided';
}

export type MotionView = OpenMotionView | DecidedMotionView;

/** What a prefix of an id names on this root. `candidates` is bounded; `more` says there are others. */
export type IdMatch =
  | { kind: 'one'; id: string }
  | { kind: 'none' }
  | { kind: 'many'; candidates: string[]; more: boolean };

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
  /** The release this root runs (package version). */
  version: string;
  /** Whether it commits with a quorum now, and why not (the same answer as GET /ready). */
  health: {
    verdict: 'healthy' | 'degraded' | 'behind' | 'stalled';
    ready: boolean;
    reasons: { code: string; message: string }[];
  };
}

export interface RootView {
  /** Wakes requests that wait for a commit (GET /statements/<id>?wait=); none: they never wait. */
  readonly changes?: ChangeSignal;
  /** The governance state after the last committed batch; replaced, never changed, on commit. */
  state(): GovernanceState;
  /** The whole chain; a root makes it again only when its published checkpoint changes. */
  worldChain(): Promise<WorldChain>;
  /** The outcome of a decided motion (full id), or undefined. */
  outcome(id: string): MotionOutcome | undefined;
  /** A motion by full id, open or decided, with its words, ballots and diff; undefined if neither. */
  motion(id: string): Promise<MotionView | undefined>;
  /** Every open motion, and the `decidedLimit` most recently decided, newest first. */
  motions(decidedLimit: number): Promise<{ open: OpenMotionView[]; decided: DecidedMotionView[] }>;
  /**
   * The statements (committed or pending) whose ids start with `prefix` (8 to 64 lowercase hex
   * digits); with 'motion', only motions and the evidence that opened a removal motion.
   */
  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch;
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
