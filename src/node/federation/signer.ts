// Threshold signing by the roots (docs/architecture.md "Federation key"): every root is a
// signer for the keys it holds a share of and a possible coordinator for every job.
//
//   signer       prepares nonces ahead (NonceBook) and announces its unused commitments, so a
//                signature costs one round once there is something to sign; signs a request
//                only when its own ledger and state give exactly the bytes asked for, with a
//                nonce it has never used;
//   coordinator  takes its turn per job (COORDINATOR_TURN_MS apart, in an order fixed by the
//                job), picks `threshold` reachable participants with commitments, sends the
//                request, sums the shares and checks the sum as one signature (only a failed
//                sum has the shares checked one by one: a wrong one names its signer — the
//                signed share is evidence — and is never used), and gossips the signature;
//                silent signers are passed over on the next try.
//
// Every root keeps a commitment pool per key from the announcements and retires the
// commitments it sees in anyone's request, so coordinators do not reuse them. Coordinators at
// work at the same time do not take the same commitment either: each commitment belongs to one
// coordinator (nonce-owners.ts), a coordinator takes its own, and a signer keeps every
// coordinator supplied with its own share of the signer's nonces. No clock, timer or network
// inside: the root calls receive() with gossip, tick() on a timer, and gets messages back
// through SignerHost.publish.

import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { fromBase64, toBase64, toHex } from '../../codec/index.ts';
import { sha256, verifySignature } from '../../crypto/index.ts';
import {
  aggregateSignature,
  CommitmentPool,
  FrostError,
  type GroupKey,
  type KeyShare,
  NonceBook,
  type SigningRequest,
} from '../../frost/index.ts';
import {
  ANNOUNCED_NONCES_MAX,
  COMMITMENTS_ANNOUNCE_MS,
  COORDINATOR_NONCES,
  COORDINATOR_NONCES_LOW_WATER,
  COORDINATOR_TURN_MS,
  DEFERRED_REQUEST_MS,
  DEFERRED_REQUESTS_MAX,
  FAULTS_KEPT_MAX,
  JOBS_MAX,
  NONCES_KEPT_MAX,
  NONCES_LOW_WATER,
  NONCES_PER_BATCH,
  SHARE_TIMEOUT_MS,
  UNRESPONSIVE_MS,
} from './constants.ts';
import { FederationError } from './errors.ts';
import { encodeFrostMessage, type FrostMessage, type Job, jobId, requestId } from './messages.ts';
import { NonceOwners } from './nonce-owners.ts';

/** What the signer needs from its root. */
export interface SignerHost {
  readonly federation: string;
  readonly nodeSecretKey: Uint8Array;
  readonly log: Logger;
  /** This root's member name, or undefined when it is no member. */
  self(): string | undefined;
  /** Members whose roots are reachable now, this one included. */
  online(): ReadonlySet<string>;
  /** Members that take turns coordinating (the voting members in force). */
  coordinators(): readonly string[];
  /** The bytes `key` is asked to sign for `job`, when this root's own ledger and state give them. */
  messageOf(job: Job, key: string): Uint8Array | undefined;
  /** A verified signature for a job: `own` when this root aggregated it, else a peer's. */
  signed(job: Job, key: string, signature: Uint8Array, own: boolean): void;
  publish(bytes: Uint8Array): void;
  now(): number;
}

/** A signer's fault, kept as evidence: the signed share and the request it answered. */
export interface SignerFault {
  member: string;
  key: string;
  job: Job;
  code: string;
  message: string;
  /** The signer's share message and the coordinator's request, as they came (base64). */
  evidence: { share: string; request: string };
  atMs: number;
}

type RequestMessage = Extract<FrostMessage, { type: 'request' }>;
type SignatureMessage = Extract<FrostMessage, { type: 'signature' }>;

interface KeyState {
  group: GroupKey;
  pool: CommitmentPool;
  own?: {
    book: NonceBook;
    id: string;
    seq: number;
    announcedMs: number;
    /** The hiding commitments of the last announcement: what coordinators can take. */
    announced: Set<string>;
  };
  /** Per member: the book and sequence number of the last announcement taken. */
  books: Map<string, { id: string; seq: number }>;
}

