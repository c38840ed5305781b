// The rendezvous point's registrations (libp2p/specs rendezvous/README.md, "Registration
// Lifetime", "Discovery", "Recommendations for Rendezvous Points configurations"), in memory and
// bounded. Pure apart from the clock, which is passed in with each call.
//
// Paging: every registration gets a sequence number from one counter when it is stored (a
// refresh stores it again with a new number). A cookie names a namespace (or all) and the last
// sequence number the client has seen, plus the store's epoch, so a DISCOVER with a cookie returns
// exactly the live registrations stored after that point: a registration added later shows up on
// the next page, and none is repeated or skipped. Cookies from another store (or from before a
// restart) carry another epoch and are refused.
//
// Bounded in count (per peer, per namespace, in all) and in bytes (per peer and in all: a
// registration counts its signed record, its namespace twice and a fixed overhead), since any
// peer may register: by count alone, records of up to 4 KiB could fill hundreds of MiB.

import { ResponseStatus, type ResponseStatusValue } from '../../wire/index.ts';
import { P2PError } from './errors.ts';

export type RendezvousLimits = {
  ttlMinS: number;
  ttlMaxS: number;
  ttlDefaultS: number;
  namespaceBytesMax: number;
  registrationsPerPeerMax: number;
  registrationsPerNamespaceMax: number;
  registrationsMax: number;
  /** Bytes one peer's registrations may hold, and all registrations together. */
  bytesPerPeerMax: number;
  bytesMax: number;
  discoverLimitMax: number;
  discoverLimitDefault: number;
};

export type StoredRegistration = {
  ns: string;
  peer: string;
  signedPeerRecord: Uint8Array;
  expiresMs: number;
  seq: number;
  /** registrationBytes() of it. */
  bytes: number;
};

export type StoreResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: ResponseStatusValue; text: string };

const COOKIE_VERSION = 1;
const COOKIE_HEADER_BYTES = 1 + 8 + 8;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Registrations in sequence order with lazy deletion; compacted when half are stale. */
class OrderedLog {
  seqs: number[] = [];
  keys: string[] = [];
  stale = 0;
  append(seq: number, key: string): void {
    this.seqs.push(seq);
    this.keys.push(key);
  }
  /** Index of the first entry with seq > after (binary search; seqs are increasing). */
  firstAfter(after: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.seqs[mid] as number) > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  compact(live: (seq: number, key: string) => boolean): void {
    const seqs: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      const seq = this.seqs[i] as number;
      const key = this.keys[i] as string;
      if (live(seq, key)) {
        seqs.push(seq);
        keys.push(key);
      }
    }
    this.seqs = seqs;
    this.keys = keys;
    this.stale = 0;
  }
}

/**
 * Memory of one registration besides its record and namespace: the entry, its key and peer id
 * strings, the record's buffer objects, map entries and log slots. Measured (heap + external
 * after gc, test/p2p/rendezvous-store.test.ts): ≈ 725 bytes when each peer holds one
 * registration (its per-peer entries are its own), ≈ 520 when a peer holds many; with room.
 */
export const RENDEZVOUS_REGISTRATION_OVERHEAD_BYTES = 800;

/** What a registration counts against the byte bounds. */
export function registrationBytes(ns: string, signedPeerRecord: Uint8Array): number {
  return signedPeerRecord.length + 2 * utf8.encode(ns).length + RENDEZVOUS_REGISTRATION_OVERHEAD_BYTES;
}

function keyOf(ns: string, peer: string): string {
  return `${ns}\u0000${peer}`;
}

function fail<T>(status: ResponseStatusValue, text: string): StoreResult<T> {
  return { ok: false, status, text };
}

export class RendezvousStore {
  readonly limits: RendezvousLimits;
  private readonly epoch: Uint8Array;
  private seq = 0;
  private readonly byKey = new Map<string, StoredRegistration>();
  private readonly perPeer = new Map<string, number>();
  private readonly perPeerBytes = new Map<string, number>();
  private totalBytes = 0;
  private readonly perNamespace = new Map<string, number>();
  private readonly logs = new Map<string, OrderedLog>();
  /** Log across all namespaces, for DISCOVER without a namespace. */
  private readonly all = new OrderedLog();

