// The DKG's public transcript, as the rules and an auditor see it: the round-1 broadcasts
// (VSS commitments, proofs of knowledge, sealing keys) and the sealed round-2 shares. From the
// broadcasts alone anyone recomputes the group key and every verifying share; from a
// complaint — the complainer's revealed session sealing secret — anyone opens the one sealed
// share in dispute and sees who is at fault. Nothing here needs a secret of a participant.

import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, toHex } from '../codec/index.ts';
import {
  POINT_BYTES,
  SCALAR_BYTES,
  SEAL_NONCE_BYTES,
  SEAL_TAG_BYTES,
  SESSION_ID_BYTES,
} from './constants.ts';
import { FrostError } from './errors.ts';
import { checkParticipants, type GroupKey, hexField, identifierOf, malformed } from './group.ts';
import { isSealingKey, open } from './seal.ts';
import { FROST } from './suite.ts';

/** What every participant agrees on before round 1 (from the world that asks for the key). */
export type DkgConfig = { sessionId: string; participants: string[]; threshold: number };

/** Round 1, broadcast to all and recorded in the ledger. All fields lowercase hex. */
export type Round1Broadcast = {
  sessionId: string;
  participant: string;
  /** VSS commitment: threshold points; the first is this participant's contribution to the group key. */
  commitment: string[];
  /** Schnorr proof that the sender knows the secret behind commitment[0] (no rogue keys). */
  proofOfKnowledge: string;
  /** X25519 public key for this session, to which the others seal their shares. */
  sealingKey: string;
};

/** Round 2, one per (sender, recipient) pair: a signing share sealed to the recipient. */
export type SealedShare = { sessionId: string; from: string; to: string; nonce: string; ciphertext: string };

export type NobleRound1 = Parameters<typeof FROST.DKG.round2>[1][number];
export type NobleSecret = ReturnType<typeof FROST.DKG.round1>['secret'];

const SIGNATURE_BYTES = 64;
/** A name no participant can have (participant names have no spaces): the identity of a transcript checker. */
const OBSERVER = 'transcript observer';

export function checkConfig(config: DkgConfig): Uint8Array {
  const sessionId = hexField(config.sessionId, SESSION_ID_BYTES, 'the session id');
  checkParticipants(config.participants, config.threshold);
  return sessionId;
}

export function checkSession(config: DkgConfig, sessionId: unknown, participant: string): void {
  if (sessionId !== config.sessionId) {
    throw new FrostError(
      'WRONG_SESSION',
      `a package from ${participant} belongs to another DKG session`,
      participant,
    );
  }
}

export function requireMember(config: DkgConfig, name: unknown, role: string): string {
  if (typeof name !== 'string' || !config.participants.includes(name)) {
    throw new FrostError(
      'NOT_A_PARTICIPANT',
      `${role} ${JSON.stringify(name)} is not a participant of this DKG`,
    );
  }
  return name;
}

/** Shape, session, membership and threshold checks of one broadcast; returns it as noble wants it. */
export function readBroadcast(config: DkgConfig, b: Round1Broadcast): NobleRound1 {
  if (b === null || typeof b !== 'object') throw malformed('a round-1 broadcast is an object');
  const participant = requireMember(config, b.participant, 'the sender');
  checkSession(config, b.sessionId, participant);
  if (!Array.isArray(b.commitment) || b.commitment.length !== config.threshold) {
    throw new FrostError(
      'WRONG_THRESHOLD',
      `${participant} committed to ${Array.isArray(b.commitment) ? b.commitment.length : 'no'} coefficients; the threshold is ${config.threshold}`,
      participant,
    );
  }
  const sealingKey = hexField(b.sealingKey, POINT_BYTES, 'the sealing key', participant);
  if (!isSealingKey(sealingKey))
    throw malformed(`the sealing key of ${participant} is not a usable X25519 key`, participant);
  return {
    identifier: identifierOf(participant),
    commitment: b.commitment.map((c, i) => hexField(c, POINT_BYTES, `commitment ${i}`, participant)),
    proofOfKnowledge: hexField(b.proofOfKnowledge, SIGNATURE_BYTES, 'the proof of knowledge', participant),
  };
}

