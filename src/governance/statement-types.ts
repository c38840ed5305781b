// Statement shapes. A statement is
// self-contained: the ledger stores exactly the object its author signed.

import type { SignedVote } from '../wire/index.ts';
import type { Endpoints, MemberDescriptor } from './model.ts';
import type { Duty, Policy } from './policy.ts';

export type StatementKind = 'motion' | 'ballot' | 'evidence' | 'self-update' | 'duty-report';
export const STATEMENT_KINDS: readonly StatementKind[] = [
  'motion',
  'ballot',
  'evidence',
  'self-update',
  'duty-report',
];

interface StatementBase {
  kind: StatementKind;
  federation: string;
  /**
   * The authoring member's name; the signature is by that member's governance key — by its
   * node key for a duty report (charter §2, §21).
   */
  author: string;
  /** When the author signed, ledger milliseconds since the Unix epoch. */
  createdMs: number;
}

/**
 * Proof that the candidate holds both keys it declares: each key signs
 * signingBytes('witan/v1/governance/candidate', { federation, candidate }).
 */
export interface CandidateSignatures {
  governance: string;
  node: string;
}

export type Change =
  | { type: 'admit'; candidate: MemberDescriptor; candidateSignatures: CandidateSignatures }
  | { type: 'remove'; member: string }
  /** A suspended member back in probation (charter §14): it votes again when that ends. */
  | { type: 'reinstate'; member: string }
  | {
      type: 'update-member';
      member: string;
      organisation?: string;
      jurisdiction?: string;
      endpoints?: Endpoints;
    }
  | {
      type: 'replace-governance-key';
      member: string;
      governanceKey: string;
      /** The new key's signature over its key-possession bytes (statements.ts keyPossessionBytes). */
      keySignature: string;
    }
  | { type: 'change-policy'; policy: Policy }
  /** A voting member goes to probation (since = the batch time); charter §21. */
  | { type: 'probation'; member: string };

export type ChangeType = Change['type'];
export const CHANGE_TYPES: readonly ChangeType[] = [
  'admit',
  'remove',
  'reinstate',
  'update-member',
  'replace-governance-key',
  'change-policy',
  'probation',
];

export interface WorldRef {
  hash: string;
  version: number;
}

export interface MotionStatement extends StatementBase {
  kind: 'motion';
  /** The world this motion changes (must be the world in force when it is committed). */
  parentWorld: WorldRef;
  /** Ballots count until this time, inclusive; createdMs < deadlineMs ≤ createdMs + motionTtlMs. */
  deadlineMs: number;
  changes: Change[];
  /** A line for people: why. */
  summary?: string;
}

export type BallotChoice = 'yes' | 'no' | 'abstain';
export const BALLOT_CHOICES: readonly BallotChoice[] = ['yes', 'no', 'abstain'];

export interface BallotStatement extends StatementBase {
  kind: 'ballot';
  /** statementId of the motion. */
  motion: string;
  choice: BallotChoice;
  reason?: string;
}

export type Evidence =
  | { type: 'votes'; first: SignedVote; second: SignedVote }
  | {
      type: 'checkpoints';
      /** The member whose node key cosigned both checkpoints (cosignature key name = member name). */
      member: string;
      /** Two signed checkpoint notes, same origin and size, different root hashes. */
      first: string;
      second: string;
    };

export interface EvidenceStatement extends StatementBase {
  kind: 'evidence';
  evidence: Evidence;
}

export interface SelfUpdateStatement extends StatementBase {
  kind: 'self-update';
  endpoints?: Endpoints;
  /** A new node key and its signature over its key-possession bytes; both or neither. */
  nodeKey?: string;
  nodeKeySignature?: string;
}

/** Probes of one duty towards one root over an epoch: how many were tried, how many worked. */
export interface ProbeCount {
  attempted: number;
  /** At most `attempted`. */
  succeeded: number;
}

/** What one root saw of another over an epoch, per duty. */
export type Observation = { member: string } & Record<Duty, ProbeCount>;

/** A root's testimony about the other roots over one duty epoch (charter §21). */
export interface DutyReportStatement extends StatementBase {
  kind: 'duty-report';
  /** The duty epoch observed: floor(t / duties.epochMs) for the probes' times t. */
  epoch: number;
  /** Sorted by member name, each named once, never the author. */
  observations: Observation[];
}

export type Statement =
  | MotionStatement
  | BallotStatement
  | EvidenceStatement
  | SelfUpdateStatement
  | DutyReportStatement;

export interface SignedStatement<S extends Statement = Statement> {
  statement: S;
  /** Ed25519 by the author's governance key over signingBytes('witan/v1/governance/<kind>', statement). */
  signature: string;
}
