// Builders for statements people make (CLI, API, tests). They only assemble fields; the rules
// engine checks everything. Sign the result with signStatement.

import type { Endpoints, MemberDescriptor } from './model.ts';
import type { GovernanceState } from './state.ts';
import type {
  BallotChoice,
  BallotStatement,
  CandidateSignatures,
  Change,
  DkgCommitmentStatement,
  DkgComplaintStatement,
  DkgConfirmationStatement,
  DkgSharesStatement,
  Evidence,
  EvidenceStatement,
  FederationSignatureStatement,
  MotionStatement,
  SelfUpdateStatement,
} from './statement-types.ts';
import type { ZeroTierRoot } from './zerotier-root.ts';

/** A motion against the world in force, deadline createdMs + policy.motionTtlMs unless given. */
export function motion(
  state: GovernanceState,
  author: string,
  changes: Change[],
  createdMs: number,
  options: { deadlineMs?: number; summary?: string } = {},
): MotionStatement {
  const s: MotionStatement = {
    kind: 'motion',
    federation: state.world.federation,
    author,
    createdMs,
    parentWorld: { hash: state.worldHash, version: state.world.version },
    deadlineMs: options.deadlineMs ?? createdMs + state.world.policy.motionTtlMs,
    changes,
  };
  if (options.summary !== undefined) s.summary = options.summary;
  return s;
}

export function ballot(
  federation: string,
  author: string,
  motionId: string,
  choice: BallotChoice,
  createdMs: number,
  reason?: string,
): BallotStatement {
  const s: BallotStatement = { kind: 'ballot', federation, author, createdMs, motion: motionId, choice };
  if (reason !== undefined) s.reason = reason;
  return s;
}

export function evidence(
  federation: string,
  author: string,
  proof: Evidence,
  createdMs: number,
): EvidenceStatement {
  return { kind: 'evidence', federation, author, createdMs, evidence: proof };
}

export function selfUpdate(
  federation: string,
  author: string,
  createdMs: number,
  update: {
    endpoints?: Endpoints;
    nodeKey?: { key: string; signature: string };
    mlDsaKey?: string;
    zerotier?: ZeroTierRoot;
  },
): SelfUpdateStatement {
  const s: SelfUpdateStatement = { kind: 'self-update', federation, author, createdMs };
  if (update.endpoints !== undefined) s.endpoints = update.endpoints;
  if (update.mlDsaKey !== undefined) s.mlDsaKey = update.mlDsaKey;
  if (update.zerotier !== undefined) s.zerotier = update.zerotier;
  if (update.nodeKey !== undefined) {
    s.nodeKey = update.nodeKey.key;
    s.nodeKeySignature = update.nodeKey.signature;
  }
  return s;
}

export function admitChange(candidate: MemberDescriptor, candidateSignatures: CandidateSignatures): Change {
  return { type: 'admit', candidate, candidateSignatures };
}

// Statements a root makes itself (charter §22); sign them with the member's node key.

type Base = { federation: string; author: string; createdMs: number };

/** Round 1: the author's broadcast (src/frost DkgParticipant.broadcast). */
export function dkgCommitment(
  base: Base,
  broadcast: { sessionId: string; commitment: string[]; proofOfKnowledge: string; sealingKey: string },
): DkgCommitmentStatement {
  return {
    kind: 'dkg-commitment',
    ...base,
    session: broadcast.sessionId,
    commitment: [...broadcast.commitment],
    proofOfKnowledge: broadcast.proofOfKnowledge,
    sealingKey: broadcast.sealingKey,
  };
}

/** Round 2: the author's sealed shares, one per other participant, sorted by recipient. */
export function dkgShares(
  base: Base,
  session: string,
  sealed: readonly { to: string; nonce: string; ciphertext: string }[],
): DkgSharesStatement {
  const shares = sealed
    .map((x) => ({ to: x.to, nonce: x.nonce, ciphertext: x.ciphertext }))
    .sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  return { kind: 'dkg-shares', ...base, session, shares };
}

export function dkgConfirmation(base: Base, session: string, publicKey: string): DkgConfirmationStatement {
  return { kind: 'dkg-confirmation', ...base, session, publicKey };
}

export function dkgComplaint(
  base: Base,
  session: string,
  accused: string,
  sealingSecret: string,
): DkgComplaintStatement {
  return { kind: 'dkg-complaint', ...base, session, accused, sealingSecret };
}

export function federationSignature(
  base: Base,
  version: number,
  signatures: { worldNote: string[]; planet?: string; moon?: string },
): FederationSignatureStatement {
  const s: FederationSignatureStatement = {
    kind: 'federation-signature',
    ...base,
    version,
    worldNote: [...signatures.worldNote],
  };
  if (signatures.planet !== undefined) s.planet = signatures.planet;
  if (signatures.moon !== undefined) s.moon = signatures.moon;
  return s;
}
