// Recovery when members vanish for good (charter §20). Consensus needs a quorum of the
// validators (q = floor(2n/3) + 1); when more than n − q of them stop for good, no batch can
// ever be committed again and motions cannot remove them. A recovery is the way out: after a
// silence of `recovery.silenceMs` with no batch at all, every remaining voting member and a
// quorum of the federation's outside witnesses sign one statement that removes the vanished.
// It takes effect `recovery.timeLockMs` after its time, as a batch of its own in the ledger.
//
// The rules make it impossible while the vanished could still commit: the members it removes
// must be fewer than a quorum (so any batch after the one it names needed a member that signed
// it), every other voting member must sign it (each declares it has seen nothing after that
// batch), and it must be needed (the others are fewer than a quorum). Pure: the caller gives the
// ledger head the recovery must name; the time lock is the batch time it produces.

import { quorumSize } from '../base/index.ts';
import { canonicalBytes, type Json, signingBytes, toBase64, toHex } from '../codec/index.ts';
import { sha256, sign } from '../crypto/index.ts';
import {
  MEMBERS_MAX,
  RECOVERY_DOMAIN,
  TIME_MS_MAX,
  WITNESS_NAME_PATTERN,
  WITNESSES_MAX,
} from './constants.ts';
import { type Rejection, reject } from './errors.ts';
import { parseName, type World } from './model.ts';
import { recoveryPolicyOf } from './policy.ts';
import { hexHash, int, list, record, ShapeError, signature, text } from './shape.ts';
import type { GovernanceState } from './state.ts';
import { verifyB64 } from './statements.ts';

/** The ledger as the last committed batch left it: what a recovery follows. */
export interface RecoveryBase {
  /** Ledger entries so far: the recovery's entry will be at this index. */
  size: number;
  /** RFC 6962 root of those entries, lowercase hex. */
  rootHash: string;
  /** The world in force. */
  worldHash: string;
}

/** What the remaining members and the witnesses sign (domain witan/v1/governance/recovery). */
export interface Recovery {
  federation: string;
  /** The height it takes: one more than the last batch's. */
  height: number;
  /** When it was signed; at least the last batch's time + silenceMs. */
  timeMs: number;
  base: RecoveryBase;
  /** The vanished: voting members of the world in force, sorted by name. */
  remove: string[];
}

export interface SignedRecovery {
  recovery: Recovery;
  /** Every voting member the recovery keeps, by its governance key, sorted by name. */
  members: { member: string; signature: string }[];
  /** Witnesses of the policy in force, by their keys, sorted by name; at least witnessQuorum. */
  witnesses: { witness: string; signature: string }[];
}

/** The recovery's id: SHA-256 of the canonical bytes of the signed recovery, lowercase hex. */
export function recoveryId(signed: SignedRecovery): string {
  return toHex(sha256(canonicalBytes(signed as unknown as Json)));
}

export function recoverySigningBytes(recovery: Recovery): Uint8Array {
  return signingBytes(RECOVERY_DOMAIN, recovery as unknown as Json);
}

/** One signature over the recovery (a member's governance key or a witness's key, 32-byte seed). */
export function signRecovery(recovery: Recovery, secretKey: Uint8Array): string {
  return toBase64(sign(secretKey, recoverySigningBytes(recovery)));
}

function sortedUnique(names: string[], path: string): void {
  for (let i = 1; i < names.length; i++) {
    if (!(names[i - 1]! < names[i]!))
      throw new ShapeError(`${path} must be sorted by name with no name twice`);
  }
}

