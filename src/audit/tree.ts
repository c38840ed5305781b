// Recomputing a root's tree from its C2SP tlog-tiles (c2sp.org/tlog-tiles): entry bundles
// give the entries, the level-0 hash tiles give the leaf hashes the root claims; each entry
// must hash (RFC 6962 §2.1 leaf hash) to its tile hash, and the entries folded into a
// CompactRange must give the checkpoint's root. Roots at the sizes of other checkpoints are
// recorded on the way, so every checkpoint seen can be compared with the same tree.
// Proofs (RFC 9162 §2.1.3, §2.1.4) for evidence are computed from the root's own hash tiles,
// read through a HashReader, after checking that those tiles give the verified root.

import { bytesEqual } from '../codec/index.ts';
import {
  CompactRange,
  decodeEntryBundle,
  type HashReader,
  leafHash,
  nodeHash,
  rootAtSize,
  type SubtreeId,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileHashes,
  tileWidthAt,
} from '../ledger/index.ts';
import { DEFAULT_FETCH_CONCURRENCY } from './constants.ts';
import { AuditError } from './errors.ts';
import type { RootReader } from './root-reader.ts';
import { inOrder } from './window.ts';

/** Where a download starts: nothing (size 0) or the frontier remembered by a previous audit. */
export type TreeStart = { size: number; frontier: Uint8Array[] };

/** Entries a root served that are not the leaves its own tiles commit to. */
export type EntryMismatch = {
  kind: 'entry-altered' | 'entries-swapped';
  /** Ledger indexes involved (two for a swap). */
  indexes: number[];
  /** The entries as served, one per index. */
  entries: Uint8Array[];
  /** The leaf hashes the root's level-0 tiles hold at those indexes. */
  tileHashes: Uint8Array[];
};

/** The bundle in which served entries disagreed, as served. */
export type ServedBundle = { index: number; width: number; bytes: Uint8Array };

export type TreeResult = {
  size: number;
  /** Root recomputed from the entries (equal to the checkpoint's when `matches`). */
  rootHash: Uint8Array;
  matches: boolean;
  /** Set when served entries disagree with the served tiles; the download stops at that bundle. */
  mismatch?: EntryMismatch & { served: ServedBundle };
  /** Roots of the recomputed tree at each requested size ≤ size reached. */
  rootsAt: Map<number, Uint8Array>;
  frontier: Uint8Array[];
  /**
   * The hash of every level-0 tile completed by this download (the subtrees of height 8 from
   * index floor(start.size / 256) on): what other roots' tiles are compared with.
   */
  level1: Uint8Array[];
  entriesRead: number;
};

export type DownloadOptions = {
  start: TreeStart;
  /** The checkpoint being verified. */
  size: number;
  rootHash: Uint8Array;
  /** Sizes (other checkpoints) whose roots should be recorded on the way. */
  rootSizes?: readonly number[];
  concurrency?: number;
  /** Gets every new entry in order, after its bundle matched its tile. */
  onEntries?: (start: number, entries: Uint8Array[]) => void | Promise<void>;
  /** Told when the tree reaches each of `rootSizes`, after the entries before it went to onEntries. */
  onSize?: (size: number, rootHash: Uint8Array) => void | Promise<void>;
  onProgress?: (entriesDone: number, entriesTotal: number) => void;
};

type Fetched = { index: number; width: number; bytes: Uint8Array; entries: Uint8Array[]; tile: Uint8Array[] };

/** Splits a bundle a root served into exactly `width` entries; BAD_RESPONSE otherwise. */
export function bundleEntries(
  client: RootReader,
  index: number,
  width: number,
  bytes: Uint8Array,
): Uint8Array[] {
  let entries: Uint8Array[];
  try {
    entries = decodeEntryBundle(bytes, width);
  } catch (error) {
    throw new AuditError('BAD_RESPONSE', `${client.url}: entry bundle ${index} is malformed`, {
      cause: error,
    });
  }
  if (entries.length !== width) {
    throw new AuditError(
      'BAD_RESPONSE',
      `${client.url}: entry bundle ${index} has ${entries.length} entries, not ${width}`,
    );
  }
  return entries;
}

async function fetchBundle(client: RootReader, index: number, width: number): Promise<Fetched> {
  const [bytes, tile] = await Promise.all([client.bundle(index, width), client.tile(0, index, width)]);
  return { index, width, bytes, entries: bundleEntries(client, index, width, bytes), tile: tileHashes(tile) };
}

/** Compares a bundle with its level-0 tile; names a swap when two entries trade places. */
export function compareBundle(
  bundleIndex: number,
  entries: readonly Uint8Array[],
  tile: readonly Uint8Array[],
  from = 0,
): EntryMismatch | undefined {
  const hashes = entries.map((e) => leafHash(e));
  const bad: number[] = [];
  for (let k = from; k < entries.length; k++) if (!bytesEqual(hashes[k]!, tile[k]!)) bad.push(k);
  if (bad.length === 0) return undefined;
  const base = bundleIndex * TILE_WIDTH;
  for (const i of bad) {
    for (const j of bad) {
      if (i < j && bytesEqual(hashes[i]!, tile[j]!) && bytesEqual(hashes[j]!, tile[i]!)) {
        return {
          kind: 'entries-swapped',
          indexes: [base + i, base + j],
          entries: [entries[i]!, entries[j]!],
          tileHashes: [tile[i]!, tile[j]!],
        };
      }
    }
  }
  const k = bad[0]!;
  return { kind: 'entry-altered', indexes: [base + k], entries: [entries[k]!], tileHashes: [tile[k]!] };
}

