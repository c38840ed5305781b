// Builders for statements people make (CLI, API, tests). They only assemble fields; the rules
// engine checks everything. Sign the result with signStatement.

import type { Endpoints, MemberDescriptor } from './model.ts';
import type { GovernanceState } from './state.ts';
import type {
  BallotChoice,
  BallotStatement,
  CandidateSignatures,
  Change,
  Evidence,
  EvidenceStatement,
  MotionStatement,
  SelfUpdateStatement,
} from './statement-types.ts';

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
  update: { endpoints?: Endpoints; nodeKey?: { key: string; signature: string } },
): SelfUpdateStatement {
  const s: SelfUpdateStatement = { kind: 'self-update', federation, author, createdMs };
  if (update.endpoints !== undefined) s.endpoints = update.endpoints;
  if (update.nodeKey !== undefined) {
    s.nodeKey = update.nodeKey.key;
    s.nodeKeySignature = update.nodeKey.signature;
  }
  return s;
}

export function admitChange(candidate: MemberDescriptor, candidateSignatures: CandidateSignatures): Change {
  return { type: 'admit', candidate, candidateSignatures };
}
