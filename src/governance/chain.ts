// World-chain verification for clients, the way TUF clients walk root
// versions: from a pinned genesis, each world N+1 must name world N's hash, carry version
// N + 1, and be shown included (RFC 9162 §2.1.3.2) in a checkpoint (C2SP tlog-checkpoint)
// cosigned (C2SP cosignature/v1) by a quorum of world N's validators. The genesis itself may
// be the first step (entry 0, cosigned by its own founders). Rollback is refused: a step that
// does not go up by exactly one, or a final version below what the client already knows.
// Staleness is refused: the time by which a quorum had cosigned the freshest checkpoint (the
// q-th newest cosignature timestamp) must be within the final world's checkpointFreshnessMs.
//
// A world made by a recovery (charter §20) comes with the signed recovery: the client checks
// it against the world before (every remaining voting member's signature, a quorum of that
// world's witnesses, fewer vanished than a quorum), that the world is exactly the one before
// without the vanished, that the time lock is over by its own clock, and that EVERY validator of
// the recovered world cosigned the checkpoint that includes it — the world before has no quorum.
//
// The interface to the ledger and consensus layers is WorldStep and ChainHead below; a root's
// GET /world/chain serves them. `causes` is needed to rebuild the world entry's bytes.

import { CodedError, quorumSize } from '../base/index.ts';
import { bytesEqual, canonicalBytes, fromBase64, fromHex, type Json } from '../codec/index.ts';
import { cosignatureTimestamp, cosignatureVerifier, type NoteSignature, openNote } from '../crypto/index.ts';
import { HASH_BYTES, leafHash, parseCheckpoint, verifyInclusion } from '../ledger/index.ts';
import { encodeEntry, type LedgerEntry } from './entry.ts';
import { GovernanceError } from './errors.ts';
import { checkGenesis, type SignedGenesis } from './genesis.ts';
import { ledgerOrigin, worldHash } from './hash.ts';
import { parseWorld, type World } from './model.ts';
import { recoveryPolicyOf } from './policy.ts';
import {
  parseSignedRecovery,
  recoveredWorld,
  recoveryId,
  recoverySignaturesViolation,
  type SignedRecovery,
} from './recovery.ts';
import { validatorsOfWorld } from './state.ts';

/** Where and under which checkpoint an entry sits in the ledger. */
export interface InclusionEvidence {
  /** A signed checkpoint note with cosignature/v1 lines named by member names. */
  checkpointNote: string;
  /** Audit path hashes: bytes, or 32-byte hashes as base64 or lowercase hex. */
  inclusionProof: readonly (Uint8Array | string)[];
  entryIndex: number;
  treeSize: number;
}

export interface WorldStep {
  world: World;
  /** The causes recorded in the world entry ([] and ignored for a genesis step). */
  causes: string[];
  proof: InclusionEvidence;
  /** The signed recovery, when a recovery made this world (charter §20). */
  recovery?: SignedRecovery;
}

/** Optional fresher proof of the final world, cosigned by the final world's own validators. */
export type ChainHead = InclusionEvidence;

export type ChainErrorCode =
  | 'CHAIN_EMPTY'
  | 'BAD_GENESIS'
  | 'BAD_STEP'
  | 'WRONG_FEDERATION'
  | 'BROKEN_LINK'
  | 'CHAIN_GAP'
  | 'ROLLBACK'
  | 'BAD_CHECKPOINT'
  | 'NO_QUORUM'
  | 'NOT_INCLUDED'
  | 'STALE'
  | 'BAD_RECOVERY'
  | 'TIME_LOCKED';

export type ChainResult =
  | { ok: true; world: World; worldHash: string; quorumTimeMs: number }
  | { ok: false; code: ChainErrorCode; message: string; step: number };

class ChainError extends CodedError<ChainErrorCode> {}

function hashBytes(h: Uint8Array | string): Uint8Array {
  if (h instanceof Uint8Array) return h;
  return h.length === 2 * HASH_BYTES ? fromHex(h, HASH_BYTES) : fromBase64(h, HASH_BYTES);
}

/**
 * Checks that `entry` is at proof.entryIndex under a checkpoint of this federation cosigned by
 * a quorum of `signers` (the validators of `signersWorld`; all of them with `everyone`);
 * returns when that quorum had signed (ms).
 */
