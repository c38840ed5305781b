// Checking checkpoints (C2SP tlog-checkpoint in a C2SP signed-note) the way docs/architecture.md §"The
// ledger" defines commitment: the root's own log signature (Ed25519, type 0x01, key name =
// origin) and cosignature/v1 lines (type 0x04, key name = member name, key = node key); a
// checkpoint is committed when a quorum (floor(2n/3) + 1) of the validators in force at its
// size cosigned it — with an ML-DSA-44 line (type 0x06) too from the policy's
// mlDsaRequiredFromVersion on. The federation's line (type 0x01, name = origin, key = the
// federation key in force) and members' ML-DSA-44 lines are checked and reported apart. Also: split views (two checkpoints that cannot both be true), rollbacks
// (a root's size going down) and freshness (the newest quorum's timestamps against policy).

import { quorumSize } from '../base/index.ts';
import { bytesEqual } from '../codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureTimestamp,
  cosignatureVerifier,
  ed25519NoteVerifier,
  ML_DSA_44_COSIGNATURE_TYPE,
  mlDsaCosignatureVerifier,
  type NoteSignature,
  type NoteVerifier,
  noteKeyId,
  openNote,
  parseNote,
} from '../crypto/index.ts';
import type { MemberKey } from '../governance/index.ts';
import { type Checkpoint, checkpointSubtree, parseCheckpoint } from '../ledger/index.ts';

/** The world whose members a cosigner set is: version and worldHash (hex). */
export type WorldRef = { version: number; worldHash: string };

/**
 * Validators (voting members) and cosigners (voting + probation) in force at a size, and the
 * world they are the members of (absent in evidence files, which list keys only).
 */
export type CosignerSet = {
  validators: readonly MemberKey[];
  cosigners: readonly MemberKey[];
  world?: WorldRef;
  /** Cosignatures that commit: a quorum of the validators unless said (all of them after a recovery). */
  quorum?: number;
  /** The federation key in force (its line, name = origin, type 0x01, is checked when present). */
  federationKey?: Uint8Array;
  /** A validator counts only with its ML-DSA-44 cosignature too (policy mlDsaRequiredFromVersion). */
  mlDsaRequired?: boolean;
};

export type CheckpointProblem =
  | 'MALFORMED' // not a signed checkpoint note
  | 'WRONG_ORIGIN' // for another federation
  | 'BAD_SIGNATURE' // a signature by a known key does not verify
  | 'NO_LOG_SIGNATURE' // no member's node key signed it as the log
  | 'NO_QUORUM'; // fewer than a quorum of validators cosigned it

export type CheckpointCheck = {
  checkpoint?: Checkpoint;
  /** Member whose node key made the log signature (type 0x01, name = origin). */
  logSigner?: string;
  /** Valid cosignatures by cosigners, with their timestamps (seconds). */
  cosignatures: { name: string; timestampS: number }[];
  /** Names among `cosignatures` that are validators. */
  validatorCosigners: string[];
  /** Valid ML-DSA-44 cosignatures (type 0x06) by cosigners, by name. */
  mlDsaCosigners: string[];
  /** Whether the note carries a valid signature by the federation key in force. */
  federationSigned: boolean;
  validatorCount: number;
  quorum: number;
  /** Signature lines by keys that are not members (outside witnesses, strangers). */
  unknownSigners: string[];
  /** The q-th newest validator cosignature time: when the newest quorum was complete. */
  quorumTimeMs?: number;
  committed: boolean;
  problem?: { code: CheckpointProblem; message: string };
};

