// Generates the frozen Merkle tree vectors in ledger/vectors/trees/ (see ledger/LEDGER.md
// §Test vectors). `node scripts/gen-tree-vectors.ts` writes them; `--check` only compares.
// The output is a pure function of the fixed entries below, so re-running it must reproduce
// the committed files byte for byte (test/ledger/vectors.test.ts checks that).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes, toHex } from '../src/codec/index.ts';
import {
  CompactRange,
  consistencyProofRanges,
  EMPTY_ROOT,
  encodeEntryBundle,
  formatTilePath,
  inclusionProofRanges,
  type LeafRange,
  leafHash,
  nodeHash,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileWidthAt,
} from '../src/ledger/index.ts';

export const VECTORS_DIR = join(import.meta.dirname, '..', 'ledger', 'vectors', 'trees');

/** Entries of the vector trees: the canonical JSON bytes of {"index": i, "vector": "witan ledger"}. */
export const VECTOR_ENTRIES = 600;
/** Every proof for every tree up to this size; a spread of proofs in larger trees. */
const EXHAUSTIVE_SIZE = 32;
/** The tiles vector: all tiles and bundles of the tree of 600, and the partial ones of 300. */
const TILE_SIZES = [300, 600];

export function vectorEntry(index: number): Uint8Array {
  return canonicalBytes({ index, vector: 'witan ledger' });
}

type Files = Record<string, string>;

export function treeVectors(): Files {
  const entries = Array.from({ length: VECTOR_ENTRIES }, (_, i) => vectorEntry(i));
  const leaves = entries.map(leafHash);
  // Perfect subtree hashes by height, from the frontier's reports: perfect[h][i].
  const perfect: Uint8Array[][] = [];
  const roots: string[] = [toHex(EMPTY_ROOT)];
  const range = new CompactRange();
  for (const leaf of leaves) {
    range.append(leaf, (height, index, hash) => {
      perfect[height] ??= [];
      perfect[height][index] = hash;
    });
    roots.push(toHex(range.root()));
  }
  const mth = (r: LeafRange): string => {
    // The RFC 6962 node over [start, end): fold its perfect subtrees from the right.
    const parts: Uint8Array[] = [];
    let cursor = r.start;
    while (cursor < r.end) {
      let height = 0;
      while (cursor % 2 ** (height + 1) === 0 && cursor + 2 ** (height + 1) <= r.end) height++;
      parts.push(perfect[height]![cursor / 2 ** height]!);
      cursor += 2 ** height;
    }
    let acc = parts.pop()!;
    while (parts.length > 0) acc = nodeHash(parts.pop()!, acc);
    return toHex(acc);
  };

  const json = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;
  const files: Files = {};

  files['entries.json'] = json({
    description:
      'Entries of the vector trees, lowercase hex. Entry i is the canonical JSON (RFC 8785 subset) of {"index": i, "vector": "witan ledger"}; the tree of size n holds entries 0..n-1.',
    entries: entries.map(toHex),
    leafHashes: leaves.map(toHex),
  });

  files['roots.json'] = json({
    description:
      'roots[n] is the RFC 6962 Merkle tree hash (hex) of the first n entries; roots[0] is SHA-256("").',
    roots,
  });

  const inclusionPairs: Array<[number, number]> = [];
  for (let size = 1; size <= EXHAUSTIVE_SIZE; size++) {
    for (let index = 0; index < size; index++) inclusionPairs.push([index, size]);
  }
  for (const size of [127, 128, 129, 255, 256, 257, 300, 511, 512, 513, 599, 600]) {
    for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) inclusionPairs.push([index, size]);
  }
  files['inclusion.json'] = json({
    description:
      'RFC 9162 §2.1.3 inclusion proofs: leaf hash at index in the tree of size, proof hashes (hex) leaf side first, and that tree root. Every index of every size 1..32, and a spread beyond.',
    proofs: dedupe(inclusionPairs).map(([index, size]) => ({
      index,
      size,
      leafHash: toHex(leaves[index]!),
      proof: inclusionProofRanges(index, size).map(mth),
      root: roots[size],
    })),
  });

  const consistencyPairs: Array<[number, number]> = [];
  for (let size2 = 1; size2 <= EXHAUSTIVE_SIZE; size2++) {
    for (let size1 = 0; size1 <= size2; size1++) consistencyPairs.push([size1, size2]);
  }
  for (const [a, b] of [
    [1, 600],
    [7, 600],
    [255, 256],
    [256, 257],
    [256, 600],
    [300, 600],
    [511, 513],
    [128, 513],
    [599, 600],
  ] as const) {
    consistencyPairs.push([a, b]);
  }
  files['consistency.json'] = json({
    description:
      'RFC 9162 §2.1.4 consistency proofs from size1 to size2 with both roots. Every pair 0 <= size1 <= size2 <= 32 (empty proofs when size1 is 0 or equal to size2), and a spread beyond.',
    proofs: dedupe(consistencyPairs).map(([size1, size2]) => ({
      size1,
      size2,
      root1: roots[size1],
      root2: roots[size2],
      proof: consistencyProofRanges(size1, size2).map(mth),
    })),
  });

  const tiles: Array<{ treeSize: number; path: string; hex: string }> = [];
  for (const size of TILE_SIZES) {
    for (let level = 0; TILE_WIDTH ** level <= size; level++) {
      const height = level * TILE_HEIGHT;
      for (let n = 0; tileWidthAt(level, n, size) > 0; n++) {
        const width = tileWidthAt(level, n, size);
        const hashes = perfect[height]!.slice(n * TILE_WIDTH, n * TILE_WIDTH + width);
        tiles.push({
          treeSize: size,
          path: formatTilePath({ level, index: n, width }),
          hex: hashes.map(toHex).join(''),
        });
        if (level === 0) {
          const bundle = encodeEntryBundle(entries.slice(n * TILE_WIDTH, n * TILE_WIDTH + width));
          tiles.push({
            treeSize: size,
            path: formatTilePath({ level: 'entries', index: n, width }),
            hex: toHex(bundle),
          });
        }
      }
    }
  }
  files['tiles.json'] = json({
    description:
      'C2SP tlog-tiles resources (hex bytes) for the trees of size 300 and 600: every hash tile and entry bundle each tree needs, full and partial. Full tiles appear once per tree that has them.',
    tiles,
  });
  return files;
}

function dedupe(pairs: Array<[number, number]>): Array<[number, number]> {
  const seen = new Set<string>();
  return pairs.filter(([a, b]) => {
    const key = `${a}/${b}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, text] of Object.entries(treeVectors())) {
    const path = join(VECTORS_DIR, name);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== text) {
        console.error(`${name} differs from what the generator produces`);
        stale++;
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale > 0) process.exit(1);
}
