// Threshold signing with the federation key (RFC 9591 §5, through noble-curves' ed25519_FROST):
//   - each member prepares nonce pairs ahead of time (NonceBook.prepare) and publishes their
//     commitments, so that a signature costs one round once there is something to sign;
//   - a coordinator picks one unused commitment per signer (CommitmentPool.take) and sends the
//     message with the chosen commitments (a SigningRequest) to the signers;
//   - each signer answers with a signature share (NonceBook.signShare), consuming its nonce;
//   - the coordinator sums the shares into a plain Ed25519 signature (aggregateSignature) and
//     checks it; if it fails, each share is checked on its own (verifyShare) and the bad signer
//     is named. verifyShare can also check each share as it arrives.
// A nonce is used at most once: NonceBook forgets a nonce as it signs with it, remembers the
// commitment as spent, and refuses it again (NONCE_REUSED). Prepared nonces live in memory
// only: after a restart a member prepares fresh ones and the old commitments are refused
// (UNKNOWN_COMMITMENT) — persisting nonces would risk a reuse after a restore, which leaks
// the signing share.

import { toHex } from '../codec/index.ts';
import { verifySignature } from '../crypto/index.ts';
import {
  MESSAGE_BYTES_MAX,
  NONCES_OUTSTANDING_MAX,
  POINT_BYTES,
  POOL_COMMITMENTS_PER_PARTICIPANT_MAX,
  SCALAR_BYTES,
  SPENT_COMMITMENTS_MAX,
} from './constants.ts';
import { FrostError } from './errors.ts';
import {
  type GroupKey,
  hexField,
  identifierOf,
  type KeyShare,
  malformed,
  noblePublic,
  requireParticipant,
} from './group.ts';
import type { RandomBytes } from './seal.ts';
import { FROST, rememberNonceCommitments } from './suite.ts';

/** A signer's published nonce commitment (hex points). */
export type NonceCommitment = { participant: string; hiding: string; binding: string };
/** What the coordinator asks the chosen signers to sign, with one commitment per signer. */
export type SigningRequest = { message: Uint8Array; commitments: NonceCommitment[] };
/** A signer's answer (hex scalar). */
export type SignatureShare = { participant: string; share: string };

type NobleCommitment = Parameters<typeof FROST.signShare>[3][number];
type Nonces = Parameters<typeof FROST.signShare>[2];

function commitmentKey(c: { hiding: string; binding: string }): string {
  return `${c.hiding}:${c.binding}`;
}

/** Validates a request against the group: size within threshold..n, signers distinct participants, points well-formed. */
function readRequest(group: GroupKey, request: SigningRequest): NobleCommitment[] {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.commitments)) {
    throw malformed('a signing request is { message, commitments }');
  }
  if (!(request.message instanceof Uint8Array) || request.message.length > MESSAGE_BYTES_MAX) {
    throw malformed(`the message is bytes, at most ${MESSAGE_BYTES_MAX}`);
  }
  const n = Object.keys(group.verifyingShares).length;
  const count = request.commitments.length;
  if (count < group.threshold || count > n) {
    throw new FrostError('WRONG_THRESHOLD', `${count} signers; this key needs ${group.threshold} to ${n}`);
  }
  const seen = new Set<string>();
  return request.commitments.map((c) => {
    const participant = requireParticipant(group, c?.participant);
    if (seen.has(participant))
      throw new FrostError('DUPLICATE_PACKAGE', `two commitments for ${participant}`, participant);
    seen.add(participant);
    return {
      identifier: identifierOf(participant),
      hiding: hexField(c.hiding, POINT_BYTES, 'the hiding commitment', participant),
      binding: hexField(c.binding, POINT_BYTES, 'the binding commitment', participant),
    };
  });
}

/** A member's prepared nonces for one key share. In memory only (see the top of this file). */
export class NonceBook {
  readonly share: KeyShare;
  readonly group: GroupKey;
  #secret: { identifier: string; signingShare: Uint8Array };
  #nonces = new Map<string, Nonces>();
  #spent = new Set<string>();
  #random: ((n?: number) => Uint8Array<ArrayBuffer>) | undefined;

