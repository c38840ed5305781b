// Merkle tree hashing, proofs and the right frontier of RFC 6962 §2.1 as restated in
// RFC 9162 §2.1: leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right),
// MTH of a range splits at the largest power of two strictly below its size.
//
// Proof generation is split into a pure plan (which subtree hashes a proof needs) and an
// assembly over a HashReader, so that the same code runs over an array in a test and over
// tiles on disk in the store. Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 literally.
//
// Sizes and indexes are numbers below TREE_SIZE_MAX (2^52); shifts are written as division
// because JavaScript's bit operators truncate to 32 bits.

import { hash } from 'node:crypto';
import { invariant } from '../base/index.ts';
import { bytesEqual } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import { ENTRY_BYTES_MAX, HASH_BYTES, LEAF_PREFIX, NODE_PREFIX, TREE_SIZE_MAX } from './constants.ts';
import { LedgerError } from './errors.ts';

/** RFC 6962 §2.1: MTH({}) = SHA-256() — the root of the empty tree. */
export const EMPTY_ROOT: Uint8Array = sha256();

// Leaf and node hashes are computed with node:crypto's one-shot hash() over a reused input
// buffer: the same SHA-256 as src/crypto's sha256 (a test checks they agree). The digest comes
// back as a 32-character latin1 ('binary') string, one character per byte, and is copied into the
// caller's bytes: asking hash() for a Buffer costs a fresh native ArrayBuffer per call, more
// than the SHA-256 of a 65-byte node itself (bench/merkle-tiles.ts, bench/ledger-append.ts).
const nodeInput = new Uint8Array(1 + 2 * HASH_BYTES);
nodeInput[0] = NODE_PREFIX;
const leafInput = new Uint8Array(1 + ENTRY_BYTES_MAX);
leafInput[0] = LEAF_PREFIX;

/** SHA-256 of `input`, written to out[offset .. offset + 32). */
function digestInto(input: Uint8Array, out: Uint8Array, offset: number): void {
  const d = hash('sha256', input, 'binary');
  for (let j = 0; j < HASH_BYTES; j++) out[offset + j] = d.charCodeAt(j);
}

/** RFC 6962 §2.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(entry: Uint8Array): Uint8Array {
  if (entry.length > ENTRY_BYTES_MAX) return sha256(new Uint8Array([LEAF_PREFIX]), entry);
  const out = new Uint8Array(HASH_BYTES);
  leafInput.set(entry, 1);
  digestInto(leafInput.subarray(0, 1 + entry.length), out, 0);
  return out;
}

/**
 * The leaf hashes of `entries` (each at most ENTRY_BYTES_MAX bytes), packed one after the
 * other into `out` from `offset`: a whole append's leaves in one buffer, no array per hash.
 */
export function leafHashesInto(entries: readonly Uint8Array[], out: Uint8Array, offset: number): void {
  invariant(
    offset + entries.length * HASH_BYTES <= out.length,
    'leafHashesInto is given room for every hash',
  );
  let input = leafInput.subarray(0, 1); // the input view, kept while entries have its length
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length > ENTRY_BYTES_MAX) throw new LedgerError('ENTRY_TOO_LARGE', 'entry over 65,535 bytes');
    leafInput.set(entry, 1);
    if (input.length !== 1 + entry.length) input = leafInput.subarray(0, 1 + entry.length);
    digestInto(input, out, offset + i * HASH_BYTES);
  }
}

/** RFC 6962 §2.1: SHA-256(0x01 || MTH(left) || MTH(right)). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    throw new LedgerError('BAD_ARGUMENT', 'node hash inputs are 32-byte hashes');
  }
  const out = new Uint8Array(HASH_BYTES);
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  digestInto(nodeInput, out, 0);
  return out;
}

/**
 * A perfect subtree: the 2^height leaves [index·2^height, (index+1)·2^height). Every hash the
 * ledger stores or proves is one of these or a right-folded run of them.
 */
export type SubtreeId = { height: number; index: number };

/**
 * Reads hashes of complete subtrees, in the order asked. Callers only ask for subtrees that lie
 * inside a tree the reader holds. May answer synchronously or with a promise.
 */
