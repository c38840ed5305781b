// Merkle root plus every C2SP tlog-tiles hash tile over 1M leaves through our ledger code
// (leafHash, CompactRange with the tile visitor, as LedgerStore.append does), against the raw
// node:crypto SHA-256 cost of exactly the same hashes (n leaf hashes, n − 1 node hashes).
// The project's goal: ours ≤ 1.5 × raw.

import { createHash } from 'node:crypto';
import { CompactRange, HASH_BYTES, leafHash, TILE_HEIGHT, TILE_WIDTH } from '../src/ledger/index.ts';
import { type BenchResult, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ENTRY_BYTES = 128;

function makeEntries(count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const e = new Uint8Array(ENTRY_BYTES);
    new DataView(e.buffer).setUint32(0, i);
    out.push(e);
  }
  return out;
}

/** Raw cost: SHA-256(0x00 || entry) per leaf, then SHA-256(0x01 || l || r) pairwise up to the root. */
function raw(entries: Uint8Array[]): Uint8Array {
  const leafPrefix = new Uint8Array([0]);
  const nodePrefix = new Uint8Array([1]);
  let level: Uint8Array[] = entries.map((e) => createHash('sha256').update(leafPrefix).update(e).digest());
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(
        createHash('sha256')
          .update(nodePrefix)
          .update(level[i]!)
          .update(level[i + 1]!)
          .digest(),
      );
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!); // RFC 6962: promoted, not hashed
    level = next;
  }
  return level[0]!;
}

/** Ours: leaf hashes, the frontier, and every tile (full and partial) filled as LedgerStore does. */
function ours(entries: Uint8Array[]): { root: Uint8Array; tiles: number } {
  const range = new CompactRange();
  const tiles = new Map<string, Uint8Array>();
  const visit = (height: number, index: number, hash: Uint8Array): void => {
    if (height % TILE_HEIGHT !== 0) return;
    const key = `${height / TILE_HEIGHT}/${Math.floor(index / TILE_WIDTH)}`;
    let tile = tiles.get(key);
    if (tile === undefined) {
      tile = new Uint8Array(TILE_WIDTH * HASH_BYTES);
      tiles.set(key, tile);
    }
    tile.set(hash, (index % TILE_WIDTH) * HASH_BYTES);
  };
  for (const e of entries) range.append(leafHash(e), visit);
  return { root: range.root(), tiles: tiles.size };
}

function timeMs(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const leaves = 1_000_000;
  const entries = makeEntries(leaves);
  const rounds = options.quick ? 1 : 3;
  const check = ours(entries.slice(0, 1000)).root;
  if (Buffer.compare(check, raw(entries.slice(0, 1000))) !== 0) throw new Error('roots disagree');
  let rawMs = 0;
  let oursMs = 0;
  let tileCount = 0;
  for (let r = 0; r < rounds; r++) {
    // Alternate so that neither side always runs on a warmer JIT or heap.
    rawMs += timeMs(() => raw(entries));
    oursMs += timeMs(() => {
      tileCount = ours(entries).tiles;
    });
  }
  rawMs /= rounds;
  oursMs /= rounds;
  return {
    id: 'merkle-tiles',
    title: 'Ledger: Merkle root + tiles over 1M leaves',
    figures: [
      {
        ...ratioFigure(
          'root + all tiles, 1M leaves (time)',
          oursMs,
          'ms',
          'raw node:crypto SHA-256 of the same 2n − 1 hashes',
          rawMs,
          { atMost: 1.5 },
        ),
      },
    ],
    notes: [
      `${leaves.toLocaleString('en-US')} entries of ${ENTRY_BYTES} bytes; ${tileCount} tiles filled; mean of ${rounds} alternating round(s); ratio = ours / raw (lower is better)`,
    ],
  };
}
