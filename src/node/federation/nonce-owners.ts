// Which coordinator each nonce commitment is for (docs/federation-key.md "Threshold signing").
//
// Several jobs are coordinated at the same time by different roots (a world's note, planet and
// moon, the checkpoint: each job has its own order of turns), each taking commitments from its
// own copy of the commitment pool. Had two of them taken the same commitment of a signer, the
// signer would sign the request it saw first and refuse the other (NONCE_REUSED), whose
// coordinator would wait out SHARE_TIMEOUT_MS and pass the signer over. So every commitment
// belongs to one coordinator: the one a hash of the commitment names among the coordinators,
// sorted by name. Every root computes the same owner from the commitment alone, whatever else
// its pool holds, and nothing new goes on the wire.
//
// A coordinator takes its own commitments first (the least hiding commitment first): two
// coordinators never take the same one as long as each has one of its own of every signer it
// asks. Signers see to that: a signer announces at most ANNOUNCED_NONCES_MAX commitments, so it
// prepares nonces until every coordinator owns enough of them and announces each coordinator's
// least few (`announced`), keeping the rest for later announcements — every nonce it prepares is
// used in time, as long as the coordinators stay the same. Only when a coordinator has none of
// a signer's does it take another coordinator's: one of the greatest of the coordinator that
// has the most — those its owner would take last.

import { Lru } from '../../base/index.ts';
import { utf8Bytes } from '../../codec/index.ts';
import { sha256 } from '../../crypto/index.ts';

type Commitment = { readonly hiding: string; readonly binding: string };

const OWNER_LABEL = 'witan/v1/frost/nonce-owner\n';
/** Bytes of the hash read as a number: 48 bits, exact in a double; the bias of `mod` is < 2^-40. */
const OWNER_HASH_BYTES = 6;
/**
 * Commitments whose hash a process remembers (least recently used out first): a root looks at the same
 * commitments on every tick and every request, a few dozen per signer and key.
 */
const OWNER_HASHES_KEPT = 4096;

const ownerHashes = new Lru<string, number>(OWNER_HASHES_KEPT);

function ownerHash(c: Commitment): number {
  const key = `${c.hiding}:${c.binding}`;
  let h = ownerHashes.get(key);
  if (h === undefined) {
    const digest = sha256(utf8Bytes(`${OWNER_LABEL}${key}`));
    h = Buffer.from(digest.buffer, digest.byteOffset, OWNER_HASH_BYTES).readUIntBE(0, OWNER_HASH_BYTES);
    ownerHashes.set(key, h);
  }
  return h;
}

export class NonceOwners {
  /** The coordinators, sorted by name, without repeats. */
  readonly order: readonly string[];

  constructor(coordinators: readonly string[]) {
    this.order = [...new Set(coordinators)].sort();
  }

  #index(c: Commitment): number {
    return ownerHash(c) % this.order.length;
  }

  /** The coordinator a commitment belongs to (undefined without coordinators). */
  ownerOf(c: Commitment): string | undefined {
    return this.order.length === 0 ? undefined : this.order[this.#index(c)];
  }

  /** How many of `commitments` belong to each coordinator (every coordinator listed, 0 included). */
  holdings(commitments: readonly Commitment[]): Map<string, number> {
    const held = new Map(this.order.map((name) => [name, 0]));
    for (const c of commitments) {
      const owner = this.ownerOf(c)!;
      held.set(owner, held.get(owner)! + 1);
    }
    return held;
  }

  /** How many of a signer's `available` commitments belong to `self`. */
  owned(self: string, available: readonly Commitment[]): number {
    return available.filter((c) => this.ownerOf(c) === self).length;
  }

  /**
   * What a signer announces of its unused `commitments`: each coordinator's `perOwner` least,
   * in the order given. All of them without coordinators.
   */
  announced<C extends Commitment>(commitments: readonly C[], perOwner: number): C[] {
    if (this.order.length === 0) return [...commitments];
    const kept = new Set<C>();
    const byOwner = Map.groupBy(commitments, (c) => this.ownerOf(c)!);
    for (const mine of byOwner.values()) {
      for (const c of mine.sort(byHiding).slice(0, perOwner)) kept.add(c);
    }
    return commitments.filter((c) => kept.has(c));
  }

  /**
   * The index in `available` (one signer's unused commitments) of the one `self` takes: its own
   * least; else, of the coordinator that has the most (the nearest after `self` among equals),
   * the greatest but d − 1, d = how far that coordinator comes after `self` in the order. 0 when
   * `self` coordinates nothing here.
   */
  pick(self: string, available: readonly Commitment[]): number {
    const me = this.order.indexOf(self);
    if (me < 0 || available.length === 0) return 0;
    const count = this.order.length;
    const indexed = available.map((c, i) => ({ c, i, owner: this.#index(c) }));
    const mine = indexed.filter((x) => x.owner === me);
    if (mine.length > 0) return mine.reduce((a, b) => (byHiding(b.c, a.c) < 0 ? b : a)).i;
    const distance = (owner: number) => (owner - me + count) % count;
    const [owner, theirs] = [...Map.groupBy(indexed, (x) => x.owner)].sort(
      ([a, as], [b, bs]) => bs.length - as.length || distance(a) - distance(b),
    )[0]!;
    // Greatest first, and each other coordinator from its own place in that order, so that two
    // coordinators short of the same signer's commitments take different ones of the same owner.
    const greatestFirst = theirs.sort((a, b) => byHiding(b.c, a.c));
    return greatestFirst[Math.min(distance(owner) - 1, greatestFirst.length - 1)]!.i;
  }
}

function byHiding(a: Commitment, b: Commitment): number {
  return a.hiding < b.hiding ? -1 : a.hiding > b.hiding ? 1 : 0;
}
