// The state of a DKG ceremony for the federation key (charter §22): who takes part, the
// threshold, the phase and its start, and the public record so far — round-1 commitments,
// sealed round-2 shares, confirmations. JSON-safe, part of the governance state, rebuilt by
// every replay. The rules that move it are in ceremony.ts.

import { quorumSize } from '../base/index.ts';
import type { FederationKey } from './federation-key.ts';
import type { World } from './model.ts';
import type { SealedShareRecord } from './statement-types.ts';
import { ceremonySession } from './world-signatures.ts';

export type CeremonyPhase = 'commitments' | 'shares' | 'confirmations';
export const CEREMONY_PHASES: readonly CeremonyPhase[] = ['commitments', 'shares', 'confirmations'];

/** Why a member was left out of a ceremony; recorded in the ledger (a ceremony entry). */
export type ExclusionReason =
  /** It did not send its part of a phase before the phase's deadline. */
  | 'DKG_ABSENT'
  /** Its round-1 proof of knowledge does not verify. */
  | 'DKG_BAD_PROOF'
  /** A share it sealed did not open, or did not match its commitment (shown by a complaint). */
  | 'DKG_BAD_SHARE'
  /** It complained of a share that opens and matches. */
  | 'DKG_FALSE_COMPLAINT';
export const EXCLUSION_REASONS: readonly ExclusionReason[] = [
  'DKG_ABSENT',
  'DKG_BAD_PROOF',
  'DKG_BAD_SHARE',
  'DKG_FALSE_COMPLAINT',
];

export interface Exclusion {
  member: string;
  reason: ExclusionReason;
}

/** A round-1 commitment as the ceremony keeps it (hex). */
export interface CommitmentRecord {
  commitment: string[];
  proofOfKnowledge: string;
  sealingKey: string;
}

export interface Ceremony {
  /** Session id (hex): binds every package to this ceremony. */
  session: string;
  /** The world version whose voting members the key is for. */
  version: number;
  /** The approval quorum of that world's voting members. */
  threshold: number;
  /** Sorted; the voting members minus those left out so far. */
  participants: string[];
  phase: CeremonyPhase;
  /** Ledger time the phase began; 0 for a ceremony opened at genesis until the first batch. */
  phaseStartMs: number;
  commitments: Record<string, CommitmentRecord>;
  shares: Record<string, SealedShareRecord[]>;
  confirmed: string[];
  /** The key the transcript gives, once every commitment is in and every proof verified. */
  key?: FederationKey;
  /** Members left out by earlier attempts for the same voting members. */
  excluded: string[];
}

/** Voting members of a world, by name. */
export function votingNames(world: World): string[] {
  return world.members.filter((m) => m.status === 'voting').map((m) => m.name);
}

/**
 * A new ceremony for the voting members of `world`, minus `excluded` — or all of them when
 * fewer than a quorum would be left, so that a key can always be made. Undefined when the
 * policy has no federation key or fewer than two members vote (FROST needs two).
 * `from`: the world hash for a first attempt, the previous session for a restart.
 */
export function openCeremony(
  world: World,
  from: string,
  timeMs: number,
  excluded: readonly string[] = [],
): Ceremony | undefined {
  const voting = votingNames(world);
  if (world.policy.federationKey === undefined || voting.length < 2) return undefined;
  const threshold = quorumSize(voting.length);
  let left = voting.filter((name) => !excluded.includes(name));
  let out = voting.filter((name) => excluded.includes(name));
  if (left.length < threshold) {
    left = voting;
    out = [];
  }
  return {
    session: ceremonySession(from),
    version: world.version,
    threshold,
    participants: left,
    phase: 'commitments',
    phaseStartMs: timeMs,
    commitments: {},
    shares: {},
    confirmed: [],
    excluded: out,
  };
}

/** Participants that have not yet sent their part of the current phase. */
export function missingInPhase(c: Ceremony): string[] {
  const done =
    c.phase === 'commitments'
      ? Object.keys(c.commitments)
      : c.phase === 'shares'
        ? Object.keys(c.shares)
        : c.confirmed;
  return c.participants.filter((p) => !done.includes(p));
}