function verifiersFor(origin: string, logKeys: readonly MemberKey[], set: CosignerSet): NoteVerifier[] {
  const byId = new Map<string, NoteVerifier>();
  const add = (v: NoteVerifier) => byId.set(`${v.name}+${v.keyId}`, v);
  for (const m of logKeys) add(ed25519NoteVerifier(origin, m.nodeKey));
  if (set.federationKey !== undefined) add(ed25519NoteVerifier(origin, set.federationKey));
  for (const m of [...set.validators, ...set.cosigners]) {
    add(cosignatureVerifier(m.name, m.nodeKey));
    if (m.mlDsaKey !== undefined) add(mlDsaCosignatureVerifier(m.name, m.mlDsaKey, checkpointSubtree));
  }
  return [...byId.values()];
}

/** The type byte of a verified line, by its key ID among the set's keys (0 when none matches). */
function typeOf(s: NoteSignature, set: CosignerSet): number {
  for (const m of [...set.validators, ...set.cosigners]) {
    if (m.name !== s.name) continue;
    if (noteKeyId(m.name, COSIGNATURE_V1_TYPE, m.nodeKey) === s.keyId) return COSIGNATURE_V1_TYPE;
    if (m.mlDsaKey !== undefined && noteKeyId(m.name, ML_DSA_44_COSIGNATURE_TYPE, m.mlDsaKey) === s.keyId)
      return ML_DSA_44_COSIGNATURE_TYPE;
  }
  return 0;
}

function logSignerOf(
  origin: string,
  logKeys: readonly MemberKey[],
  verified: NoteSignature[],
): string | undefined {
  for (const m of logKeys) {
    const id = noteKeyId(origin, 0x01, m.nodeKey);
    if (verified.some((s) => s.name === origin && s.keyId === id)) return m.name;
  }
  return undefined;
}

/**
 * Verifies a checkpoint note: parse, origin, every signature by a known key, the log signature
 * by one of `logKeys` (members' node keys), and the cosignature quorum of `set.validators`.
 * Never throws for a bad note: the problem is in the result.
 */
export function checkCheckpointNote(
  note: string,
  options: { origin: string; logKeys: readonly MemberKey[]; set: CosignerSet },
): CheckpointCheck {
  const { origin, set } = options;
  const quorum = set.quorum ?? quorumSize(set.validators.length);
  const result: CheckpointCheck = {
    cosignatures: [],
    validatorCosigners: [],
    mlDsaCosigners: [],
    federationSigned: false,
    validatorCount: set.validators.length,
    quorum,
    unknownSigners: [],
    committed: false,
  };
  let text: string;
  try {
    text = parseNote(note).text;
    result.checkpoint = parseCheckpoint(text);
  } catch (error) {
    result.problem = { code: 'MALFORMED', message: `not a signed checkpoint: ${(error as Error).message}` };
    return result;
  }
  if (result.checkpoint.origin !== origin) {
    result.problem = {
      code: 'WRONG_ORIGIN',
      message: `origin is ${result.checkpoint.origin}, not ${origin}`,
    };
    return result;
  }
  let opened: ReturnType<typeof openNote>;
  try {
    opened = openNote(note, verifiersFor(origin, options.logKeys, set));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'UNVERIFIED') {
      result.problem = { code: 'NO_LOG_SIGNATURE', message: 'no member key signed this checkpoint' };
      result.unknownSigners = parseNote(note).signatures.map((s) => s.name);
    } else {
      result.problem = { code: 'BAD_SIGNATURE', message: (error as Error).message };
    }
    return result;
  }
  result.unknownSigners = [...new Set(opened.unknown.map((s) => s.name))];
  result.logSigner = logSignerOf(origin, options.logKeys, opened.verified);
  const fedKey = set.federationKey;
  result.federationSigned =
    fedKey !== undefined &&
    opened.verified.some((s) => s.name === origin && s.keyId === noteKeyId(origin, 0x01, fedKey));
  const validatorNames = new Set(set.validators.map((m) => m.name));
  // A member's cosignatures count once, at the newest of their timestamps (as a client does).
  const newest = new Map<string, number>();
  const mlDsa = new Set<string>();
  for (const s of opened.verified) {
    if (s.name === origin) continue;
    if (typeOf(s, set) === ML_DSA_44_COSIGNATURE_TYPE) {
      mlDsa.add(s.name);
      continue;
    }
    newest.set(s.name, Math.max(newest.get(s.name) ?? 0, cosignatureTimestamp(s)));
  }
  result.mlDsaCosigners = [...mlDsa].sort();
  for (const [name, timestampS] of newest) result.cosignatures.push({ name, timestampS });
  const counts = (name: string) =>
    validatorNames.has(name) && (set.mlDsaRequired !== true || mlDsa.has(name));
  const validatorTimes = result.cosignatures
    .filter((c) => counts(c.name))
    .map((c) => c.timestampS)
    .sort((a, b) => b - a);
  result.validatorCosigners = result.cosignatures
    .filter((c) => validatorNames.has(c.name))
    .map((c) => c.name);
  result.committed = validatorTimes.length >= quorum;
  if (result.committed) result.quorumTimeMs = validatorTimes[quorum - 1]! * 1000;
  if (result.logSigner === undefined) {
    result.problem = {
      code: 'NO_LOG_SIGNATURE',
      message: 'no member node key made the log signature (name = origin)',
    };
  } else if (!result.committed) {
    const pq = set.mlDsaRequired === true ? ' with both Ed25519 and ML-DSA-44 cosignatures' : '';
    result.problem = {
      code: 'NO_QUORUM',
      message: `${validatorTimes.length} of ${set.validators.length} validators cosigned${pq}; a quorum is ${quorum}`,
    };
  }
  return result;
}