/**
 * Downloads entries [start.size, size) from a root, bundle by bundle with a bounded window of
 * requests in flight, checks each against its level-0 tile and folds it into the tree.
 */
export async function downloadTree(client: RootReader, options: DownloadOptions): Promise<TreeResult> {
  const { start, size } = options;
  if (start.size > size)
    throw new AuditError('BAD_ARGUMENT', `cannot download from ${start.size} down to ${size}`);
  const range = new CompactRange(start.size, start.frontier);
  const wanted = [...new Set(options.rootSizes ?? [])]
    .filter((s) => s >= start.size && s <= size)
    .sort((a, b) => a - b);
  const rootsAt = new Map<number, Uint8Array>();
  let pending: Uint8Array[] = [];
  let pendingStart = start.size;
  const flush = async () => {
    if (pending.length > 0) await options.onEntries?.(pendingStart, pending);
    pendingStart += pending.length;
    pending = [];
  };
  const record = async () => {
    while (wanted.length > 0 && wanted[0] === range.size) {
      const at = wanted.shift()!;
      const root = range.root();
      rootsAt.set(at, root);
      await flush();
      await options.onSize?.(at, root);
    }
  };
  await record();
  const first = Math.floor(start.size / TILE_WIDTH);
  const end = Math.ceil(size / TILE_WIDTH);
  const level1: Uint8Array[] = [];
  const onNode = (height: number, _index: number, hash: Uint8Array) => {
    if (height === TILE_HEIGHT) level1.push(hash);
  };
  let entriesRead = 0;
  let mismatch: TreeResult['mismatch'];
  const bundles = Array.from({ length: Math.max(0, end - first) }, (_, i) => first + i);
  const window = options.concurrency ?? DEFAULT_FETCH_CONCURRENCY;
  const fetch = (b: number) => fetchBundle(client, b, tileWidthAt(0, b, size));
  await inOrder(bundles, window, fetch, async (b, fetched) => {
    const from = b === first ? start.size - b * TILE_WIDTH : 0;
    const found = compareBundle(b, fetched.entries, fetched.tile, from);
    if (found !== undefined) {
      mismatch = { ...found, served: { index: b, width: fetched.width, bytes: fetched.bytes } };
      return false;
    }
    for (let k = from; k < fetched.width; k++) {
      range.append(fetched.tile[k]!, onNode);
      pending.push(fetched.entries[k]!);
      if (wanted[0] === range.size) await record();
    }
    entriesRead += fetched.width - from;
    await flush();
    options.onProgress?.(range.size - start.size, size - start.size);
    return true;
  });
  if (mismatch !== undefined) {
    return {
      size: range.size,
      rootHash: range.root(),
      matches: false,
      mismatch,
      rootsAt,
      frontier: range.hashes(),
      level1,
      entriesRead,
    };
  }
  const rootHash = range.root();
  return {
    size,
    rootHash,
    matches: bytesEqual(rootHash, options.rootHash),
    rootsAt,
    frontier: range.hashes(),
    level1,
    entriesRead,
  };
}

/**
 * A HashReader over a root's hash tiles as of tree `size` (full tiles and the partial edge
 * tiles of that size), with a small cache. Subtrees whose height is not a multiple of 8 are
 * folded from the tile below them.
 */
export function tileHashReader(client: RootReader, size: number): HashReader {
  const cache = new Map<string, Promise<Uint8Array[]>>();
  const tile = (level: number, index: number): Promise<Uint8Array[]> => {
    const key = `${level}/${index}`;
    let p = cache.get(key);
    if (p === undefined) {
      if (cache.size >= 1024) cache.clear();
      p = client.tile(level, index, tileWidthAt(level, index, size)).then(tileHashes);
      cache.set(key, p);
    }
    return p;
  };
  const one = async (id: SubtreeId): Promise<Uint8Array> => {
    const level = Math.floor(id.height / TILE_HEIGHT);
    const count = 2 ** (id.height % TILE_HEIGHT);
    const firstHash = id.index * count;
    const hashes = await tile(level, Math.floor(firstHash / TILE_WIDTH));
    const offset = firstHash % TILE_WIDTH;
    let layer = hashes.slice(offset, offset + count);
    if (layer.length !== count)
      throw new AuditError('BAD_RESPONSE', `${client.url}: tile too short for subtree`);
    while (layer.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(nodeHash(layer[i]!, layer[i + 1]!));
      layer = next;
    }
    return layer[0]!;
  };
  return { readHashes: (ids) => Promise.all(ids.map(one)) };
}

/** A tile reader whose tiles were checked to give `rootHash` at `size`; throws BAD_RESPONSE otherwise. */
export async function verifiedTileReader(
  client: RootReader,
  size: number,
  rootHash: Uint8Array,
): Promise<HashReader> {
  const reader = tileHashReader(client, size);
  const root = await rootAtSize(size, reader);
  if (!bytesEqual(root, rootHash)) {
    throw new AuditError(
      'BAD_RESPONSE',
      `${client.url}: hash tiles at size ${size} do not give the checkpoint root`,
    );
  }
  return reader;
}