interface Attempt {
  id: string;
  message: RequestMessage;
  bytes: Uint8Array;
  request: SigningRequest;
  shares: Map<string, { share: string; bytes: Uint8Array }>;
  startedMs: number;
}

interface JobState {
  job: Job;
  key: string;
  id: string;
  firstSeenMs: number;
  done: boolean;
  attempt?: Attempt;
  /** Signers passed over for this job: they sent a wrong share. */
  excluded: Set<string>;
}

function participantsOf(group: GroupKey): string[] {
  return Object.keys(group.verifyingShares);
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function hexKey(b64: string): string {
  return toHex(fromBase64(b64));
}

export class FederationSigner {
  readonly #host: SignerHost;
  readonly #keys = new Map<string, KeyState>();
  readonly #jobs = new Map<string, JobState>();
  readonly #deferred: { message: RequestMessage; bytes: Uint8Array; atMs: number }[] = [];
  /** Signatures on bytes this root cannot rebuild yet (a checkpoint it has not committed). */
  readonly #early: { message: SignatureMessage; atMs: number }[] = [];
  readonly #unresponsive = new Map<string, number>();
  readonly faults: SignerFault[] = [];

  constructor(host: SignerHost) {
    this.#host = host;
  }

  /** The keys this root works with: the group keys (base64) and its own share of each, if any. */
  setKeys(keys: readonly { key: string; group: GroupKey; share?: KeyShare }[]): void {
    const wanted = new Set(keys.map((k) => k.key));
    for (const key of [...this.#keys.keys()]) if (!wanted.has(key)) this.#keys.delete(key);
    for (const k of keys) {
      let state = this.#keys.get(k.key);
      if (state === undefined) {
        state = { group: k.group, pool: new CommitmentPool(k.group), books: new Map() };
        this.#keys.set(k.key, state);
      }
      if (k.share !== undefined && state.own === undefined) {
        const book = new NonceBook(k.share, k.group);
        state.own = {
          book,
          id: randomBytes(16).toString('hex'),
          seq: 0,
          announcedMs: 0,
          announced: new Set(),
        };
        this.#replenish(k.key, state);
      }
    }
  }

  /** Jobs this root wants signed now; a job no longer listed is dropped. */
  want(jobs: readonly { job: Job; key: string }[]): void {
    const now = this.#host.now();
    const ids = new Set<string>();
    for (const { job, key } of jobs.slice(0, JOBS_MAX)) {
      if (!this.#keys.has(key)) continue;
      const id = jobId(job, key);
      ids.add(id);
      if (!this.#jobs.has(id))
        this.#jobs.set(id, { job, key, id, firstSeenMs: now, done: false, excluded: new Set() });
    }
    for (const id of [...this.#jobs.keys()]) if (!ids.has(id)) this.#jobs.delete(id);
  }

  /** Takes one gossip message (already authenticated, messages.ts decodeFrostMessage). */
  receive(m: FrostMessage, bytes: Uint8Array): void {
    if (m.type === 'commitments') this.#onCommitments(m);
    else if (m.type === 'request') this.#onRequest(m, bytes);
    else if (m.type === 'share') this.#onShare(m, bytes);
    else this.#onSignature(m);
  }

  /** Timers: announcements, coordinator turns, share timeouts, deferred requests. */
  tick(): void {
    const now = this.#host.now();
    for (const [key, state] of this.#keys) {
      // The coordinators may have changed with the world: top up their shares, or re-announce.
      if (state.own === undefined || this.#replenish(key, state)) continue;
      if (now - state.own.announcedMs >= COMMITMENTS_ANNOUNCE_MS) this.#announce(key, state);
    }
    for (const job of this.#jobs.values()) this.#coordinate(job, now);
    for (let i = this.#deferred.length - 1; i >= 0; i--) {
      const d = this.#deferred[i]!;
      if (now - d.atMs > DEFERRED_REQUEST_MS) this.#deferred.splice(i, 1);
    }
    for (const d of this.#deferred.splice(0)) this.#onRequest(d.message, d.bytes, d.atMs);
    for (const e of this.#early.splice(0))
      if (now - e.atMs <= DEFERRED_REQUEST_MS) this.#onSignature(e.message, e.atMs);
  }

  /**
   * Announces this root's unused commitments for every key now: a member (re)joined, and one
   * that restarted holds none of them until it is told.
   */
  greet(): void {
    for (const [key, state] of this.#keys) if (state.own !== undefined) this.#announce(key, state);
  }

  /** Members with unused commitments in this root's pool for `key`. */
  available(key: string): string[] {
    const state = this.#keys.get(key);
    if (state === undefined) return [];
    return participantsOf(state.group).filter((p) => state.pool.available(p) > 0);
  }

  #send(m: FrostMessage): Uint8Array {
    const bytes = encodeFrostMessage(this.#host.federation, m, this.#host.nodeSecretKey);
    this.#host.publish(bytes);
    return bytes;
  }

  /** How many of a root's commitments each coordinator is announced (nonce-owners.ts). */
  #perOwner(owners: NonceOwners): number {
    return Math.floor(ANNOUNCED_NONCES_MAX / Math.max(owners.order.length, 1));
  }

  /**
   * When fewer than NONCES_LOW_WATER nonces are left, or a coordinator can take fewer than
   * COORDINATOR_NONCES_LOW_WATER of the announced ones (nonce-owners.ts): prepares nonces one at
   * a time until there are NONCES_PER_BATCH and every coordinator owns COORDINATOR_NONCES (or
   * its share of an announcement, if smaller), never more than NONCES_KEPT_MAX, and announces.
   * Returns whether it announced.
   */
  #replenish(key: string, state: KeyState): boolean {
    const own = state.own!;
    const book = own.book;
    if (this.#host.self() === undefined) return false;
    const owners = new NonceOwners(this.#host.coordinators());
    const target = Math.min(COORDINATOR_NONCES, this.#perOwner(owners));
    const unused = book.unused();
    const visible = owners.holdings(unused.filter((c) => own.announced.has(c.hiding)));
    if (
      book.outstanding >= NONCES_LOW_WATER &&
      Math.min(target, ...visible.values()) >= Math.min(COORDINATOR_NONCES_LOW_WATER, target)
    )
      return false;
    const held = owners.holdings(unused);
    const fewest = () => Math.min(target, ...held.values());
    const before = book.outstanding;
    while (book.outstanding < NONCES_KEPT_MAX && (book.outstanding < NONCES_PER_BATCH || fewest() < target)) {
      const owner = owners.ownerOf(book.prepare(1)[0]!);
      if (owner !== undefined) held.set(owner, held.get(owner)! + 1);
    }
    // Nothing new to show (NONCES_KEPT_MAX reached, every nonce announced): no announcement.
    const next = this.#announcement(book);
    if (book.outstanding === before && next.every((c) => own.announced.has(c.hiding))) return false;
    this.#announce(key, state);
    return true;
  }

  /** What this root announces of its unused nonces: each coordinator's share, those it takes first. */
  #announcement(book: NonceBook): { hiding: string; binding: string }[] {
    const owners = new NonceOwners(this.#host.coordinators());
    return owners
      .announced(book.unused(), this.#perOwner(owners))
      .slice(0, ANNOUNCED_NONCES_MAX)
      .map((c) => ({ hiding: c.hiding, binding: c.binding }));
  }

  /**
   * Announces this root's unused commitments (a numbered snapshot): each coordinator's share of
   * an announcement, those it would take first; the others wait for a later announcement.
   */
  #announce(key: string, state: KeyState): void {
    const own = state.own!;
    const self = this.#host.self();
    if (self === undefined) return;
    own.seq += 1;
    own.announcedMs = this.#host.now();
    const commitments = this.#announcement(own.book);
    own.announced = new Set(commitments.map((c) => c.hiding));
    const m: FrostMessage = {
      type: 'commitments',
      member: self,
      key,
      book: own.id,
      seq: own.seq,
      commitments,
    };
    this.#onCommitments(m);
    this.#send(m);
  }

  #onCommitments(m: Extract<FrostMessage, { type: 'commitments' }>): void {
    const state = this.#keys.get(m.key);
    if (state === undefined) return;
    if (!participantsOf(state.group).includes(m.member)) {
      this.#host.log.warn(
        { member: m.member },
        'nonce commitments from a member that holds no share of this key: refused',
      );
      return;
    }
    const last = state.books.get(m.member);
    if (last !== undefined && last.id === m.book && m.seq <= last.seq) {
      const error = new FederationError(
        'REPLAYED',
        `nonce commitments of ${m.member} numbered ${m.seq}, after ${last.seq}: a replay, refused`,
      );
      this.#host.log.warn({ member: m.member, code: error.code }, error.message);
      return;
    }
    state.books.set(m.member, { id: m.book, seq: m.seq });
    state.pool.replace(
      m.member,
      m.commitments.map((c) => ({ participant: m.member, ...c })),
    );
  }

  #turnOf(job: JobState): number {
    const self = this.#host.self();
    if (self === undefined) return -1;
    const order = [...this.#host.coordinators()].sort((a, b) => {
      const ha = toHex(sha256(new TextEncoder().encode(`${job.id}\n${a}`)));
      const hb = toHex(sha256(new TextEncoder().encode(`${job.id}\n${b}`)));
      return ha < hb ? -1 : 1;
    });
    return order.indexOf(self);
  }

  #coordinate(job: JobState, now: number): void {
    if (job.done) return;
    const attempt = job.attempt;
    if (attempt !== undefined) {
      if (now - attempt.startedMs < SHARE_TIMEOUT_MS) return;
      for (const c of attempt.request.commitments) {
        if (!attempt.shares.has(c.participant)) this.#unresponsive.set(c.participant, now + UNRESPONSIVE_MS);
      }
      job.attempt = undefined;
    }
    const turn = this.#turnOf(job);
    if (turn < 0 || now < job.firstSeenMs + turn * COORDINATOR_TURN_MS) return;
    const state = this.#keys.get(job.key);
    const message = this.#host.messageOf(job.job, job.key);
    if (state === undefined || message === undefined) return;
    const online = this.#host.online();
    const self = this.#host.self()!;
    const owners = new NonceOwners(this.#host.coordinators());
    const ready = participantsOf(state.group)
      .filter((p) => online.has(p) && !job.excluded.has(p) && (this.#unresponsive.get(p) ?? 0) <= now)
      .filter((p) => state.pool.available(p) > 0);
    if (ready.length < state.group.threshold) return;
    // First the signers of whom this coordinator holds its own commitments, which no other
    // coordinator takes (nonce-owners.ts); among those, itself first: its own share reads every
    // point of the request, which the aggregation then finds checked (src/frost/suite.ts).
    // Otherwise in a random order: the work spreads over the key holders, and none is left out
    // for good by its name.
    const owning = new Set(ready.filter((p) => owners.owned(self, state.pool.unused(p)) > 0));
    const rank = (p: string) => (owning.has(p) ? 0 : 2) + (p === self ? 0 : 1);
    const signers = shuffled(ready).sort((a, b) => rank(a) - rank(b));
    let request: SigningRequest;
    try {
      request = state.pool.take(signers.slice(0, state.group.threshold), message, (available) =>
        owners.pick(self, available),
      );
    } catch (e) {
      this.#host.log.warn({ err: (e as Error).message }, 'could not form a signing request');
      return;
    }
    const m: RequestMessage = {
      type: 'request',
      member: self,
      key: job.key,
      job: job.job,
      message: toBase64(message),
      commitments: request.commitments,
    };
    const bytes = this.#send(m);
    job.attempt = { id: requestId(m), message: m, bytes, request, shares: new Map(), startedMs: now };
    this.#onRequest(m, bytes);
  }

  /** As a signer: answer a request for our share, if the bytes are ours to sign. */
  #onRequest(m: RequestMessage, bytes: Uint8Array, atMs = this.#host.now()): void {
    const state = this.#keys.get(m.key);
    if (state === undefined) return;
    state.pool.retire(m.commitments);
    const self = this.#host.self();
    const own = state.own;
    if (own === undefined || self === undefined || !m.commitments.some((c) => c.participant === self)) return;
    const mine = this.#host.messageOf(m.job, m.key);
    const asked = fromBase64(m.message);
    if (mine === undefined) {
      // Our ledger may be a moment behind the coordinator's: look again on the next tick.
      if (this.#deferred.length < DEFERRED_REQUESTS_MAX) this.#deferred.push({ message: m, bytes, atMs });
      return;
    }
    if (toHex(mine) !== toHex(asked)) {
      this.#host.log.warn(
        { coordinator: m.member, job: m.job },
        'signing request for bytes this root would not sign: refused',
      );
      return;
    }
    try {
      const share = own.book.signShare({ message: asked, commitments: m.commitments });
      this.#send({ type: 'share', member: self, key: m.key, request: requestId(m), share: share.share });
      if (m.member === self) this.#onShareFrom(self, share.share, m, new Uint8Array());
    } catch (e) {
      if (!(e instanceof FrostError)) throw e;
      this.#host.log.warn({ coordinator: m.member, code: e.code }, `signing request refused: ${e.message}`);
    } finally {
      this.#replenish(m.key, state);
    }
  }

  #onShare(m: Extract<FrostMessage, { type: 'share' }>, bytes: Uint8Array): void {
    for (const job of this.#jobs.values()) {
      if (job.attempt?.id === m.request && job.key === m.key) {
        this.#onShareFrom(m.member, m.share, job.attempt.message, bytes);
        return;
      }
    }
  }

  #onShareFrom(member: string, share: string, request: RequestMessage, bytes: Uint8Array): void {
    const job = [...this.#jobs.values()].find((j) => j.attempt?.id === requestId(request));
    const attempt = job?.attempt;
    const state = job === undefined ? undefined : this.#keys.get(job.key);
    if (job === undefined || attempt === undefined || state === undefined || attempt.shares.has(member))
      return;
    if (!attempt.request.commitments.some((c) => c.participant === member)) return;
    attempt.shares.set(member, { share, bytes });
    if (attempt.shares.size < attempt.request.commitments.length) return;
    let signature: Uint8Array;
    try {
      // The shares are summed and the sum checked as one Ed25519 signature (RFC 9591 §5.3);
      // only when it fails are they checked one by one (§5.4), and the wrong one names its
      // signer — the signed share is evidence — and is never used. Checking each share as it
      // arrives costs a few variable-base scalar multiplications per signer in JavaScript;
      // the sum's check is one Ed25519 verification.
      signature = aggregateSignature(
        state.group,
        attempt.request,
        [...attempt.shares].map(([participant, s]) => ({ participant, share: s.share })),
      );
    } catch (e) {
      if (!(e instanceof FrostError) || e.participant === undefined) throw e;
      const wrong = attempt.shares.get(e.participant);
      this.#fault(job, e.participant, e, wrong?.bytes ?? new Uint8Array(), attempt.bytes);
      job.excluded.add(e.participant);
      job.attempt = undefined;
      return;
    }
    job.done = true;
    job.attempt = undefined;
    this.#send({
      type: 'signature',
      member: this.#host.self()!,
      key: job.key,
      job: job.job,
      signature: toBase64(signature),
    });
    this.#host.signed(job.job, job.key, signature, true);
  }

  #fault(job: JobState, member: string, e: FrostError, share: Uint8Array, request: Uint8Array): void {
    const fault: SignerFault = {
      member,
      key: job.key,
      job: job.job,
      code: e.code,
      message: e.message,
      evidence: { share: toBase64(share), request: toBase64(request) },
      atMs: this.#host.now(),
    };
    if (this.faults.length >= FAULTS_KEPT_MAX) this.faults.shift();
    this.faults.push(fault);
    this.#host.log.warn(
      { member, code: e.code, key: hexKey(job.key).slice(0, 16), job: job.job },
      `a wrong signature share: ${e.message}; ${member} is passed over and the signature is made without it`,
    );
  }

  #onSignature(m: SignatureMessage, atMs = this.#host.now()): void {
    if (!this.#keys.has(m.key)) return;
    const message = this.#host.messageOf(m.job, m.key);
    if (message === undefined) {
      // The coordinator's ledger may be a moment ahead of ours: look again once we commit.
      if (this.#early.length < DEFERRED_REQUESTS_MAX) this.#early.push({ message: m, atMs });
      return;
    }
    const signature = fromBase64(m.signature);
    if (!verifySignature(fromBase64(m.key), message, signature)) {
      this.#host.log.warn(
        { member: m.member, job: m.job },
        'a federation signature that does not verify: ignored',
      );
      return;
    }
    const job = this.#jobs.get(jobId(m.job, m.key));
    if (job !== undefined) {
      job.done = true;
      job.attempt = undefined;
    }
    this.#host.signed(m.job, m.key, signature, false);
  }
}
