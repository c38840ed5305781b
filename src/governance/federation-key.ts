// The federation key as a world carries it (charter §22, ledger/LEDGER.md §9.1): the FROST
// group key and each participant's verifying share. Optional in a world, absent until the
// first DKG completes, so worlds written before it keep their bytes.

import { MEMBER_NAME_PATTERN, MEMBERS_MAX } from './constants.ts';
import { hexHash, int, list, publicKey, record, ShapeError, text } from './shape.ts';

/** A member's verifying share of the federation key: checks that member's signature shares. */
export interface KeyParticipant {
  member: string;
  /** Base64 of the 32-byte Ed25519 point. */
  verifyingShare: string;
}

/** The federation key a world carries: made by the DKG of `session` among `participants`. */
export interface FederationKey {
  /** The DKG session that made it (64 lowercase hex). */
  session: string;
  /** Signature shares needed: the approval quorum of the voting members it was made for. */
  threshold: number;
  /** Base64 of the 32-byte Ed25519 group public key. */
  publicKey: string;
  /** Sorted by member; only they hold shares. */
  participants: KeyParticipant[];
}

export function parseFederationKey(x: unknown, path: string): FederationKey {
  const o = record(x, path, ['session', 'threshold', 'publicKey', 'participants']);
  const participants = list(o.participants, `${path}.participants`, 2, MEMBERS_MAX).map((p, i) => {
    const r = record(p, `${path}.participants[${i}]`, ['member', 'verifyingShare']);
    return {
      member: text(r.member, `${path}.participants[${i}].member`, 32, MEMBER_NAME_PATTERN),
      verifyingShare: publicKey(r.verifyingShare, `${path}.participants[${i}].verifyingShare`),
    };
  });
  for (let i = 1; i < participants.length; i++) {
    if (!(participants[i - 1]!.member < participants[i]!.member))
      throw new ShapeError(`${path}.participants must be sorted by member with no member twice`);
  }
  const key: FederationKey = {
    session: hexHash(o.session, `${path}.session`),
    threshold: int(o.threshold, `${path}.threshold`, 2, participants.length),
    publicKey: publicKey(o.publicKey, `${path}.publicKey`),
    participants,
  };
  return key;
}