function checkIncluded(
  entry: Uint8Array,
  proof: InclusionEvidence,
  signersWorld: World,
  everyone = false,
): number {
  const validators = validatorsOfWorld(signersWorld);
  const verifiers = validators.map((v) => cosignatureVerifier(v.name, v.nodeKey));
  let opened: { text: string; verified: NoteSignature[] };
  try {
    opened = openNote(proof.checkpointNote, verifiers);
  } catch (e) {
    throw new ChainError(
      'NO_QUORUM',
      `the checkpoint carries no valid cosignature by the validators of world ${signersWorld.version}: ${(e as Error).message}`,
    );
  }
  const times = new Map<string, number>();
  for (const s of opened.verified)
    times.set(s.name, Math.max(times.get(s.name) ?? 0, cosignatureTimestamp(s)));
  const q = everyone ? validators.length : quorumSize(validators.length);
  if (times.size < q) {
    throw new ChainError(
      'NO_QUORUM',
      `the checkpoint has ${times.size} validator cosignatures of world ${signersWorld.version}; ${q} are needed`,
    );
  }
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    checkpoint = parseCheckpoint(opened.text);
  } catch (e) {
    throw new ChainError('BAD_CHECKPOINT', (e as Error).message);
  }
  if (checkpoint.origin !== ledgerOrigin(signersWorld) || checkpoint.size !== proof.treeSize) {
    throw new ChainError(
      'BAD_CHECKPOINT',
      `the checkpoint is not of ${ledgerOrigin(signersWorld)} at size ${proof.treeSize}`,
    );
  }
  let path: Uint8Array[];
  try {
    path = proof.inclusionProof.map(hashBytes);
  } catch {
    throw new ChainError('NOT_INCLUDED', 'the inclusion proof is not a list of 32-byte hashes');
  }
  if (!verifyInclusion(proof.entryIndex, proof.treeSize, leafHash(entry), path, checkpoint.rootHash)) {
    throw new ChainError(
      'NOT_INCLUDED',
      `the world entry is not at index ${proof.entryIndex} of the checkpointed tree`,
    );
  }
  const sorted = [...times.values()].sort((a, b) => b - a);
  return sorted[q - 1]! * 1000;
}

/**
 * The head: the last world's entry under the latest checkpoint, cosigned by a quorum of the
 * validators in force at its size (ledger/LEDGER.md §3.4) — the last world's. At the very end of
 * the batch that made the last world (the world entry is that batch's last entry), the
 * validators before the batch may commit it too, and roots cosign it with those (the height that
 * produced the tree): then the world before the last counts as well, when the walk has it.
 */
function checkHead(entry: Uint8Array, head: ChainHead, last: World, before: World | undefined): number {
  try {
    return checkIncluded(entry, head, last);
  } catch (e) {
    const endsTheBatch = head.treeSize === head.entryIndex + 1;
    if (!(e instanceof ChainError && e.code === 'NO_QUORUM' && endsTheBatch && before !== undefined)) throw e;
    return checkIncluded(entry, head, before);
  }
}

function stepEntry(
  genesis: SignedGenesis,
  step: WorldStep,
  index: number,
  prev: World,
  prevHash: string,
): Uint8Array {
  let world: World;
  try {
    world = parseWorld(step.world);
  } catch (e) {
    throw new ChainError('BAD_STEP', `the world is malformed: ${(e as Error).message}`);
  }
  if (index === 0 && world.version === 1) {
    if (worldHash(world) !== worldHash(genesis.world))
      throw new ChainError('BROKEN_LINK', 'version 1 is not the pinned genesis world');
    return encodeEntry({ kind: 'genesis', genesis });
  }
  if (world.federation !== prev.federation)
    throw new ChainError('WRONG_FEDERATION', `world of "${world.federation}", expected "${prev.federation}"`);
  if (world.version <= prev.version)
    throw new ChainError('ROLLBACK', `version ${world.version} does not follow ${prev.version}`);
  if (world.version !== prev.version + 1)
    throw new ChainError('CHAIN_GAP', `version ${world.version} skips past ${prev.version + 1}`);
  if (world.previous !== prevHash)
    throw new ChainError(
      'BROKEN_LINK',
      `version ${world.version} does not name the hash of version ${prev.version}`,
    );
  const entry: LedgerEntry = { kind: 'world', world, causes: step.causes };
  try {
    return encodeEntry(entry);
  } catch (e) {
    throw new ChainError('BAD_STEP', (e as Error).message);
  }
}

/**
 * A recovery step (charter §20): its signed recovery against the world before, its causes, its
 * world exactly the one before without the vanished, and the time lock over at `nowMs`.
 */
function checkRecoveryStep(step: WorldStep, prev: World, prevHash: string, nowMs: number): void {
  let signed: SignedRecovery;
  try {
    signed = parseSignedRecovery(step.recovery);
  } catch (e) {
    throw new ChainError('BAD_RECOVERY', `the recovery is malformed: ${(e as Error).message}`);
  }
  const id = recoveryId(signed);
  if (step.causes.length !== 1 || step.causes[0] !== id)
    throw new ChainError('BAD_RECOVERY', `the world's causes are not the recovery ${id}`);
  const violation = recoverySignaturesViolation(prev, prevHash, signed);
  if (violation !== null) throw new ChainError('BAD_RECOVERY', `${violation.code}: ${violation.message}`);
  const content = (w: World) =>
    canonicalBytes({ members: w.members, policy: w.policy, key: w.federationKey ?? null } as unknown as Json);
  if (!bytesEqual(content(step.world), content(recoveredWorld(prev, signed))))
    throw new ChainError(
      'BAD_RECOVERY',
      `world ${step.world.version} is not world ${prev.version} without the members the recovery removes and without a federation key`,
    );
  const effectiveMs = signed.recovery.timeMs + recoveryPolicyOf(prev.policy).timeLockMs;
  if (nowMs < effectiveMs)
    throw new ChainError(
      'TIME_LOCKED',
      `the recovery takes effect at ${effectiveMs}; it is ${nowMs}: wait out its time lock`,
    );
}

