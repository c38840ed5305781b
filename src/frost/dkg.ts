// Distributed key generation for the federation key: the three rounds of noble-curves'
// ed25519_FROST.DKG (Pedersen DKG with proofs of knowledge, as frost-rs splits it; RFC 9591
// leaves DKG out of scope), wrapped so that
//   - round 1 yields a public, serialisable broadcast (VSS commitment, proof of knowledge, and
//     a fresh X25519 key for sealing round-2 shares): the transcript an auditor replays;
//   - round 2 yields one sealed share per other participant (seal.ts);
//   - round 3 opens, checks and combines the shares into this participant's signing share
//     and the group key;
// and every refusal is a FrostError that names the participant at fault where there is one.
// Participants are members named by strings; see group.ts for identifiers.

import { ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import { toHex } from '../codec/index.ts';
import {
  POINT_BYTES,
  SCALAR_BYTES,
  SEAL_NONCE_BYTES,
  SEAL_TAG_BYTES,
  SESSION_ID_BYTES,
} from './constants.ts';
import { FrostError } from './errors.ts';
import {
  checkName,
  checkParticipants,
  type GroupKey,
  groupKeyOf,
  hexField,
  identifierOf,
  type KeyShare,
  malformed,
} from './group.ts';
import { isSealingKey, newSealingKeyPair, open, type SealingKeyPair, seal } from './seal.ts';

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

type NobleRound1 = Parameters<typeof ed25519_FROST.DKG.round2>[1][number];
type NobleSecret = ReturnType<typeof ed25519_FROST.DKG.round1>['secret'];

const SIGNATURE_BYTES = 64;
/** A name no participant can have (participant names have no spaces): the identity of a transcript checker. */
const OBSERVER = 'transcript observer';

function checkConfig(config: DkgConfig): Uint8Array {
  const sessionId = hexField(config.sessionId, SESSION_ID_BYTES, 'the session id');
  checkParticipants(config.participants, config.threshold);
  return sessionId;
}

function checkSession(config: DkgConfig, sessionId: unknown, participant: string): void {
  if (sessionId !== config.sessionId) {
    throw new FrostError(
      'WRONG_SESSION',
      `a package from ${participant} belongs to another DKG session`,
      participant,
    );
  }
}

function requireMember(config: DkgConfig, name: unknown, role: string): string {
  if (typeof name !== 'string' || !config.participants.includes(name)) {
    throw new FrostError(
      'NOT_A_PARTICIPANT',
      `${role} ${JSON.stringify(name)} is not a participant of this DKG`,
    );
  }
  return name;
}

/** Shape, session, membership and threshold checks of one broadcast; returns it as noble wants it. */
function readBroadcast(config: DkgConfig, b: Round1Broadcast): NobleRound1 {
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
function readAllBroadcasts(
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
function checkProofs(config: DkgConfig, packages: NobleRound1[], names: string[]): void {
  const signers = (count: number) => ({ min: config.threshold, max: count + 1 });
  const observe = (subset: NobleRound1[]) => {
    const { secret } = ed25519_FROST.DKG.round1(
      ed25519_FROST.Identifier.derive(OBSERVER),
      signers(subset.length),
    );
    try {
      ed25519_FROST.DKG.round2(secret, subset);
    } finally {
      ed25519_FROST.DKG.clean(secret);
    }
  };
  try {
    observe(packages);
  } catch {
    // Find the first sender at fault, one package at a time.
    const padding = Array.from({ length: config.threshold - 2 }, (_, i) => {
      const id = ed25519_FROST.Identifier.derive(`${OBSERVER} ${i}`);
      return ed25519_FROST.DKG.round1(id, signers(config.threshold - 1)).public;
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

export class DkgParticipant {
  readonly config: DkgConfig;
  readonly self: string;
  readonly broadcast: Round1Broadcast;
  #sessionId: Uint8Array;
  #secret: NobleSecret;
  #sealing: SealingKeyPair;
  #others: Map<string, NobleRound1> | undefined;
  #sealingKeys: Map<string, Uint8Array> | undefined;
  #step: 1 | 2 | 3 = 1;

  /** Round 1: a fresh secret polynomial and sealing key; publish `broadcast` to every participant. */
  constructor(config: DkgConfig, self: string) {
    this.#sessionId = checkConfig(config);
    this.config = {
      sessionId: config.sessionId,
      participants: [...config.participants],
      threshold: config.threshold,
    };
    this.self = requireMember(this.config, checkName(self), 'this participant');
    const { public: pub, secret } = ed25519_FROST.DKG.round1(identifierOf(self), {
      min: config.threshold,
      max: config.participants.length,
    });
    this.#secret = secret;
    this.#sealing = newSealingKeyPair();
    this.broadcast = {
      sessionId: config.sessionId,
      participant: self,
      commitment: pub.commitment.map(toHex),
      proofOfKnowledge: toHex(pub.proofOfKnowledge),
      sealingKey: toHex(this.#sealing.publicKey),
    };
  }

  /** Round 2: given every participant's broadcast (this one's included), one sealed share per other participant. */
  round2(broadcasts: readonly Round1Broadcast[]): SealedShare[] {
    if (this.#step !== 1) throw new FrostError('OUT_OF_ORDER', 'round 2 runs once, after round 1');
    const all = readAllBroadcasts(this.config, broadcasts);
    const own = broadcasts.find((b) => b.participant === this.self)!;
    const mine = this.broadcast;
    if (
      own.sealingKey !== mine.sealingKey ||
      own.proofOfKnowledge !== mine.proofOfKnowledge ||
      own.commitment.some((c, i) => c !== mine.commitment[i])
    ) {
      throw malformed(
        `the round-1 broadcast under this participant's name (${this.self}) is not the one it sent`,
      );
    }
    const others = new Map([...all].filter(([name]) => name !== this.self));
    const names = [...others.keys()];
    let shares: ReturnType<typeof ed25519_FROST.DKG.round2>;
    try {
      // noble checks every proof of knowledge before it changes anything.
      shares = ed25519_FROST.DKG.round2(this.#secret, [...others.values()]);
    } catch (error) {
      checkProofs(this.config, [...others.values()], names);
      throw error;
    }
    this.#others = others;
    this.#sealingKeys = new Map(
      broadcasts.map((b) => [b.participant, hexField(b.sealingKey, POINT_BYTES, 'sealing key')]),
    );
    this.#step = 2;
    return names.map((to) => {
      const share = shares[identifierOf(to)]!;
      const { nonce, ciphertext } = seal(
        this.#sessionId,
        this.self,
        to,
        this.#sealing.secretKey,
        this.#sealingKeys!.get(to)!,
        share.signingShare,
      );
      return {
        sessionId: this.config.sessionId,
        from: this.self,
        to,
        nonce: toHex(nonce),
        ciphertext: toHex(ciphertext),
      };
    });
  }

  /**
   * Round 3: opens the shares sealed to this participant (exactly one from each other one),
   * checks each against its sender's commitment, and returns this participant's signing share
   * and the group key. A share that does not open or does not match names its sender.
   */
  round3(sealed: readonly SealedShare[]): { share: KeyShare; group: GroupKey } {
    if (this.#step !== 2 || this.#others === undefined)
      throw new FrostError('OUT_OF_ORDER', 'round 3 runs once, after round 2');
    const received = this.#openAll(sealed);
    const round2 = [...this.#others.keys()].map((from) => ({
      identifier: identifierOf(from),
      signingShare: received.get(from)!,
    }));
    let key: ReturnType<typeof ed25519_FROST.DKG.round3>;
    try {
      key = ed25519_FROST.DKG.round3(this.#secret, [...this.#others.values()], round2);
    } catch (error) {
      this.#blameShares(received);
      throw error;
    } finally {
      ed25519_FROST.DKG.clean(this.#secret);
      this.#sealing.secretKey.fill(0);
    }
    this.#step = 3;
    return {
      share: { participant: this.self, signingShare: toHex(key.secret.signingShare) },
      group: groupKeyOf(key.public, this.config.participants),
    };
  }

  #openAll(sealed: readonly SealedShare[]): Map<string, Uint8Array> {
    if (!Array.isArray(sealed)) throw malformed('sealed shares are an array');
    const received = new Map<string, Uint8Array>();
    for (const s of sealed) {
      if (s === null || typeof s !== 'object') throw malformed('a sealed share is an object');
      const from = requireMember(this.config, s.from, 'the sender');
      checkSession(this.config, s.sessionId, from);
      if (s.to !== this.self)
        throw malformed(
          `a share from ${from} is addressed to ${JSON.stringify(s.to)}, not ${this.self}`,
          from,
        );
      if (from === this.self) throw malformed('a share from this participant to itself', from);
      if (received.has(from)) throw new FrostError('DUPLICATE_PACKAGE', `two shares from ${from}`, from);
      const nonce = hexField(s.nonce, SEAL_NONCE_BYTES, 'the nonce', from);
      const ciphertext = hexField(s.ciphertext, SCALAR_BYTES + SEAL_TAG_BYTES, 'the sealed share', from);
      const share = open(
        this.#sessionId,
        from,
        this.self,
        this.#sealing.secretKey,
        this.#sealingKeys!.get(from)!,
        nonce,
        ciphertext,
      );
      received.set(from, share);
    }
    for (const name of this.#others!.keys()) {
      if (!received.has(name)) throw new FrostError('MISSING_PACKAGE', `no share from ${name}`, name);
    }
    return received;
  }

  /** After round 3 failed: the first sender whose share does not match its commitment. */
  #blameShares(received: Map<string, Uint8Array>): void {
    for (const [from, r1] of this.#others!) {
      try {
        ed25519_FROST.validateSecret(
          { identifier: identifierOf(this.self), signingShare: received.get(from)! },
          {
            signers: { min: this.config.threshold, max: this.config.participants.length },
            commitments: r1.commitment,
            verifyingShares: {},
          },
        );
      } catch {
        throw new FrostError(
          'BAD_SHARE',
          `the share from ${from} does not match its round-1 commitment`,
          from,
        );
      }
    }
  }
}

/**
 * What an auditor checks in the public transcript: every participant's broadcast once, in
 * this session, with the right threshold and a valid proof of knowledge; and the group key,
 * recomputed from the commitments alone (group commitment k = Σ_i C_i[k]; verifying share of
 * j = Σ_k id_j^k · group commitment k). Equal to what every honest participant got in round 3.
 */
export function groupKeyFromTranscript(config: DkgConfig, broadcasts: readonly Round1Broadcast[]): GroupKey {
  checkConfig(config);
  const all = readAllBroadcasts(config, broadcasts);
  const names = [...all.keys()];
  checkProofs(config, [...all.values()], names);
  const { Point } = ed25519;
  const Fn = ed25519_FROST.utils.Fn;
  const summed = Array.from({ length: config.threshold }, (_, k) =>
    [...all.values()].reduce((acc, p) => acc.add(Point.fromBytes(p.commitment[k]!)), Point.ZERO),
  );
  const verifyingShares: Record<string, string> = {};
  for (const name of [...config.participants].sort()) {
    const id = Fn.fromBytes(hexField(identifierOf(name), SCALAR_BYTES, 'identifier'));
    let power = Fn.ONE;
    let share = Point.ZERO;
    for (const c of summed) {
      share = share.add(c.multiplyUnsafe(power));
      power = Fn.mul(power, id);
    }
    verifyingShares[name] = toHex(share.toBytes());
  }
  return {
    threshold: config.threshold,
    publicKey: toHex(summed[0]!.toBytes()),
    commitments: summed.map((c) => toHex(c.toBytes())),
    verifyingShares,
  };
}