/** Reads a signed recovery from untrusted JSON. Throws ShapeError naming the field. */
export function parseSignedRecovery(x: unknown, path = 'recovery'): SignedRecovery {
  const o = record(x, path, ['recovery', 'members', 'witnesses']);
  const r = record(o.recovery, `${path}.recovery`, ['federation', 'height', 'timeMs', 'base', 'remove']);
  const base = record(r.base, `${path}.recovery.base`, ['size', 'rootHash', 'worldHash']);
  const remove = list(r.remove, `${path}.recovery.remove`, 1, MEMBERS_MAX).map((n, i) =>
    parseName(n, `${path}.recovery.remove[${i}]`),
  );
  sortedUnique(remove, `${path}.recovery.remove`);
  const members = list(o.members, `${path}.members`, 1, MEMBERS_MAX).map((m, i) => {
    const s = record(m, `${path}.members[${i}]`, ['member', 'signature']);
    return {
      member: parseName(s.member, `${path}.members[${i}].member`),
      signature: signature(s.signature, `${path}.members[${i}].signature`),
    };
  });
  sortedUnique(
    members.map((m) => m.member),
    `${path}.members`,
  );
  const witnesses = list(o.witnesses, `${path}.witnesses`, 1, WITNESSES_MAX).map((w, i) => {
    const s = record(w, `${path}.witnesses[${i}]`, ['witness', 'signature']);
    return {
      witness: text(s.witness, `${path}.witnesses[${i}].witness`, 64, WITNESS_NAME_PATTERN),
      signature: signature(s.signature, `${path}.witnesses[${i}].signature`),
    };
  });
  sortedUnique(
    witnesses.map((w) => w.witness),
    `${path}.witnesses`,
  );
  return {
    recovery: {
      federation: text(r.federation, `${path}.recovery.federation`, 64),
      height: int(r.height, `${path}.recovery.height`, 1, TIME_MS_MAX),
      timeMs: int(r.timeMs, `${path}.recovery.timeMs`, 0, TIME_MS_MAX),
      base: {
        size: int(base.size, `${path}.recovery.base.size`, 1, Number.MAX_SAFE_INTEGER),
        rootHash: hexHash(base.rootHash, `${path}.recovery.base.rootHash`),
        worldHash: hexHash(base.worldHash, `${path}.recovery.base.worldHash`),
      },
      remove,
    },
    members,
    witnesses,
  };
}

/**
 * The checks a recovery's signatures and counts must pass against the world it changes
 * (`world`, whose hash is `hash`): shared by the rules and by clients walking the world chain,
 * who have the world but not the ledger. Null when they pass.
 */
export function recoverySignaturesViolation(
  world: World,
  hash: string,
  signed: SignedRecovery,
): Rejection | null {
  const r = signed.recovery;
  if (r.federation !== world.federation) {
    return reject(
      'WRONG_FEDERATION',
      `The recovery is for federation "${r.federation}", not "${world.federation}".`,
    );
  }
  if (r.base.worldHash !== hash) {
    return reject(
      'RECOVERY_WRONG_BASE',
      `The recovery names world ${r.base.worldHash}, but world ${hash} (version ${world.version}) is in force.`,
    );
  }
  const voting = world.members.filter((m) => m.status === 'voting');
  const removed = new Set(r.remove);
  const notValidators = r.remove.filter((name) => !voting.some((m) => m.name === name));
  if (notValidators.length > 0) {
    return reject(
      'RECOVERY_NOT_A_VALIDATOR',
      `The recovery removes ${notValidators.join(', ')}, who ${notValidators.length === 1 ? 'is' : 'are'} not a voting member; it removes vanished validators only.`,
    );
  }
  const n = voting.length;
  const q = quorumSize(n);
  const kept = voting.filter((m) => !removed.has(m.name));
  if (removed.size >= q) {
    return reject(
      'RECOVERY_VANISHED_QUORUM',
      `The recovery removes ${removed.size} of ${n} validators, a quorum (${q}): they could still be committing without the others, so they are not gone; it must remove fewer than ${q}.`,
    );
  }
  if (kept.length >= q) {
    return reject(
      'RECOVERY_NOT_NEEDED',
      `${kept.length} of ${n} validators remain, a quorum (${q}): they can still commit, so remove members by motion (charter §7).`,
    );
  }
  const bytes = recoverySigningBytes(r);
  const signers = signed.members.map((m) => m.member);
  const wanted = kept.map((m) => m.name);
  const badMember = signed.members.find((s) => {
    const m = kept.find((k) => k.name === s.member);
    return m === undefined || !verifyB64(m.governanceKey, bytes, s.signature);
  });
  if (signers.join(',') !== wanted.join(',') || badMember !== undefined) {
    return reject(
      'RECOVERY_SIGNATURES',
      `Every voting member the recovery keeps (${wanted.join(', ')}) must sign it with its governance key, and nobody else; ${badMember === undefined ? `it is signed by ${signers.join(', ')}` : `the signature of "${badMember.member}" does not verify`}.`,
    );
  }
  const policy = recoveryPolicyOf(world.policy);
  const valid = signed.witnesses.filter((s) => {
    const w = policy.witnesses.find((x) => x.name === s.witness);
    return w !== undefined && verifyB64(w.key, bytes, s.signature);
  });
  if (
    policy.witnesses.length === 0 ||
    valid.length !== signed.witnesses.length ||
    valid.length < policy.witnessQuorum
  ) {
    return reject(
      'RECOVERY_WITNESSES',
      policy.witnesses.length === 0
        ? 'The policy names no outside witnesses, so this federation cannot recover; name them by a policy change while it still commits.'
        : `A recovery needs ${policy.witnessQuorum} of the policy's ${policy.witnesses.length} witnesses, each signature valid; it has ${valid.length} valid of ${signed.witnesses.length}.`,
    );
  }
  return null;
}