/**
 * The entry of the first step when the walk starts at a world the client verified before
 * (`GET /world/chain?since=<its version>`): the step must be that very world, and its proof is
 * not checked again — the client checked it, against validators it may no longer be shown.
 */
function trustedEntry(genesis: SignedGenesis, step: WorldStep, trusted: World): Uint8Array {
  if (trusted.federation !== genesis.world.federation)
    throw new ChainError('WRONG_FEDERATION', `the trusted world is of "${trusted.federation}"`);
  let world: World;
  try {
    world = parseWorld(step.world);
  } catch (e) {
    throw new ChainError('BAD_STEP', `the world is malformed: ${(e as Error).message}`);
  }
  if (worldHash(world) !== worldHash(trusted))
    throw new ChainError(
      'BROKEN_LINK',
      `the chain starts at version ${world.version}, not at the trusted world (version ${trusted.version})`,
    );
  if (world.version === 1) return encodeEntry({ kind: 'genesis', genesis });
  try {
    return encodeEntry({ kind: 'world', world, causes: step.causes });
  } catch (e) {
    throw new ChainError('BAD_STEP', (e as Error).message);
  }
}

/**
 * Verifies a chain of worlds from a pinned genesis — or, with `trusted`, from a world the client
 * verified on an earlier walk, which must then be the first step. Never throws on bad input: returns
 * { ok: false, code, message, step } naming the failing step (−1 for the genesis or head).
 */
export function verifyWorldChain(
  genesis: SignedGenesis,
  steps: readonly WorldStep[],
  options: { nowMs: number; knownVersion?: number; head?: ChainHead; trusted?: World },
): ChainResult {
  let pinned: SignedGenesis;
  try {
    pinned = checkGenesis(genesis);
  } catch (e) {
    if (e instanceof GovernanceError) return { ok: false, code: 'BAD_GENESIS', message: e.message, step: -1 };
    throw e;
  }
  if (steps.length === 0)
    return {
      ok: false,
      code: 'CHAIN_EMPTY',
      message: 'no world is shown committed; ask a root for its chain',
      step: -1,
    };
  let prev = pinned.world;
  let prevHash = worldHash(prev);
  /** The world before `prev` in this walk, whose validators committed `prev`'s batch. */
  let before: World | undefined;
  let quorumTimeMs = 0;
  let index = 0;
  let entry: Uint8Array = new Uint8Array();
  try {
    if (options.trusted !== undefined) {
      entry = trustedEntry(pinned, steps[0]!, options.trusted);
      prev = options.trusted;
      prevHash = worldHash(prev);
      index++;
    }
    for (const step of steps.slice(index)) {
      entry = stepEntry(pinned, step, index, prev, prevHash);
      if (step.recovery !== undefined) {
        checkRecoveryStep(step, prev, prevHash, options.nowMs);
        quorumTimeMs = checkIncluded(entry, step.proof, step.world, true);
      } else quorumTimeMs = checkIncluded(entry, step.proof, prev);
      before = index === 0 && step.world.version === 1 ? undefined : prev;
      prev = index === 0 && step.world.version === 1 ? pinned.world : step.world;
      prevHash = worldHash(prev);
      index++;
    }
    index = -1;
    if (options.head !== undefined) quorumTimeMs = checkHead(entry, options.head, prev, before);
  } catch (e) {
    if (e instanceof ChainError) return { ok: false, code: e.code, message: e.message, step: index };
    throw e;
  }
  if (options.knownVersion !== undefined && prev.version < options.knownVersion) {
    return {
      ok: false,
      code: 'ROLLBACK',
      message: `the chain ends at version ${prev.version}, older than the known ${options.knownVersion}`,
      step: steps.length - 1,
    };
  }
  const age = options.nowMs - quorumTimeMs;
  if (age > prev.policy.checkpointFreshnessMs) {
    return {
      ok: false,
      code: 'STALE',
      message: `the freshest quorum of cosignatures is ${age} ms old; the limit is ${prev.policy.checkpointFreshnessMs} ms`,
      step: steps.length - 1,
    };
  }
  return { ok: true, world: prev, worldHash: prevHash, quorumTimeMs };
}
