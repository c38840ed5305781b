// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile coordinates, their one canonical path
// spelling, which tiles exist at a tree size, and entry bundles.
//
//   tile/<L>/<N>[.p/<W>]       hash tile: level L (0..63), index N, partial width W (1..255)
//   tile/entries/<N>[.p/<W>]   entry bundle
//
// N is written in zero-padded 3-digit path elements, all but the last prefixed with "x"
// (1234067 → x001/x234/067), as in golang.org/x/mod/sumdb/tlog. Exactly one spelling per
// index is accepted: no leading "x000" element, no missing digits.
//
// The n-th tile at level l holds MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]) for i in
// 0..255, i.e. the hashes of the perfect subtrees of height 8·l. The partial tile at level l
// for a tree of size s has floor(s / 256^l) mod 256 hashes; empty tiles do not exist.

import {
  ENTRY_BYTES_MAX,
  HASH_BYTES,
  TILE_HEIGHT,
  TILE_LEVEL_MAX,
  TILE_WIDTH,
  TREE_SIZE_MAX,
} from './constants.ts';
import { LedgerError } from './errors.ts';

/** A hash tile (`level` ≥ 0) or an entry bundle (`level` = 'entries'); width 1..256, 256 = full. */
export type TileId = { level: number | 'entries'; index: number; width: number };

const LEVEL_PATTERN = /^(?:0|[1-9][0-9]?)$/;
const WIDTH_PATTERN = /^[1-9][0-9]{0,2}$/;
const INNER_ELEMENT = /^x[0-9]{3}$/;
const LAST_ELEMENT = /^[0-9]{3}$/;
/** 1000^6 > 2^52: no valid index needs more elements. */
const INDEX_ELEMENTS_MAX = 6;

function badPath(message: string): LedgerError {
  return new LedgerError('BAD_TILE_PATH', message);
}

/** The "x001/x234/067" spelling of a tile index. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > TREE_SIZE_MAX) {
    throw new LedgerError('BAD_ARGUMENT', `tile index must be an integer in 0..2^52, got ${index}`);
  }
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
    n = Math.floor(n / 1000);
  }
  return out;
}

/** The path of a tile, without a leading slash: `tile/0/x001/x234/067.p/5`. */
export function formatTilePath(id: TileId): string {
  const level = id.level === 'entries' ? 'entries' : checkLevel(id.level);
  if (!Number.isInteger(id.width) || id.width < 1 || id.width > TILE_WIDTH) {
    throw new LedgerError('BAD_ARGUMENT', `tile width must be 1..${TILE_WIDTH}, got ${id.width}`);
  }
  const partial = id.width < TILE_WIDTH ? `.p/${id.width}` : '';
  return `tile/${level}/${formatTileIndex(id.index)}${partial}`;
}

function checkLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0 || level > TILE_LEVEL_MAX) {
    throw new LedgerError('BAD_ARGUMENT', `tile level must be 0..${TILE_LEVEL_MAX}, got ${level}`);
  }
  return level;
}

/**
 * Parses `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]` (a leading "/" is allowed),
 * refusing every non-canonical spelling with BAD_TILE_PATH.
 */
export function parseTilePath(path: string): TileId {
  if (typeof path !== 'string' || path.length > 128) throw badPath('tile path is too long');
  const parts = (path.startsWith('/') ? path.slice(1) : path).split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw badPath('expected tile/<L>/<N>[.p/<W>]');
  const levelPart = parts[1]!;
  let level: number | 'entries';
  if (levelPart === 'entries') level = 'entries';
  else if (LEVEL_PATTERN.test(levelPart) && Number(levelPart) <= TILE_LEVEL_MAX) level = Number(levelPart);
  else throw badPath(`tile level must be 0..${TILE_LEVEL_MAX} without leading zeroes, or "entries"`);
  let elements = parts.slice(2);
  let width = TILE_WIDTH;
  const last = elements[elements.length - 1]!;
  if (elements.length >= 2 && elements[elements.length - 2]!.endsWith('.p')) {
    if (!WIDTH_PATTERN.test(last) || Number(last) > TILE_WIDTH - 1) {
      throw badPath(`partial tile width must be 1..${TILE_WIDTH - 1} without leading zeroes`);
    }
    width = Number(last);
    elements = elements.slice(0, -1);
    elements[elements.length - 1] = elements[elements.length - 1]!.slice(0, -2);
  }
  return { level, index: parseIndexElements(elements), width };
}

