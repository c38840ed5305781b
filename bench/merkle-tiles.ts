// Merkle root plus every C2SP tlog-tiles hash tile over 1M leaves through our ledger code
// (leafHash, CompactRange with the tile visitor, as LedgerStore.append does), against the raw
// node:crypto SHA-256 cost of exactly the same hashes (n leaf hashes, n − 1 node hashes).
// The project's goal: ours ≤ 1.5 × raw.

import { hash } from 'node:crypto';
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

/**
 * Raw cost: SHA-256(0x00 || entry) per leaf, then SHA-256(0x01 || l || r) pairwise up to the
 * root, each level packed in one buffer, through node:crypto's fastest form — one-shot hash()
 * over a reused input, the digest as a latin1 string copied out (a Buffer per digest costs more
 * than the hash of a node) — so the ratio is our tree and tile bookkeeping over hashing alone.
 */
function raw(entries: Uint8Array[]): Uint8Array {
  const digestInto = (input: Uint8Array, out: Uint8Array, offset: number) => {
    const d = hash('sha256', input, 'binary');
    for (let j = 0; j < HASH_BYTES; j++) out[offset + j] = d.charCodeAt(j);
  };
  const leafInput = new Uint8Array(1 + ENTRY_BYTES);
  leafInput[0] = 0;
  let level = new Uint8Array(entries.length * HASH_BYTES);
  for (let i = 0; i < entries.length; i++) {
    leafInput.set(entries[i]!, 1);
    digestInto(leafInput, level, i * HASH_BYTES);
  }
  const nodeInput = new Uint8Array(1 + 2 * HASH_BYTES);
  nodeInput[0] = 1;
  for (let count = entries.length; count > 1; ) {
    const nextCount = Math.ceil(count / 2);
    const next = new Uint8Array(nextCount * HASH_BYTES);
    for (let i = 0; i + 1 < count; i += 2) {
      nodeInput.set(level.subarray(i * HASH_BYTES, (i + 2) * HASH_BYTES), 1);
      digestInto(nodeInput, next, (i / 2) * HASH_BYTES);
    }
    // RFC 6962: an odd last hash is promoted, not hashed.
    if (count % 2 === 1)
      next.set(level.subarray((count - 1) * HASH_BYTES, count * HASH_BYTES), (nextCount - 1) * HASH_BYTES);
    level = next;
    count = nextCount;
  }
  return level.subarray(0, HASH_BYTES);
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
          'raw node:crypto SHA-256 of the same 2n − 1 hashes (one-shot hash())',
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