/** Every participant's broadcast exactly once, in participant order. */
export function readAllBroadcasts(
  config: DkgConfig,
  broadcasts: readonly Round1Broadcast[],
): Map<string, NobleRound1> {
  if (!Array.isArray(broadcasts)) throw malformed('round-1 broadcasts are an array');
  const byName = new Map<string, NobleRound1>();
  for (const b of broadcasts) {
    const parsed = readBroadcast(config, b);
    if (byName.has(b.participant)) {
      throw new FrostError(
        'DUPLICATE_PACKAGE',
        `two round-1 broadcasts from ${b.participant}`,
        b.participant,
      );
    }
    byName.set(b.participant, parsed);
  }
  for (const name of config.participants) {
    if (!byName.has(name)) throw new FrostError('MISSING_PACKAGE', `no round-1 broadcast from ${name}`, name);
  }
  return byName;
}

/**
 * Checks proofs of knowledge with noble's own round 2, run by an observer that takes part in
 * nothing: noble validates every proof before it evaluates anything. The observer's polynomial
 * is random and thrown away. noble's round 2 wants at least threshold − 1 packages, so a
 * suspect checked alone is padded with throw-away packages of observers too.
 */
export function checkProofs(config: DkgConfig, packages: NobleRound1[], names: string[]): void {
  const signers = (count: number) => ({ min: config.threshold, max: count + 1 });
  const observe = (subset: NobleRound1[]) => {
    const { secret } = FROST.DKG.round1(FROST.Identifier.derive(OBSERVER), signers(subset.length));
    try {
      FROST.DKG.round2(secret, subset);
    } finally {
      FROST.DKG.clean(secret);
    }
  };
  try {
    observe(packages);
  } catch {
    // Find the first sender at fault, one package at a time.
    const padding = Array.from({ length: config.threshold - 2 }, (_, i) => {
      const id = FROST.Identifier.derive(`${OBSERVER} ${i}`);
      return FROST.DKG.round1(id, signers(config.threshold - 1)).public;
    });
    packages.forEach((p, i) => {
      try {
        observe([p, ...padding]);
      } catch {
        throw new FrostError(
          'BAD_PROOF',
          `the round-1 proof of knowledge of ${names[i]} does not verify`,
          names[i],
        );
      }
    });
    throw malformed('round-1 broadcasts were refused by the DKG');
  }
}

/** Checks one round-1 broadcast without its proof of knowledge: session, sender, threshold, encodings. */
export function checkBroadcast(config: DkgConfig, broadcast: Round1Broadcast): void {
  checkConfig(config);
  readBroadcast(config, broadcast);
}

/**
 * Checks a whole round-1 transcript: one broadcast from every participant, each well formed,
 * every point a valid element of the prime-order group and every proof of knowledge valid
 * (one pass of noble's own round-2 checks). A bad proof names its sender (BAD_PROOF).
 */
export function checkTranscript(config: DkgConfig, broadcasts: readonly Round1Broadcast[]): void {
  checkConfig(config);
  const all = readAllBroadcasts(config, broadcasts);
  checkProofs(config, [...all.values()], [...all.keys()]);
}

/**
 * What an auditor checks in the public transcript: every participant's broadcast once, in
 * this session, with the right threshold and a valid proof of knowledge; and the group key,
 * recomputed from the commitments alone (group commitment k = Σ_i C_i[k]; verifying share of
 * j = Σ_k id_j^k · group commitment k). Equal to what every honest participant got in round 3.
 * `proofsChecked`: the caller already ran checkTranscript on these very broadcasts.
 */
export function groupKeyFromTranscript(
  config: DkgConfig,
  broadcasts: readonly Round1Broadcast[],
  options: { proofsChecked?: boolean } = {},
): GroupKey {
  checkConfig(config);
  const all = readAllBroadcasts(config, broadcasts);
  if (options.proofsChecked !== true) checkProofs(config, [...all.values()], [...all.keys()]);
  const { Point } = ed25519;
  const Fn = FROST.utils.Fn;
  const summed = Array.from({ length: config.threshold }, (_, k) =>
    [...all.values()].reduce((acc, p) => acc.add(Point.fromBytes(p.commitment[k]!)), Point.ZERO),
  );
  const verifyingShares: Record<string, string> = {};
  for (const name of [...config.participants].sort()) {
    const id = Fn.fromBytes(hexField(identifierOf(name), SCALAR_BYTES, 'identifier'));
    const powers = [Fn.ONE];
    for (let k = 1; k < summed.length; k++) powers.push(Fn.mul(powers[k - 1]!, id));
    verifyingShares[name] = toHex(mulAddUnsafe(Point, summed, powers).toBytes());
  }
  return {
    threshold: config.threshold,
    publicKey: toHex(summed[0]!.toBytes()),
    commitments: summed.map((c) => toHex(c.toBytes())),
    verifyingShares,
  };
}