  /** `random` replaces the system's random bytes in nonces (reproducible vectors only). */
  constructor(share: KeyShare, group: GroupKey, options: { random?: RandomBytes } = {}) {
    requireParticipant(group, share.participant);
    this.share = share;
    this.group = group;
    const random = options.random;
    this.#random = random === undefined ? undefined : (n = 32) => new Uint8Array(random(n));
    this.#secret = {
      identifier: identifierOf(share.participant),
      signingShare: hexField(share.signingShare, SCALAR_BYTES, 'the signing share'),
    };
  }

  get outstanding(): number {
    return this.#nonces.size;
  }

  /** The commitments of the prepared nonces not used yet, oldest first: what to (re)announce. */
  unused(): NonceCommitment[] {
    return [...this.#nonces.keys()].map((key) => {
      const [hiding, binding] = key.split(':') as [string, string];
      return { participant: this.share.participant, hiding, binding };
    });
  }

  /** Prepares `count` nonce pairs and returns their commitments, to publish ahead of signing. */
  prepare(count: number): NonceCommitment[] {
    if (!Number.isInteger(count) || count < 1 || this.#nonces.size + count > NONCES_OUTSTANDING_MAX) {
      throw new FrostError('TOO_MANY_NONCES', `at most ${NONCES_OUTSTANDING_MAX} prepared nonces at a time`);
    }
    return Array.from({ length: count }, () => {
      const { nonces, commitments } = FROST.commit(this.#secret, this.#random);
      // Multiples of the base point: signing with them need not check them again (suite.ts).
      rememberNonceCommitments(commitments);
      const c = {
        participant: this.share.participant,
        hiding: toHex(commitments.hiding),
        binding: toHex(commitments.binding),
      };
      this.#nonces.set(commitmentKey(c), nonces);
      return c;
    });
  }

  /** Signs request with the nonce behind this member's commitment in it, which is then gone for good. */
  signShare(request: SigningRequest): SignatureShare {
    const commitments = readRequest(this.group, request);
    const own = request.commitments.find((c) => c.participant === this.share.participant);
    if (own === undefined) throw malformed(`the request has no commitment for ${this.share.participant}`);
    const key = commitmentKey(own);
    const nonces = this.#nonces.get(key);
    if (nonces === undefined) {
      if (this.#spent.has(key)) {
        throw new FrostError(
          'NONCE_REUSED',
          `nonce commitment ${own.hiding.slice(0, 16)}… was already used: refusing to sign again`,
        );
      }
      throw new FrostError(
        'UNKNOWN_COMMITMENT',
        `nonce commitment ${own.hiding.slice(0, 16)}… was not prepared here`,
      );
    }
    // Forget the nonce before using it: whatever happens next, it is never used twice.
    this.#nonces.delete(key);
    this.#spent.add(key);
    if (this.#spent.size > SPENT_COMMITMENTS_MAX) this.#spent.delete(this.#spent.values().next().value!);
    const share = FROST.signShare(
      this.#secret,
      noblePublic(this.group),
      nonces,
      commitments,
      request.message,
    );
    return { participant: this.share.participant, share: toHex(share) };
  }
}

/** Checks one signature share (RFC 9591 §5.4); throws BAD_SHARE naming its signer. */
export function verifyShare(group: GroupKey, request: SigningRequest, share: SignatureShare): void {
  const commitments = readRequest(group, request);
  const participant = requireParticipant(group, share?.participant);
  if (!request.commitments.some((c) => c.participant === participant)) {
    throw new FrostError('NOT_A_PARTICIPANT', `${participant} is not a signer of this request`, participant);
  }
  const bytes = hexField(share.share, SCALAR_BYTES, 'the signature share', participant);
  let ok = false;
  try {
    ok = FROST.verifyShare(
      noblePublic(group),
      commitments,
      request.message,
      identifierOf(participant),
      bytes,
    );
  } catch {
    ok = false;
  }
  if (!ok)
    throw new FrostError('BAD_SHARE', `the signature share of ${participant} does not verify`, participant);
}

/**
 * Sums the shares into the group's Ed25519 signature (R ‖ z) and checks it (RFC 9591 §5.3).
 * Only when that check fails are the shares checked one by one (§5.4), to name the signer at
 * fault — the same guarantee as checking each share first (nothing wrong is ever returned, a
 * bad share is always named) at a fraction of the cost when every signer is honest. The result
 * is verified once more with THE Ed25519 verification function before it is returned.
 */
export function aggregateSignature(
  group: GroupKey,
  request: SigningRequest,
  shares: readonly SignatureShare[],
): Uint8Array {
  const commitments = readRequest(group, request);
  if (!Array.isArray(shares)) throw malformed('shares are an array');
  const byName = new Map<string, Uint8Array>();
  for (const s of shares) {
    const participant = requireParticipant(group, s?.participant);
    if (!request.commitments.some((c) => c.participant === participant)) {
      throw new FrostError(
        'NOT_A_PARTICIPANT',
        `${participant} is not a signer of this request`,
        participant,
      );
    }
    if (byName.has(participant))
      throw new FrostError('DUPLICATE_PACKAGE', `two shares from ${participant}`, participant);
    byName.set(participant, hexField(s.share, SCALAR_BYTES, 'the signature share', participant));
  }
  for (const c of request.commitments) {
    if (!byName.has(c.participant))
      throw new FrostError('MISSING_PACKAGE', `no signature share from ${c.participant}`, c.participant);
  }
  const sigShares = Object.fromEntries([...byName].map(([name, share]) => [identifierOf(name), share]));
  let signature: Uint8Array;
  try {
    signature = FROST.aggregate(noblePublic(group), commitments, request.message, sigShares);
  } catch {
    for (const s of shares) verifyShare(group, request, s);
    throw new Error(
      'the aggregate of shares that each verify does not verify: the group key package is inconsistent',
    );
  }
  const publicKey = hexField(group.publicKey, POINT_BYTES, 'the group public key');
  if (!verifySignature(publicKey, request.message, signature)) {
    throw new Error('an aggregate noble accepted does not pass strict Ed25519 verification');
  }
  return signature;
}

/**
 * The coordinator's store of published commitments: at most POOL_COMMITMENTS_PER_PARTICIPANT_MAX
 * per participant, each handed out once. A commitment offered again after it was handed out
 * is a replay and refused (NONCE_REUSED).
 */
export class CommitmentPool {
  readonly group: GroupKey;
  #available = new Map<string, NonceCommitment[]>();
  #handedOut = new Set<string>();

  constructor(group: GroupKey) {
    this.group = group;
  }

  /** Adds a participant's published commitments: all of them, or none if any is refused. */
  add(commitments: readonly NonceCommitment[]): void {
    if (!Array.isArray(commitments)) throw malformed('commitments are an array');
    const incoming = new Map<string, NonceCommitment[]>();
    const keys = new Set<string>();
    for (const c of commitments) {
      const participant = requireParticipant(this.group, c?.participant);
      hexField(c.hiding, POINT_BYTES, 'the hiding commitment', participant);
      hexField(c.binding, POINT_BYTES, 'the binding commitment', participant);
      const key = commitmentKey(c);
      const held = this.#available.get(participant) ?? [];
      if (keys.has(key) || this.#handedOut.has(key) || held.some((d) => commitmentKey(d) === key)) {
        throw new FrostError(
          'NONCE_REUSED',
          `${participant} offered a nonce commitment a second time`,
          participant,
        );
      }
      keys.add(key);
      const list = incoming.get(participant) ?? [];
      list.push({ participant, hiding: c.hiding, binding: c.binding });
      incoming.set(participant, list);
      if (held.length + list.length > POOL_COMMITMENTS_PER_PARTICIPANT_MAX) {
        throw new FrostError(
          'TOO_MANY_NONCES',
          `${participant} would have more than ${POOL_COMMITMENTS_PER_PARTICIPANT_MAX} commitments waiting`,
          participant,
        );
      }
    }
    for (const [participant, list] of incoming) {
      this.#available.set(participant, [...(this.#available.get(participant) ?? []), ...list]);
    }
  }

  /**
   * Drops every unused commitment of a participant: it restarted and its old nonces are gone
   * (they would only earn UNKNOWN_COMMITMENT). Commitments already handed out stay refused.
   */
  forget(participant: string): void {
    this.#available.delete(participant);
  }

  /**
   * Replaces a participant's unused commitments by its latest announcement (a snapshot of its
   * unused nonces), leaving out those already handed out or retired here. Returns how many it
   * holds now. A snapshot may repeat what the pool holds: unlike add(), that is no replay.
   */
  replace(participant: string, commitments: readonly NonceCommitment[]): number {
    requireParticipant(this.group, participant);
    if (!Array.isArray(commitments)) throw malformed('commitments are an array');
    const fresh: NonceCommitment[] = [];
    const keys = new Set<string>();
    for (const c of commitments.slice(0, POOL_COMMITMENTS_PER_PARTICIPANT_MAX)) {
      if (c?.participant !== participant)
        throw malformed(`a commitment in ${participant}'s snapshot is not its own`);
      hexField(c.hiding, POINT_BYTES, 'the hiding commitment', participant);
      hexField(c.binding, POINT_BYTES, 'the binding commitment', participant);
      const key = commitmentKey(c);
      if (this.#handedOut.has(key) || keys.has(key)) continue;
      keys.add(key);
      fresh.push({ participant, hiding: c.hiding, binding: c.binding });
    }
    this.#available.set(participant, fresh);
    return fresh.length;
  }

  /**
   * Marks commitments as used without handing them out: another coordinator put them in a
   * request this pool saw, so offering them again would only earn NONCE_REUSED.
   */
  retire(commitments: readonly NonceCommitment[]): void {
    for (const c of commitments) {
      const key = commitmentKey(c);
      const held = this.#available.get(c.participant);
      if (held !== undefined) {
        const kept = held.filter((d) => commitmentKey(d) !== key);
        if (kept.length < held.length) this.#available.set(c.participant, kept);
      }
      this.#handedOut.add(key);
      if (this.#handedOut.size > SPENT_COMMITMENTS_MAX)
        this.#handedOut.delete(this.#handedOut.values().next().value!);
    }
  }

  /** How many unused commitments a participant has here. */
  available(participant: string): number {
    return this.#available.get(participant)?.length ?? 0;
  }

  /** A participant's unused commitments here, oldest first. */
  unused(participant: string): readonly NonceCommitment[] {
    return [...(this.#available.get(participant) ?? [])];
  }

  /**
   * A request for message signed by `signers`, taking (and so retiring) one commitment of each:
   * the one `choose` picks among a signer's unused ones, oldest first (the oldest by default).
   * Coordinators that work at the same time each pick their own (src/node/federation
   * nonce-owners.ts), so that they never ask a signer for one nonce twice.
   */
  take(
    signers: readonly string[],
    message: Uint8Array,
    choose: (available: readonly NonceCommitment[]) => number = () => 0,
  ): SigningRequest {
    const missing = signers.filter((s) => this.available(s) === 0);
    if (missing.length > 0) {
      throw new FrostError(
        'MISSING_PACKAGE',
        `no nonce commitment available from ${missing.join(', ')}`,
        missing[0],
      );
    }
    // Validate with the chosen commitment of each before removing any: a refused request changes nothing.
    const picks = signers.map((s) => {
      const available = this.#available.get(s)!;
      const i = Math.trunc(choose([...available]));
      return Number.isSafeInteger(i) && i >= 0 && i < available.length ? i : 0;
    });
    const commitments = signers.map((s, k) => this.#available.get(s)![picks[k]!]!);
    const request = { message, commitments };
    readRequest(this.group, request);
    signers.forEach((s, k) => {
      this.#available.get(s)!.splice(picks[k]!, 1);
    });
    for (const c of commitments) {
      this.#handedOut.add(commitmentKey(c));
      if (this.#handedOut.size > SPENT_COMMITMENTS_MAX)
        this.#handedOut.delete(this.#handedOut.values().next().value!);
    }
    return request;
  }
}