  /** epoch: 8 random bytes chosen by the caller when the store is created. */
  constructor(limits: RendezvousLimits, epoch: Uint8Array) {
    if (epoch.length !== 8) throw new RangeError('rendezvous store epoch must be 8 bytes');
    if (limits.ttlMinS > limits.ttlDefaultS || limits.ttlDefaultS > limits.ttlMaxS) {
      throw new P2PError(
        'P2P_INVALID_OPTIONS',
        'rendezvous TTLs must satisfy ttlMinS ≤ ttlDefaultS ≤ ttlMaxS',
      );
    }
    this.limits = limits;
    this.epoch = epoch;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Bytes held, as the byte bounds count them. */
  get bytes(): number {
    return this.totalBytes;
  }

  checkNamespace(ns: string | undefined, required: boolean): string | null {
    if (ns === undefined || ns === '') return required ? 'a namespace is required' : null;
    if (utf8.encode(ns).length > this.limits.namespaceBytesMax) {
      return `namespace longer than ${this.limits.namespaceBytesMax} bytes`;
    }
    return null;
  }

  /** The signed record of the peer's registration in ns, if there is one (expired or not). */
  recordOf(ns: string, peer: string): Uint8Array | undefined {
    return this.byKey.get(keyOf(ns, peer))?.signedPeerRecord;
  }

  /** REGISTER for a peer whose signed record was already checked. Returns the TTL granted. */
  register(
    ns: string | undefined,
    peer: string,
    signedPeerRecord: Uint8Array,
    ttlS: number | undefined,
    nowMs: number,
  ): StoreResult<number> {
    const nsProblem = this.checkNamespace(ns, true);
    if (nsProblem !== null) return fail(ResponseStatus.E_INVALID_NAMESPACE, nsProblem);
    const namespace = ns as string;
    const ttl = ttlS ?? this.limits.ttlDefaultS;
    if (ttl < this.limits.ttlMinS || ttl > this.limits.ttlMaxS) {
      return fail(
        ResponseStatus.E_INVALID_TTL,
        `ttl ${ttl} s is outside ${this.limits.ttlMinS}..${this.limits.ttlMaxS} s`,
      );
    }
    const key = keyOf(namespace, peer);
    const existing = this.byKey.get(key);
    if (existing !== undefined && existing.expiresMs <= nowMs) this.remove(existing);
    const refreshing = this.byKey.has(key);
    const bytes = registrationBytes(namespace, signedPeerRecord);
    // A refresh replaces the registration: its bytes are given back first.
    const freed = () => this.byKey.get(key)?.bytes ?? 0;
    const peerBytes = () => (this.perPeerBytes.get(peer) ?? 0) - freed() + bytes;
    const overPeer = () =>
      (!refreshing && (this.perPeer.get(peer) ?? 0) >= this.limits.registrationsPerPeerMax) ||
      peerBytes() > this.limits.bytesPerPeerMax;
    const full = () =>
      (!refreshing &&
        ((this.perNamespace.get(namespace) ?? 0) >= this.limits.registrationsPerNamespaceMax ||
          this.byKey.size >= this.limits.registrationsMax)) ||
      this.totalBytes - freed() + bytes > this.limits.bytesMax;
    if (overPeer() || full()) this.purgeExpired(nowMs);
    if (overPeer()) {
      return fail(
        ResponseStatus.E_NOT_AUTHORIZED,
        `peer already holds ${this.perPeer.get(peer) ?? 0} registrations of ${this.perPeerBytes.get(peer) ?? 0} bytes; at most ${this.limits.registrationsPerPeerMax} and ${this.limits.bytesPerPeerMax} bytes`,
      );
    }
    if (full()) return fail(ResponseStatus.E_UNAVAILABLE, 'rendezvous point is full; try another root');
    const prior = this.byKey.get(key);
    if (prior !== undefined) this.remove(prior);
    const reg: StoredRegistration = {
      ns: namespace,
      peer,
      signedPeerRecord,
      expiresMs: nowMs + ttl * 1000,
      seq: ++this.seq,
      bytes,
    };
    this.byKey.set(key, reg);
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
    this.perPeerBytes.set(peer, (this.perPeerBytes.get(peer) ?? 0) + bytes);
    this.totalBytes += bytes;
    this.perNamespace.set(namespace, (this.perNamespace.get(namespace) ?? 0) + 1);
    let log = this.logs.get(namespace);
    if (log === undefined) {
      log = new OrderedLog();
      this.logs.set(namespace, log);
    }
    log.append(reg.seq, key);
    this.all.append(reg.seq, key);
    return { ok: true, value: ttl };
  }

  /** UNREGISTER: removes the peer's registration in ns; unknown registrations are not an error. */
  unregister(ns: string | undefined, peer: string): StoreResult<null> {
    const nsProblem = this.checkNamespace(ns, true);
    if (nsProblem !== null) return fail(ResponseStatus.E_INVALID_NAMESPACE, nsProblem);
    const reg = this.byKey.get(keyOf(ns as string, peer));
    if (reg !== undefined) this.remove(reg);
    return { ok: true, value: null };
  }

  discover(
    ns: string | undefined,
    limit: number | undefined,
    cookie: Uint8Array | undefined,
    nowMs: number,
  ): StoreResult<{ registrations: StoredRegistration[]; cookie: Uint8Array }> {
    const nsProblem = this.checkNamespace(ns, false);
    if (nsProblem !== null) return fail(ResponseStatus.E_INVALID_NAMESPACE, nsProblem);
    const namespace = ns ?? '';
    let after = 0;
    if (cookie !== undefined && cookie.length > 0) {
      const parsed = this.parseCookie(cookie);
      if (parsed === null || parsed.ns !== namespace) {
        return fail(
          ResponseStatus.E_INVALID_COOKIE,
          'cookie was not issued by this rendezvous point for this namespace',
        );
      }
      after = parsed.after;
    }
    const want = Math.min(
      limit === undefined || limit === 0 ? this.limits.discoverLimitDefault : limit,
      this.limits.discoverLimitMax,
    );
    const log = namespace === '' ? this.all : this.logs.get(namespace);
    const out: StoredRegistration[] = [];
    let last = after;
    if (log !== undefined) {
      for (let i = log.firstAfter(after); i < log.seqs.length && out.length < want; i++) {
        const seq = log.seqs[i] as number;
        const reg = this.byKey.get(log.keys[i] as string);
        last = seq;
        if (reg === undefined || reg.seq !== seq || reg.expiresMs <= nowMs) continue;
        out.push(reg);
      }
    }
    return { ok: true, value: { registrations: out, cookie: this.makeCookie(namespace, last) } };
  }

  /** Drops every expired registration. Linear; the server calls it on a timer and when full. */
  purgeExpired(nowMs: number): number {
    let purged = 0;
    for (const reg of [...this.byKey.values()]) {
      if (reg.expiresMs <= nowMs) {
        this.remove(reg);
        purged++;
      }
    }
    return purged;
  }

  private remove(reg: StoredRegistration): void {
    const key = keyOf(reg.ns, reg.peer);
    if (this.byKey.get(key) !== reg) return;
    this.byKey.delete(key);
    decrement(this.perPeer, reg.peer);
    decrement(this.perPeerBytes, reg.peer, reg.bytes);
    this.totalBytes -= reg.bytes;
    decrement(this.perNamespace, reg.ns);
    const log = this.logs.get(reg.ns);
    const live = (seq: number, k: string) => this.byKey.get(k)?.seq === seq;
    if (log !== undefined) {
      log.stale++;
      if (this.perNamespace.get(reg.ns) === undefined) this.logs.delete(reg.ns);
      else if (log.stale * 2 > log.seqs.length) log.compact(live);
    }
    this.all.stale++;
    if (this.all.stale * 2 > this.all.seqs.length) this.all.compact(live);
  }

  private makeCookie(ns: string, after: number): Uint8Array {
    const nsBytes = utf8.encode(ns);
    const out = new Uint8Array(COOKIE_HEADER_BYTES + nsBytes.length);
    out[0] = COOKIE_VERSION;
    out.set(this.epoch, 1);
    new DataView(out.buffer).setBigUint64(9, BigInt(after));
    out.set(nsBytes, COOKIE_HEADER_BYTES);
    return out;
  }

  private parseCookie(cookie: Uint8Array): { ns: string; after: number } | null {
    if (
      cookie.length < COOKIE_HEADER_BYTES ||
      cookie.length > COOKIE_HEADER_BYTES + this.limits.namespaceBytesMax
    ) {
      return null;
    }
    if (cookie[0] !== COOKIE_VERSION) return null;
    for (let i = 0; i < 8; i++) if (cookie[1 + i] !== this.epoch[i]) return null;
    const after = new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength).getBigUint64(9);
    if (after > BigInt(this.seq)) return null;
    try {
      return { ns: utf8Decoder.decode(cookie.subarray(COOKIE_HEADER_BYTES)), after: Number(after) };
    } catch {
      return null;
    }
  }
}

function decrement(map: Map<string, number>, key: string, by = 1): void {
  const n = (map.get(key) ?? 0) - by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
