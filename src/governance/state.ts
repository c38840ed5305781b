// Governance state: the world in force, its hash, the open
// motions with their ballots, admissions in the current epoch, and the ids of recent
// statements (to refuse replays). JSON-safe, so a root can persist it and an auditor can
// compare it. Built only by genesisState and executeBatch.

import { Lru } from '../base/index.ts';
import { fromBase64 } from '../codec/index.ts';
import { ML_DSA_44_PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import { type Ceremony, openCeremony } from './ceremony-state.ts';
import { MEMBERS_MAX } from './constants.ts';
import { checkGenesis, type SignedGenesis } from './genesis.ts';
import { worldHash } from './hash.ts';
import type { World } from './model.ts';
import type { SeenIndex } from './seen.ts';
import type { BallotChoice, Change, Observation } from './statement-types.ts';
import type { PendingSignature } from './world-signatures.ts';

export interface RecordedBallot {
  choice: BallotChoice;
  createdMs: number;
  /** statementId of the ballot. */
  id: string;
}

export interface OpenMotion {
  /** statementId of the motion — of the evidence for a removal it opened; dutyMotionId for a duty motion. */
  id: string;
  /** The member who moved it, or '#system' for a motion the rules opened (evidence, duties). */
  author: string;
  changes: Change[];
  createdMs: number;
  deadlineMs: number;
  /** worldHash of the world it applies to: the world in force (re-based when the world changes). */
  parent: string;
  /** Latest ballot per member name. */
  ballots: Record<string, RecordedBallot>;
}

/** The duty reports committed for the epoch not yet judged (charter §21). */
export interface DutyReports {
  epoch: number;
  /** Each reporting member's observations, by member name. */
  by: Record<string, Observation[]>;
}

export interface GovernanceState {
  world: World;
  worldHash: string;
  /** Height of the last executed batch; 0 right after genesis. */
  height: number;
  /** Time of the last executed batch (ledger ms); batch times never go back. */
  timeMs: number;
  /** Sorted by id. */
  openMotions: OpenMotion[];
  /** Admissions passed in the epoch floor(timeMs / epochMs). */
  admissions: { epoch: number; count: number };
  /** Replay memory: statements still inside the age window, bucketed by createdMs (seen.ts). */
  seen: SeenIndex;
  /**
   * Node keys rotated away in the last motionTtlMs (base64 key → member and when), so that
   * evidence of equivocation under the old key still convicts, and nobody else takes the key.
   */
  retiredNodeKeys: Record<string, RetiredKey>;
  /**
   * Batch times of each member's accepted self-updates (charter §15), kept for the longest
   * window and the most updates any policy allows, so that a policy change never forgets one
   * that still counts. Absent in states saved before the rule existed: read as none.
   */
  selfUpdates?: Record<string, number[]>;
  /**
   * Reports on the last duty epoch, judged at the first batch of a later epoch; null when none.
   * Absent in states saved before duties existed (an auditor's --state file): read as none.
   */
  dutyReports?: DutyReports | null;
  /** The DKG ceremony in progress for the next federation key (charter §22); absent when none. */
  ceremony?: Ceremony;
  /** Committed worlds waiting for the federation's signatures (charter §22); absent when none. */
  pendingSignatures?: PendingSignature[];
}

export interface RetiredKey {
  member: string;
  retiredMs: number;
}

/** The state right after genesis. Verifies every founder signature; throws GovernanceError BAD_GENESIS. */
export function genesisState(genesis: SignedGenesis): GovernanceState {
  const checked = checkGenesis(genesis);
  const world = structuredClone(checked.world);
  const hash = worldHash(world);
  const state: GovernanceState = {
    world,
    worldHash: hash,
    height: 0,
    timeMs: 0,
    openMotions: [],
    admissions: { epoch: 0, count: 0 },
    seen: {},
    retiredNodeKeys: {},
    selfUpdates: {},
    dutyReports: null,
  };
  // A genesis that asks for a federation key opens its DKG at once; its clock starts at the
  // first batch (charter §22).
  const ceremony = world.federationKey === undefined ? openCeremony(world, hash, 0) : undefined;
  if (ceremony !== undefined) state.ceremony = ceremony;
  return state;
}

/**
 * A member's name and node key: who may sign for that member's root (consensus votes,
 * checkpoint cosignatures). Consensus's Validator is the same root keyed by its base64 key.
 */
export interface MemberKey {
  name: string;
  nodeKey: Uint8Array;
  /** The member's ML-DSA-44 key, when it declared one (its post-quantum cosignatures). */
  mlDsaKey?: Uint8Array;
}

/**
 * Keys decoded from their base64 text, by text: a root asks for the validators and cosigners on
 * every vote, note and commit, and strict decoding of an ML-DSA-44 key (1,312 bytes) was a tenth
 * of a seven-root federation's CPU per commit. The text is the key, so an entry never goes
 * stale; the bound (least recently used out first) holds two worlds' worth of members and keys (node and ML-DSA).
 */
const DECODED_KEYS_MAX = 4 * MEMBERS_MAX;
const decodedKeys = new Lru<string, Uint8Array>(DECODED_KEYS_MAX);

/** The key `text` encodes (strict base64 of `bytes`); the same Uint8Array for the same text, so never change it. */
function decodedKey(text: string, bytes: number): Uint8Array {
  const known = decodedKeys.get(text);
  if (known !== undefined && known.length === bytes) return known;
  const key = fromBase64(text, bytes);
  decodedKeys.set(text, key);
  return key;
}

function keysOf(world: World, statuses: readonly string[]): MemberKey[] {
  return world.members
    .filter((m) => statuses.includes(m.status))
    .map((m) => ({
      name: m.name,
      nodeKey: decodedKey(m.nodeKey, PUBLIC_KEY_BYTES),
      ...(m.mlDsaKey === undefined ? {} : { mlDsaKey: decodedKey(m.mlDsaKey, ML_DSA_44_PUBLIC_KEY_BYTES) }),
    }));
}

/** Voting members of the world in force, sorted by name: the validators of the next height. */
export function validatorsOf(state: GovernanceState): MemberKey[] {
  return keysOf(state.world, ['voting']);
}

/** Voting and probation members: who cosigns checkpoints. */
export function cosignersOf(state: GovernanceState): MemberKey[] {
  return keysOf(state.world, ['voting', 'probation']);
}

export function validatorsOfWorld(world: World): MemberKey[] {
  return keysOf(world, ['voting']);
}
