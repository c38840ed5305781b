// Distributed key generation for the federation key: the three rounds of noble-curves'
// FROST.DKG (Pedersen DKG with proofs of knowledge, as frost-rs splits it; RFC 9591
// leaves DKG out of scope), wrapped so that
//   - round 1 yields a public, serialisable broadcast (VSS commitment, proof of knowledge, and
//     a fresh X25519 key for sealing round-2 shares): the transcript an auditor replays;
//   - round 2 yields one sealed share per other participant (seal.ts);
//   - round 3 opens, checks and combines the shares into this participant's signing share
//     and the group key;
// and every refusal is a FrostError that names the participant at fault where there is one.
// Participants are members named by strings; see group.ts for identifiers.

import { toHex } from '../codec/index.ts';
import { POINT_BYTES, SCALAR_BYTES, SEAL_NONCE_BYTES, SEAL_TAG_BYTES } from './constants.ts';
import { FrostError } from './errors.ts';
import {
  checkName,
  type GroupKey,
  groupKeyOf,
  hexField,
  identifierOf,
  type KeyShare,
  malformed,
} from './group.ts';
import { newSealingKeyPair, open, type RandomBytes, type SealingKeyPair, seal } from './seal.ts';
import { FROST } from './suite.ts';
import {
  checkConfig,
  checkProofs,
  checkSession,
  type DkgConfig,
  type NobleRound1,
  type NobleSecret,
  type Round1Broadcast,
  readAllBroadcasts,
  requireMember,
  type SealedShare,
} from './transcript.ts';

export class DkgParticipant {
  readonly config: DkgConfig;
  readonly self: string;
  readonly broadcast: Round1Broadcast;
  #sessionId: Uint8Array;
  #secret: NobleSecret;
  #sealing: SealingKeyPair;
  #others: Map<string, NobleRound1> | undefined;
  #sealingKeys: Map<string, Uint8Array> | undefined;
  #random: RandomBytes | undefined;
  #step: 1 | 2 | 3 | 'failed' = 1;
  /** After a round 3 that named a sender: the sealing secret, kept for one complaint. */
  #disputed: { accused: string; box: SealedShare } | undefined;

  /**
   * Round 1: a fresh secret polynomial and sealing key; publish `broadcast` to every
   * participant. `random` replaces the system's random bytes (reproducible vectors only).
   */
  constructor(config: DkgConfig, self: string, options: { random?: RandomBytes } = {}) {
    this.#sessionId = checkConfig(config);
    this.config = {
      sessionId: config.sessionId,
      participants: [...config.participants],
      threshold: config.threshold,
    };
    this.self = requireMember(this.config, checkName(self), 'this participant');
    this.#random = options.random;
    const { public: pub, secret } = FROST.DKG.round1(
      identifierOf(self),
      { min: config.threshold, max: config.participants.length },
      undefined,
      this.#random === undefined ? undefined : nobleRandom(this.#random),
    );
    this.#secret = secret;
    this.#sealing = newSealingKeyPair(this.#random);
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
    let shares: ReturnType<typeof FROST.DKG.round2>;
    try {
      // noble checks every proof of knowledge before it changes anything.
      shares = FROST.DKG.round2(this.#secret, [...others.values()]);
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
        this.#random,
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
   * and the group key. A share that does not open or does not match names its sender
   * (BAD_SHARE); then complaint() gives what the others need to judge it. A refused call
   * changes nothing.
   */
  round3(sealed: readonly SealedShare[]): { share: KeyShare; group: GroupKey } {
    if (this.#step !== 2 || this.#others === undefined)
      throw new FrostError('OUT_OF_ORDER', 'round 3 runs once, after round 2');
    let key: ReturnType<typeof FROST.DKG.round3>;
    try {
      const received = this.#openAll(sealed);
      const round2 = [...this.#others.keys()].map((from) => ({
        identifier: identifierOf(from),
        signingShare: received.get(from)!,
      }));
      try {
        key = FROST.DKG.round3(this.#secret, [...this.#others.values()], round2);
      } catch (error) {
        this.#blameShares(received);
        throw error;
      }
    } catch (error) {
      // Refused input changes nothing (the right boxes may still come); a share that names its
      // sender is kept, so that complaint() can put it before the others.
      if (error instanceof FrostError && error.code === 'BAD_SHARE' && error.participant !== undefined) {
        const box = sealed.find((s) => s?.from === error.participant && s.to === this.self);
        if (box !== undefined) this.#disputed = { accused: error.participant, box: { ...box } };
      }
      throw error;
    }
    FROST.DKG.clean(this.#secret);
    this.#sealing.secretKey.fill(0);
    this.#step = 3;
    return {
      share: { participant: this.self, signingShare: toHex(key.secret.signingShare) },
      group: groupKeyOf(key.public, this.config.participants),
    };
  }

  /**
   * After round 3 named a sender: the complaint that lets anyone judge it (transcript.ts
   * judgeComplaint) — the share in dispute and this participant's session sealing secret,
   * revealed once and then erased. Revealing it is safe: the session is abandoned, and the
   * secret opens only shares of this session. Undefined when there is nothing to complain of.
   */
  complaint(): { accused: string; box: SealedShare; sealingSecret: string } | undefined {
    const disputed = this.#disputed;
    if (disputed === undefined || this.#step !== 2) return undefined;
    this.#disputed = undefined;
    this.#step = 'failed';
    FROST.DKG.clean(this.#secret);
    const sealingSecret = toHex(this.#sealing.secretKey);
    this.#sealing.secretKey.fill(0);
    return { ...disputed, sealingSecret };
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
        FROST.validateSecret(
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

/** noble's rng signature (a length that defaults to 32) over a RandomBytes. */
function nobleRandom(random: RandomBytes): (bytesLength?: number) => Uint8Array<ArrayBuffer> {
  return (n = 32) => new Uint8Array(random(n));
}
