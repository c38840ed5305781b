// Participants, identifiers and the group's public key package, shared by the DKG and signing.
// A participant is named by a string (a member's name or key); its FROST identifier is
// FROST.Identifier.derive(name) (a scalar, as frost-rs derives identifiers), so an
// identifier never depends on the order of a list and a share is always attributed by name.

import { fromHex, toHex } from '../codec/index.ts';
import { PARTICIPANT_NAME_PATTERN, PARTICIPANTS_MAX, POINT_BYTES, THRESHOLD_MIN } from './constants.ts';
import { FrostError } from './errors.ts';
import { FROST } from './suite.ts';

/** The public result of a DKG: what the world publishes and every verifier needs. */
export type GroupKey = {
  threshold: number;
  /** The group's Ed25519 public key (hex): signatures verify under it like any Ed25519 signature. */
  publicKey: string;
  /** The summed VSS commitments (hex points); commitments[0] is the public key. */
  commitments: string[];
  /** Each participant's verifying share (hex point), by name: checks that participant's signature shares. */
  verifyingShares: Record<string, string>;
};

/** A participant's secret signing share. Stored like the node key (0600, optionally encrypted). */
export type KeyShare = { participant: string; signingShare: string };

type FrostPublic = Parameters<typeof FROST.signShare>[1];

export function malformed(message: string, participant?: string): FrostError {
  return new FrostError('MALFORMED_PACKAGE', message, participant);
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !PARTICIPANT_NAME_PATTERN.test(name)) {
    throw malformed(
      `participant names are 1–128 printable ASCII characters without spaces; got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function identifierOf(name: string): string {
  return FROST.Identifier.derive(checkName(name));
}

/** Checks a participant list and threshold: names valid and distinct, 2 ≤ threshold ≤ n ≤ PARTICIPANTS_MAX. */
export function checkParticipants(participants: readonly string[], threshold: number): void {
  if (!Array.isArray(participants) || participants.length > PARTICIPANTS_MAX) {
    throw malformed(`a key has at most ${PARTICIPANTS_MAX} participants`);
  }
  if (new Set(participants.map(checkName)).size !== participants.length) {
    throw new FrostError('DUPLICATE_PACKAGE', 'a participant is listed twice');
  }
  if (!Number.isInteger(threshold) || threshold < THRESHOLD_MIN || threshold > participants.length) {
    throw new FrostError(
      'WRONG_THRESHOLD',
      `threshold ${threshold} is not in ${THRESHOLD_MIN}..${participants.length} (the number of participants)`,
    );
  }
}

/** Decodes lowercase hex of exactly `bytes` bytes, or throws MALFORMED_PACKAGE naming the field. */
export function hexField(
  value: unknown,
  bytes: number | undefined,
  what: string,
  participant?: string,
): Uint8Array {
  try {
    if (typeof value !== 'string') throw new TypeError();
    return fromHex(value, bytes);
  } catch {
    throw malformed(
      `${what} must be lowercase hex${bytes === undefined ? '' : ` of ${bytes} bytes`}`,
      participant,
    );
  }
}

/** The participant a verifying share or commitment belongs to, or NOT_A_PARTICIPANT. */
export function requireParticipant(group: GroupKey, name: unknown): string {
  if (typeof name !== 'string' || !Object.hasOwn(group.verifyingShares, name)) {
    throw new FrostError('NOT_A_PARTICIPANT', `${JSON.stringify(name)} is not a participant of this key`);
  }
  return name;
}

/** noble's FrostPublic for a GroupKey. */
export function noblePublic(group: GroupKey): FrostPublic {
  const names = Object.keys(group.verifyingShares);
  return {
    signers: { min: group.threshold, max: names.length },
    commitments: group.commitments.map((c) => hexField(c, POINT_BYTES, 'a group commitment')),
    verifyingShares: Object.fromEntries(
      names.map((n) => [
        identifierOf(n),
        hexField(group.verifyingShares[n], POINT_BYTES, `the verifying share of ${n}`),
      ]),
    ),
  };
}

/** A GroupKey from noble's FrostPublic and the participant names. */
export function groupKeyOf(pub: FrostPublic, participants: readonly string[]): GroupKey {
  const verifyingShares: Record<string, string> = {};
  for (const name of [...participants].sort()) {
    const share = pub.verifyingShares[identifierOf(name)];
    if (share === undefined) throw new Error(`DKG result has no verifying share for ${name}`);
    verifyingShares[name] = toHex(share);
  }
  return {
    threshold: pub.signers.min,
    publicKey: toHex(pub.commitments[0]!),
    commitments: pub.commitments.map(toHex),
    verifyingShares,
  };
}
