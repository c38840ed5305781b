// Statement shapes. A statement is
// self-contained: the ledger stores exactly the object its author signed.

import type { SignedVote } from '../wire/index.ts';
import type { Endpoints, MemberDescriptor } from './model.ts';
import type { Duty, Policy } from './policy.ts';
import type { ZeroTierRoot } from './zerotier-root.ts';

export type StatementKind =
  | 'motion'
  | 'ballot'
  | 'evidence'
  | 'self-update'
  | 'duty-report'
  | 'dkg-commitment'
  | 'dkg-shares'
  | 'dkg-confirmation'
  | 'dkg-complaint'
  | 'federation-signature';
export const STATEMENT_KINDS: readonly StatementKind[] = [
  'motion',
  'ballot',
  'evidence',
  'self-update',
  'duty-report',
  'dkg-commitment',
  'dkg-shares',
  'dkg-confirmation',
  'dkg-complaint',
  'federation-signature',
];

/**
 * Statements a member's root makes on its own, signed by the member's NODE key (charter §2,
 * §22): the federation key's DKG and the federation's signatures. Officers never sign them.
 */
export type RootStatementKind = Extract<
  StatementKind,
  'dkg-commitment' | 'dkg-shares' | 'dkg-confirmation' | 'dkg-complaint' | 'federation-signature'
>;
export const ROOT_STATEMENT_KINDS: readonly RootStatementKind[] = [
  'dkg-commitment',
  'dkg-shares',
  'dkg-confirmation',
  'dkg-complaint',
  'federation-signature',
];

export function isRootStatementKind(kind: StatementKind): kind is RootStatementKind {
  return (ROOT_STATEMENT_KINDS as readonly StatementKind[]).includes(kind);
}

/** Which of the author's keys signs a statement of this kind: the node key for a root's own (§2, §21, §22). */
export function signerRoleOf(kind: StatementKind): 'node' | 'governance' {
  return kind === 'duty-report' || isRootStatementKind(kind) ? 'node' : 'governance';
}

interface StatementBase {
  kind: StatementKind;
  federation: string;
  /**
   * The authoring member's name; the signature is by that member's governance key — by its
   * node key for a duty report and the root statements (charter §2, §21, §22; signerRoleOf).
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
  /** A new ML-DSA-44 key (base64) for the member's post-quantum cosignatures. */
  mlDsaKey?: string;
  /** A new ZeroTier root (identity and endpoints). */
  zerotier?: ZeroTierRoot;
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

/** Round 1 of the DKG (charter §22): the author's VSS commitment, proof and sealing key (hex). */
export interface DkgCommitmentStatement extends StatementBase {
  kind: 'dkg-commitment';
  session: string;
  commitment: string[];
  proofOfKnowledge: string;
  sealingKey: string;
}

/** One share sealed to one other participant (hex; src/frost seal.ts). */
export interface SealedShareRecord {
  to: string;
  nonce: string;
  ciphertext: string;
}

/** Round 2: one sealed share to every other participant, sorted by recipient. */
export interface DkgSharesStatement extends StatementBase {
  kind: 'dkg-shares';
  session: string;
  shares: SealedShareRecord[];
}

/** Round 3 done: every share to the author opened and matched; the group key it computed. */
export interface DkgConfirmationStatement extends StatementBase {
  kind: 'dkg-confirmation';
  session: string;
  /** Base64 of the group key. */
  publicKey: string;
}

/** A share to the author did not open or match: the author's session sealing secret, revealed. */
export interface DkgComplaintStatement extends StatementBase {
  kind: 'dkg-complaint';
  session: string;
  accused: string;
  /** Hex of the author's X25519 sealing secret of this session. */
  sealingSecret: string;
}

/** The federation's signatures for one committed world (charter §22): base64 Ed25519 signatures. */
export interface FederationSignatureStatement extends StatementBase {
  kind: 'federation-signature';
  version: number;
  /** Over the world note's text, one per key the rules name, in that order. */
  worldNote: string[];
  /** Over the planet's 32-byte C25519 digest, when the world yields a planet. */
  planet?: string;
  /** Over the moon's digest, when the world yields a moon. */
  moon?: string;
}

export type RootStatement =
  | DkgCommitmentStatement
  | DkgSharesStatement
  | DkgConfirmationStatement
  | DkgComplaintStatement
  | FederationSignatureStatement;

export type Statement =
  | MotionStatement
  | BallotStatement
  | EvidenceStatement
  | SelfUpdateStatement
  | DutyReportStatement
  | RootStatement;

export interface SignedStatement<S extends Statement = Statement> {
  statement: S;
  /** Ed25519 by the author's governance key (node key for root statements) over signingBytes('witan/v1/governance/<kind>', statement). */
  signature: string;
}