export type HashReader = {
  readHashes(ids: readonly SubtreeId[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
};

/** A range of leaves [start, end) whose MTH is one node of a proof. */
export type LeafRange = { start: number; end: number };

/** Largest power of two strictly less than n (n ≥ 2): RFC 6962's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > TREE_SIZE_MAX) {
    throw new LedgerError('BAD_ARGUMENT', `${name} must be an integer in 0..2^52, got ${n}`);
  }
}

/**
 * The perfect subtrees that make up the RFC 6962 node over [start, end): take the largest
 * power of two from the left, repeatedly. Requires start to be a multiple of the first one,
 * which holds for every node of an RFC 6962 tree and for every [0, n).
 */
export function rangeSubtrees(start: number, end: number): SubtreeId[] {
  const ids: SubtreeId[] = [];
  let cursor = start;
  let remaining = end - start;
  let bit = 1;
  while (bit * 2 <= remaining) bit *= 2;
  for (let height = Math.log2(bit); remaining > 0; height--, bit /= 2) {
    if (remaining >= bit) {
      invariant(cursor % bit === 0, `range [${start}, ${end}) splits into aligned subtrees`);
      ids.push({ height, index: cursor / bit });
      cursor += bit;
      remaining -= bit;
    }
  }
  return ids;
}

/** MTH of a range from its perfect subtrees (left to right): fold from the right. */
export function foldSubtrees(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** MTH of 2^k consecutive hashes of equal height: the perfect subtree above them. */
export function perfectRoot(hashes: readonly Uint8Array[]): Uint8Array {
  let level = hashes.slice();
  while (level.length > 1) {
    invariant(level.length % 2 === 0, 'perfectRoot is given a power of two of hashes');
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  invariant(level.length === 1, 'perfectRoot is given at least one hash');
  return level[0]!;
}

/** RFC 6962 §2.1: MTH over a list of leaf hashes, computed without recursion. */
export function rootOf(leafHashes: readonly Uint8Array[]): Uint8Array {
  const range = new CompactRange();
  for (const h of leafHashes) range.append(h);
  return range.root();
}

/** RFC 6962 §2.1.1 PATH(m, D[0:n]) as the leaf ranges of its nodes, leaf side first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new LedgerError('INDEX_OUT_OF_RANGE', `index ${index} is not in a tree of size ${size}`);
  }
  const out: LeafRange[] = [];
  let start = 0;
  let end = size;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return out.reverse();
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) as leaf ranges, leaf side first. */
export function consistencyProofRanges(size1: number, size2: number): LeafRange[] {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 > size2) {
    throw new LedgerError('INDEX_OUT_OF_RANGE', `size1 ${size1} is larger than size2 ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return [];
  const out: LeafRange[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let whole = true; // SUBPROOF's b: is m the size of a tree the verifier already holds?
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) out.push({ start, end });
  return out.reverse();
}

/** Reads the MTH of each range through the reader, with one readHashes call. */
export async function hashRanges(ranges: readonly LeafRange[], reader: HashReader): Promise<Uint8Array[]> {
  const ids: SubtreeId[] = [];
  const counts: number[] = [];
  for (const r of ranges) {
    const parts = rangeSubtrees(r.start, r.end);
    counts.push(parts.length);
    ids.push(...parts);
  }
  const hashes = await reader.readHashes(ids);
  invariant(hashes.length === ids.length, 'a HashReader returns one hash per subtree asked for');
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(foldSubtrees(hashes.slice(offset, offset + c)));
    offset += c;
  }
  return out;
}

/** RFC 9162 §2.1.3.1: the inclusion proof for leaf `index` in the tree of `size`. */
export function inclusionProof(index: number, size: number, reader: HashReader): Promise<Uint8Array[]> {
  return hashRanges(inclusionProofRanges(index, size), reader);
}

/**
 * The inclusion proof of the perfect subtree `id` (a hash tile's entry: height 8·level) in the
 * tree of `size`: RFC 9162 §2.1.3.1 PATH over the tree whose leaves are the subtrees of that
 * height (the last one a partial range when `size` is not a multiple of 2^height). RFC 6962
 * splits every node at a power of two, so that tree has the same nodes above the subtree's
 * height: the proof is a leaf's proof without its first `height` hashes, which lie inside the
 * subtree. Verified by verifySubtreeInclusion.
 */
export async function subtreeInclusionProof(
  id: SubtreeId,
  size: number,
  reader: HashReader,
): Promise<Uint8Array[]> {
  const span = subtreeSpan(id, size);
  const ranges = inclusionProofRanges(id.index, Math.ceil(size / span)).map((r) => ({
    start: r.start * span,
    end: Math.min(r.end * span, size),
  }));
  return hashRanges(ranges, reader);
}

/** Leaves under one subtree of `id.height`; throws unless the subtree lies inside [0, size). */
function subtreeSpan(id: SubtreeId, size: number): number {
  checkSize('size', size);
  const span = 2 ** id.height;
  if (!Number.isInteger(id.height) || id.height < 0 || !Number.isSafeInteger(id.index) || id.index < 0) {
    throw new LedgerError('BAD_ARGUMENT', 'a subtree has an integer height and index ≥ 0');
  }
  if ((id.index + 1) * span > size) {
    throw new LedgerError(
      'INDEX_OUT_OF_RANGE',
      `subtree ${id.index} of height ${id.height} is not complete in a tree of size ${size}`,
    );
  }
  return span;
}

/** RFC 9162 §2.1.4.1: the consistency proof from size1 to size2 (empty when size1 is 0 or size2). */
export function consistencyProof(size1: number, size2: number, reader: HashReader): Promise<Uint8Array[]> {
  return hashRanges(consistencyProofRanges(size1, size2), reader);
}

/** The root of the tree of `size` through the reader. */
export async function rootAtSize(size: number, reader: HashReader): Promise<Uint8Array> {
  checkSize('size', size);
  if (size === 0) return EMPTY_ROOT;
  const [root] = await hashRanges([{ start: 0, end: size }], reader);
  return root!;
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

function isProof(proof: unknown): proof is Uint8Array[] {
  return Array.isArray(proof) && proof.length <= 64 && proof.every(isHash);
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= TREE_SIZE_MAX;
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * RFC 9162 §2.1.3.2: does `proof` show that `leaf` (a leaf hash) is at `index` in the tree of
 * `size` with root `root`? Never throws; any malformed input is simply not a proof.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * Does `proof` (from subtreeInclusionProof) show that `hash` is the perfect subtree `id` of the
 * tree of `size` with root `root`? RFC 9162 §2.1.3.2 run from the subtree's height: index
 * `id.index` among ceil(size / 2^height) leaves. Never throws.
 */
export function verifySubtreeInclusion(
  id: SubtreeId,
  size: number,
  hash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(size) || !Number.isInteger(id?.height) || id.height < 0 || id.height > 52) return false;
  const span = 2 ** id.height;
  if (!isSize(id.index) || (id.index + 1) * span > size) return false;
  return verifyInclusion(id.index, Math.ceil(size / span), hash, proof, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of size2 with root2 extends the tree of
 * size1 with root1? Equal sizes need an empty proof and equal roots; size1 = 0 needs an empty
 * proof and root1 = EMPTY_ROOT. Never throws.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !isProof(proof)) return false;
  if (size1 === 0) return proof.length === 0 && bytesEqual(root1, EMPTY_ROOT);
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0) return false; // step 1
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof]; // step 2
  let fn = size1 - 1; // step 3
  let sn = size2 - 1;
  while (odd(fn)) {
    // step 4
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!; // step 5
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    // step 6
    const c = path[i]!;
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return bytesEqual(fr, root1) && bytesEqual(sr, root2) && sn === 0; // step 7
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * The right frontier of a tree: the roots of the perfect subtrees that make up [0, size),
 * tallest first. Enough to append leaves and compute the root without reading anything else.
 */
export class CompactRange {
  #size: number;
  #hashes: Uint8Array[]; // one per set bit of size, tallest subtree first

  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    checkSize('size', size);
    if (hashes.length !== rangeSubtrees(0, size).length || !hashes.every(isHash)) {
      throw new LedgerError('BAD_ARGUMENT', `a frontier of size ${size} needs one hash per set bit`);
    }
    this.#size = size;
    this.#hashes = hashes.slice();
  }

  /** The subtrees whose hashes make up the frontier of a tree of `size`, tallest first. */
  static frontierIds(size: number): SubtreeId[] {
    return rangeSubtrees(0, size);
  }

  get size(): number {
    return this.#size;
  }

  /** The frontier hashes, tallest subtree first (a copy). */
  hashes(): Uint8Array[] {
    return this.#hashes.slice();
  }

  clone(): CompactRange {
    return new CompactRange(this.#size, this.#hashes);
  }

  /**
   * Adds a leaf hash. `visit` is told of every complete subtree this creates, the leaf itself
   * included (height 0).
   */
  append(leaf: Uint8Array, visit?: (height: number, index: number, hash: Uint8Array) => void): void {
    if (!isHash(leaf)) throw new LedgerError('BAD_ARGUMENT', 'a leaf hash is 32 bytes');
    if (this.#size >= TREE_SIZE_MAX) throw new LedgerError('BATCH_TOO_LARGE', 'the tree is full');
    let hash = leaf;
    let index = this.#size;
    let height = 0;
    visit?.(0, index, hash);
    let n = this.#size;
    while (odd(n)) {
      hash = nodeHash(this.#hashes.pop()!, hash);
      height++;
      index = half(index);
      visit?.(height, index, hash);
      n = half(n);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /**
   * Adds the leaves whose hashes are packed in `leaves` (32 bytes each, in order), one height
   * at a time, and returns the perfect subtrees they complete: `rows[h]` packs the hashes of
   * height h with indexes floor(s / 2^h) .. floor((s + n) / 2^h) − 1, s being the size before
   * (rows[0] is `leaves`; the rows stop below the first height with none). The same hashes as
   * n calls of append — n − 1 + (carries) node hashes — written into one buffer per height.
   */
  extend(leaves: Uint8Array): Uint8Array[] {
    const count = leaves.length / HASH_BYTES;
    if (!Number.isInteger(count)) throw new LedgerError('BAD_ARGUMENT', 'leaf hashes are 32 bytes each');
    const size = this.#size;
    const total = size + count;
    if (total > TREE_SIZE_MAX) throw new LedgerError('BATCH_TOO_LARGE', 'the tree is full');
    const old = this.#byHeight();
    const rows = [leaves];
    let row = leaves;
    let start = size; // index of row's first hash, at height h
    let end = total; // one past its last
    for (let h = 0; half(end) > half(start); h++) {
      const first = half(start); // the parents' indexes: first .. last - 1
      const last = half(end);
      const next = new Uint8Array((last - first) * HASH_BYTES);
      let i = first;
      let from = (2 * i - start) * HASH_BYTES; // the left child's bytes in row
      if (from < 0) {
        // The left child is the frontier's subtree of this height.
        nodeInput.set(old[h]!, 1);
        nodeInput.set(row.subarray(0, HASH_BYTES), 1 + HASH_BYTES);
        digestInto(nodeInput, next, 0);
        i++;
        from += 2 * HASH_BYTES;
      }
      for (let to = (i - first) * HASH_BYTES; i < last; i++, from += 2 * HASH_BYTES, to += HASH_BYTES) {
        // Both children: 64 bytes side by side in row, copied as they are.
        for (let j = 0; j < 2 * HASH_BYTES; j++) nodeInput[1 + j] = row[from + j]!;
        digestInto(nodeInput, next, to);
      }
      rows.push(next);
      row = next;
      start = first;
      end = last;
    }
    // The new frontier: per set bit h of the new size, subtree floor(total / 2^h) − 1 of height
    // h — completed now (in rows[h]) or already the frontier's.
    const hashes: Uint8Array[] = [];
    for (const { height, index } of rangeSubtrees(0, total)) {
      const first = Math.floor(size / 2 ** height);
      if (index < first) hashes.push(old[height]!);
      else hashes.push(rows[height]!.slice((index - first) * HASH_BYTES, (index - first + 1) * HASH_BYTES));
    }
    this.#hashes = hashes;
    this.#size = total;
    return rows;
  }

  /** The frontier hashes indexed by height (undefined where size has no bit). */
  #byHeight(): (Uint8Array | undefined)[] {
    const out: (Uint8Array | undefined)[] = [];
    const ids = rangeSubtrees(0, this.#size);
    for (let k = 0; k < ids.length; k++) out[ids[k]!.height] = this.#hashes[k];
    return out;
  }

  /** MTH of the whole range: the frontier folded from the right. */
  root(): Uint8Array {
    return foldSubtrees(this.#hashes);
  }
}