function parseIndexElements(elements: string[]): number {
  if (elements.length === 0 || elements.length > INDEX_ELEMENTS_MAX) throw badPath('tile index is malformed');
  let n = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    const inner = i < elements.length - 1;
    if (!(inner ? INNER_ELEMENT : LAST_ELEMENT).test(e)) {
      throw badPath('tile index must be 3-digit elements, all but the last prefixed with "x"');
    }
    if (i === 0 && inner && e === 'x000') throw badPath('tile index has a leading zero element');
    n = n * 1000 + Number(inner ? e.slice(1) : e);
  }
  if (n > TREE_SIZE_MAX / TILE_WIDTH) throw badPath('tile index is past any possible tree');
  return n;
}

/** 256^level as a number (level ≤ 6 is exact; higher levels exceed any tree we address). */
export function leavesPerHash(level: number): number {
  return TILE_WIDTH ** level;
}

/** How many hashes of the tile (level, index) exist in a tree of `size`: 0..256. */
export function tileWidthAt(level: number, index: number, size: number): number {
  const available = Math.floor(size / leavesPerHash(level)) - index * TILE_WIDTH;
  return Math.max(0, Math.min(TILE_WIDTH, available));
}

/** How many entries of bundle `index` exist in a tree of `size`: 0..256. */
export function bundleWidthAt(index: number, size: number): number {
  return tileWidthAt(0, index, size);
}

/** Tree height of the hashes in a tile of `level`. */
export function tileHashHeight(level: number): number {
  return level * TILE_HEIGHT;
}

/** Entry bundle: each entry prefixed with its length as a big-endian uint16. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const e of entries) {
    if (e.length > ENTRY_BYTES_MAX) throw new LedgerError('ENTRY_TOO_LARGE', 'entry over 65,535 bytes');
    length += 2 + e.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const e of entries) {
    out[offset] = e.length >>> 8;
    out[offset + 1] = e.length & 0xff;
    out.set(e, offset + 2);
    offset += 2 + e.length;
  }
  return out;
}

/** Splits an entry bundle; throws BAD_ARGUMENT if it is truncated or too long. */
export function decodeEntryBundle(bundle: Uint8Array, entriesMax = TILE_WIDTH): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < bundle.length) {
    if (out.length >= entriesMax) throw new LedgerError('BAD_ARGUMENT', 'entry bundle has too many entries');
    if (offset + 2 > bundle.length) throw new LedgerError('BAD_ARGUMENT', 'entry bundle is truncated');
    const length = (bundle[offset]! << 8) | bundle[offset + 1]!;
    if (offset + 2 + length > bundle.length)
      throw new LedgerError('BAD_ARGUMENT', 'entry bundle is truncated');
    out.push(bundle.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  return out;
}

/** Splits a hash tile into its hashes. */
export function tileHashes(tile: Uint8Array): Uint8Array[] {
  if (tile.length % HASH_BYTES !== 0 || tile.length > TILE_WIDTH * HASH_BYTES) {
    throw new LedgerError('BAD_ARGUMENT', 'a hash tile is a multiple of 32 bytes, at most 8,192');
  }
  const out: Uint8Array[] = [];
  for (let o = 0; o < tile.length; o += HASH_BYTES) out.push(tile.subarray(o, o + HASH_BYTES));
  return out;
}