/** A checkpoint as one root served it at one time. */
export type SeenCheckpoint = {
  root: string;
  note: string;
  size: number;
  rootHash: Uint8Array;
  observedAtMs: number;
};

export type Inconsistency = {
  kind: 'split-view';
  /** The checkpoint that disagrees with the verified tree. */
  bad: SeenCheckpoint;
  /** The root of the verified tree at bad.size. */
  treeRootHash: Uint8Array;
};

/**
 * Every seen checkpoint whose root differs from the verified tree's root at its size. Two
 * checkpoints of one size with different roots, or a larger tree whose prefix does not give a
 * smaller checkpoint's root, cannot both be true (RFC 9162 §2.1.4).
 */
export function findSplitViews(
  seen: readonly SeenCheckpoint[],
  treeRootAt: (size: number) => Uint8Array | undefined,
): Inconsistency[] {
  const out: Inconsistency[] = [];
  for (const s of seen) {
    const root = treeRootAt(s.size);
    if (root !== undefined && !bytesEqual(root, s.rootHash))
      out.push({ kind: 'split-view', bad: s, treeRootHash: root });
  }
  return out;
}

/** A root whose size went down: `later` was served after `earlier` and is smaller. */
export function findRollback(
  history: readonly SeenCheckpoint[],
  current: SeenCheckpoint,
): SeenCheckpoint | undefined {
  let largest: SeenCheckpoint | undefined;
  for (const h of history) {
    if (
      h.root === current.root &&
      h.observedAtMs <= current.observedAtMs &&
      (largest === undefined || h.size > largest.size)
    ) {
      largest = h;
    }
  }
  return largest !== undefined && largest.size > current.size ? largest : undefined;
}

/** Cosignatures dated more than `skewMs` after `nowMs` (ledger/LEDGER.md §3.2). */
export function futureCosignatures(
  check: CheckpointCheck,
  nowMs: number,
  skewMs: number,
): { name: string; timestampS: number }[] {
  return check.cosignatures.filter((c) => c.timestampS * 1000 > nowMs + skewMs);
}

/** Freshness: is the newest quorum of cosignatures at most `freshnessMs` old at `nowMs`? */
export function isFresh(check: CheckpointCheck, nowMs: number, freshnessMs: number): boolean {
  return check.quorumTimeMs !== undefined && nowMs - check.quorumTimeMs <= freshnessMs;
}