/**
 * Would this recovery be accepted after `state`, with the ledger at `ledger` (its size, and
 * its root hash when the caller has the tree)? Null when it would; else the first rule it
 * breaks, in the order of charter §20. Never throws on bad input.
 */
export function checkRecovery(
  state: GovernanceState,
  input: unknown,
  ledger: { size: number; rootHash?: string },
): Rejection | null {
  let signed: SignedRecovery;
  try {
    signed = parseSignedRecovery(input);
  } catch (e) {
    return reject('RECOVERY_MALFORMED', `The recovery is malformed: ${(e as Error).message}.`);
  }
  const r = signed.recovery;
  const policy = recoveryPolicyOf(state.world.policy);
  if (r.timeMs + policy.timeLockMs > TIME_MS_MAX) {
    return reject('RECOVERY_MALFORMED', 'The recovery is dated past the last time a ledger can hold.');
  }
  if (r.federation !== state.world.federation)
    return recoverySignaturesViolation(state.world, state.worldHash, signed);
  if (
    r.height !== state.height + 1 ||
    r.base.worldHash !== state.worldHash ||
    r.base.size !== ledger.size ||
    (ledger.rootHash !== undefined && r.base.rootHash !== ledger.rootHash)
  ) {
    return reject(
      'RECOVERY_WRONG_BASE',
      `The recovery follows height ${r.height - 1}, ledger size ${r.base.size} (root ${r.base.rootHash}) and world ${r.base.worldHash}; the ledger is at height ${state.height}, size ${ledger.size}${ledger.rootHash === undefined ? '' : ` (root ${ledger.rootHash})`}, world ${state.worldHash}. Sign it again against the ledger as it is.`,
    );
  }
  if (state.height === 0) {
    return reject(
      'RECOVERY_TOO_EARLY',
      'Nothing was ever committed: the silence counts from the last batch, and a federation that never committed founds itself again instead.',
    );
  }
  const earliest = state.timeMs + policy.silenceMs;
  if (r.timeMs < earliest) {
    return reject(
      'RECOVERY_TOO_EARLY',
      `The last batch was at ${state.timeMs}; a recovery may be signed only after ${policy.silenceMs} ms without any batch, from ${earliest} on, and this one is dated ${r.timeMs}.`,
    );
  }
  return recoverySignaturesViolation(state.world, state.worldHash, signed);
}

/** The batch time a recovery takes (charter §20): its time plus the time lock in force. */
export function recoveryEffectiveMs(state: GovernanceState, signed: SignedRecovery): number {
  return signed.recovery.timeMs + recoveryPolicyOf(state.world.policy).timeLockMs;
}

/** The members a recovery leaves of `world`: the removed members gone. */
export function recoveredMembers(world: World, signed: SignedRecovery): World['members'] {
  const removed = new Set(signed.recovery.remove);
  return world.members.filter((m) => !removed.has(m.name));
}

/**
 * The world a recovery makes from `world` (charter §20), before its version and hash: the
 * removed members gone and the federation key retired (charter §22) — the vanished hold shares
 * of it and the members left are fewer than its threshold, so it can sign nothing any more.
 * The voting members changed, so a new key is made among those left, as after any such change;
 * nothing else changes.
 */
export function recoveredWorld(world: World, signed: SignedRecovery): World {
  const { federationKey: _retired, ...kept } = world;
  return { ...kept, members: recoveredMembers(world, signed) };
}
