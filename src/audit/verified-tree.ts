// The tree the audit recomputed, as the yardstick for every root's data: the hash of each full
// level-0 tile (the subtrees of height 8, folded from entries that hashed to them) and the RFC
// 6962 right frontier of the verified size. Every hash of height ≥ 8 follows from those without
// asking anyone; the leaf hashes inside one tile, needed for a proof or to say which position of
// a served tile is wrong, are read from any root and accepted only when they fold to what the
// audit recomputed (the tile's height-8 hash, or the frontier for the last, partial tile).

import { bytesEqual } from '../codec/index.ts';
import {
  CompactRange,
  type HashReader,
  leafHash,
  nodeHash,
  type SubtreeId,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileHashes,
  tileWidthAt,
} from '../ledger/index.ts';
import { DEFAULT_FETCH_CONCURRENCY, LEAF_TILES_CACHED_MAX } from './constants.ts';
import { AuditError } from './errors.ts';
import type { RootReader } from './root-reader.ts';
import { bundleEntries } from './tree.ts';
import { inOrder } from './window.ts';

/** A root that may hold the leaf hashes of a tile: its reader and the size of its checkpoint. */
export type TileSource = { client: RootReader; size: number };

/** MTH of 2^k hashes of one height: the perfect subtree above them. */
export function foldPerfect(hashes: readonly Uint8Array[]): Uint8Array {
  let level = hashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

export class VerifiedTree {
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** levels[L]: the hashes of the perfect subtrees of height 8·L (L ≥ 1), every complete one. */
  readonly #levels: Uint8Array[][];
  readonly #frontier: Uint8Array[];
  readonly #sources: readonly TileSource[];
  readonly #leafTiles = new Map<number, Promise<Uint8Array[]>>();

  constructor(options: {
    size: number;
    rootHash: Uint8Array;
    /** The hash of every full level-0 tile of the tree, in order. */
    level1: Uint8Array[];
    frontier: Uint8Array[];
    sources: readonly TileSource[];
  }) {
    const { size, level1 } = options;
    if (level1.length !== Math.floor(size / TILE_WIDTH))
      throw new AuditError(
        'BAD_ARGUMENT',
        `a tree of size ${size} has ${Math.floor(size / TILE_WIDTH)} full tiles`,
      );
    this.size = size;
    this.rootHash = options.rootHash;
    this.#frontier = options.frontier;
    this.#sources = options.sources;
    this.#levels = [[], level1];
    for (let below = level1; below.length >= TILE_WIDTH; ) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + TILE_WIDTH <= below.length; i += TILE_WIDTH)
        next.push(foldPerfect(below.slice(i, i + TILE_WIDTH)));
      this.#levels.push(next);
      below = next;
    }
  }

  /** The hash of a complete subtree of height ≥ 8 (a hash tile's entry at level ≥ 1, or above). */
  node(id: SubtreeId): Uint8Array {
    const level = Math.floor(id.height / TILE_HEIGHT);
    const count = 2 ** (id.height % TILE_HEIGHT);
    const row = this.#levels[level];
    if (level < 1 || row === undefined || (id.index + 1) * count > row.length)
      throw new AuditError('BAD_ARGUMENT', `subtree ${id.height}/${id.index} is not in the verified tree`);
    return foldPerfect(row.slice(id.index * count, (id.index + 1) * count));
  }

  /**
   * The leaf hashes of level-0 tile `index` (all 256, or the last partial tile's), from the first
   * root whose tile — or else bundle — folds to what the audit recomputed. BAD_RESPONSE if none does.
   */
  leafTile(index: number): Promise<Uint8Array[]> {
    let p = this.#leafTiles.get(index);
    if (p === undefined) {
      if (this.#leafTiles.size >= LEAF_TILES_CACHED_MAX) this.#leafTiles.clear();
      p = this.#readLeafTile(index);
      p.catch(() => this.#leafTiles.delete(index));
      this.#leafTiles.set(index, p);
    }
    return p;
  }

  /** Whether `hashes` are the leaf hashes of tile `index` of this tree. */
  isLeafTile(index: number, hashes: readonly Uint8Array[]): boolean {
    const width = tileWidthAt(0, index, this.size);
    if (width === 0 || hashes.length !== width) return false;
    if (width === TILE_WIDTH) return bytesEqual(foldPerfect(hashes), this.#levels[1]![index]!);
    // The last, partial tile: its perfect subtrees are the frontier's entries below height 8.
    const ids = CompactRange.frontierIds(this.size);
    const base = index * TILE_WIDTH;
    return ids.every((id, i) => {
      if (id.height >= TILE_HEIGHT) return true;
      const start = id.index * 2 ** id.height - base;
      return bytesEqual(foldPerfect(hashes.slice(start, start + 2 ** id.height)), this.#frontier[i]!);
    });
  }

  async #readLeafTile(index: number): Promise<Uint8Array[]> {
    const width = tileWidthAt(0, index, this.size);
    if (width === 0) throw new AuditError('BAD_ARGUMENT', `tile ${index} is not in the verified tree`);
    const sources = this.#sources.filter((s) => tileWidthAt(0, index, s.size) >= width);
    const tile = async (s: TileSource) =>
      tileHashes(await s.client.tile(0, index, tileWidthAt(0, index, s.size))).slice(0, width);
    const bundle = async (s: TileSource) => {
      const w = tileWidthAt(0, index, s.size);
      const entries = bundleEntries(s.client, index, w, await s.client.bundle(index, w));
      return entries.slice(0, width).map((e) => leafHash(e));
    };
    let found: Uint8Array[] | undefined;
    const attempts = [...sources.map((s) => () => tile(s)), ...sources.map((s) => () => bundle(s))];
    await inOrder(
      attempts,
      1,
      (read) => read().catch(() => undefined),
      (_read, hashes) => {
        if (hashes !== undefined && this.isLeafTile(index, hashes)) found = hashes;
        return found === undefined;
      },
    );
    if (found === undefined)
      throw new AuditError(
        'BAD_RESPONSE',
        `no root serves level-0 tile ${index} as the verified tree has it`,
      );
    return found;
  }

  /** Subtree hashes of this tree (and of any tree it extends): for proofs and roots at smaller sizes. */
  reader(): HashReader {
    return {
      readHashes: (ids) =>
        Promise.all(
          ids.map(async (id) => {
            if (id.height >= TILE_HEIGHT) return this.node(id);
            const first = id.index * 2 ** id.height;
            const tile = await this.leafTile(Math.floor(first / TILE_WIDTH));
            const offset = first % TILE_WIDTH;
            return foldPerfect(tile.slice(offset, offset + 2 ** id.height));
          }),
        ),
    };
  }
}

/**
 * The hash of every full level-0 tile of the tree remembered by an earlier audit, read from the
 * first of `sources` whose level-0 tiles fold to that tree's frontier. undefined if none does.
 */
export async function rebuildLevel1(
  sources: readonly TileSource[],
  start: { size: number; frontier: readonly Uint8Array[] },
  concurrency = DEFAULT_FETCH_CONCURRENCY,
): Promise<{ level1: Uint8Array[]; source?: RootReader } | undefined> {
  const tiles = Math.floor(start.size / TILE_WIDTH);
  if (tiles === 0) return { level1: [] };
  const expected = start.frontier.slice(0, CompactRange.frontierIds(tiles * TILE_WIDTH).length);
  const indexes = Array.from({ length: tiles }, (_, i) => i);
  for (const s of sources.filter((x) => x.size >= tiles * TILE_WIDTH)) {
    const range = new CompactRange();
    const level1: Uint8Array[] = [];
    const onNode = (height: number, _index: number, hash: Uint8Array) => {
      if (height === TILE_HEIGHT) level1.push(hash);
    };
    try {
      await inOrder(
        indexes,
        concurrency,
        async (n) => tileHashes(await s.client.tile(0, n, TILE_WIDTH)),
        (_n, hashes) => {
          for (const h of hashes) range.append(h, onNode);
          return true;
        },
      );
    } catch {
      continue;
    }
    if (range.hashes().every((h, i) => bytesEqual(h, expected[i]!))) return { level1, source: s.client };
  }
  return undefined;
}