/** Checks a sender's round-2 package: exactly one well-formed sealed share to every other participant. */
export function checkSealedShares(config: DkgConfig, from: string, sealed: readonly SealedShare[]): void {
  checkConfig(config);
  const sender = requireMember(config, from, 'the sender');
  if (!Array.isArray(sealed)) throw malformed('sealed shares are an array', sender);
  const to = new Set<string>();
  for (const s of sealed) {
    if (s === null || typeof s !== 'object') throw malformed('a sealed share is an object', sender);
    if (s.from !== sender) throw malformed(`a share in the package of ${sender} is from ${s.from}`, sender);
    checkSession(config, s.sessionId, sender);
    const recipient = requireMember(config, s.to, 'the recipient');
    if (recipient === sender) throw malformed(`${sender} sealed a share to itself`, sender);
    if (to.has(recipient))
      throw new FrostError('DUPLICATE_PACKAGE', `two shares from ${sender} to ${recipient}`, sender);
    to.add(recipient);
    hexField(s.nonce, SEAL_NONCE_BYTES, 'the nonce', sender);
    hexField(s.ciphertext, SCALAR_BYTES + SEAL_TAG_BYTES, 'the sealed share', sender);
  }
  for (const name of config.participants) {
    if (name !== sender && !to.has(name))
      throw new FrostError('MISSING_PACKAGE', `${sender} sealed no share to ${name}`, sender);
  }
}

/** The sealing public key of a revealed sealing secret. */
export function sealingKeyOf(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret);
}

/**
 * Decides a complaint: `complainer` says the share `box` from `box.from` is bad, and reveals its
 * session sealing secret so that anyone can open the box. Returns the participant at fault —
 * the sender when the box does not open or its share does not match the sender's commitment,
 * the complainer when the share is good (a false complaint). Throws MALFORMED_PACKAGE when the
 * revealed secret is not the one behind the complainer's sealing key (then nobody is judged).
 * The broadcasts must have passed checkTranscript.
 */
export function judgeComplaint(
  config: DkgConfig,
  broadcasts: readonly Round1Broadcast[],
  complainer: string,
  box: SealedShare,
  sealingSecret: string,
): string {
  const sessionId = checkConfig(config);
  const all = readAllBroadcasts(config, broadcasts);
  requireMember(config, complainer, 'the complainer');
  const accused = requireMember(config, box?.from, 'the accused');
  if (box.to !== complainer) throw malformed(`the share in dispute is not addressed to ${complainer}`);
  checkSession(config, box.sessionId, accused);
  const secret = hexField(sealingSecret, POINT_BYTES, 'the revealed sealing secret', complainer);
  const byName = new Map(broadcasts.map((b) => [b.participant, b]));
  const ownKey = hexField(byName.get(complainer)!.sealingKey, POINT_BYTES, 'the sealing key');
  let derived: Uint8Array;
  try {
    derived = sealingKeyOf(secret);
  } catch {
    throw malformed('the revealed sealing secret is not an X25519 secret key', complainer);
  }
  if (!bytesEqual(derived, ownKey)) {
    throw malformed(
      `the revealed secret is not the one behind the sealing key ${complainer} broadcast`,
      complainer,
    );
  }
  const senderKey = hexField(byName.get(accused)!.sealingKey, POINT_BYTES, 'the sealing key');
  if (!isSealingKey(senderKey)) return accused;
  let share: Uint8Array;
  try {
    share = open(
      sessionId,
      accused,
      complainer,
      secret,
      senderKey,
      hexField(box.nonce, SEAL_NONCE_BYTES, 'the nonce', accused),
      hexField(box.ciphertext, SCALAR_BYTES + SEAL_TAG_BYTES, 'the sealed share', accused),
    );
  } catch {
    return accused;
  }
  try {
    FROST.validateSecret(
      { identifier: identifierOf(complainer), signingShare: share },
      {
        signers: { min: config.threshold, max: config.participants.length },
        commitments: all.get(accused)!.commitment,
        verifyingShares: {},
      },
    );
  } catch {
    return accused;
  }
  return complainer;
}
