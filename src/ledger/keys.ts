// The LevelDB key layout of a ledger, in one place. Keys are ASCII; numbers are fixed-width
// lowercase hex so that byte order is numeric order (iterators walk entries and checkpoints
// in index order).
//
//   format                      "witan-ledger-1": the layout version of this directory
//   origin                      the checkpoint origin, fixed when the directory is created
//   size                        tree size: 8-byte big-endian unsigned integer
//   tiled                       the tree size through which hash tiles are stored (same form):
//                               an append's tiles are written with the next append (or on
//                               close); absent in ledgers written before, whose tiles are whole
//   b/<n:14 hex>                full entry bundle n: entries 256·n .. 256·n + 255, in the C2SP
//                               tlog-tiles entry bundle encoding (uint16 length + bytes each);
//                               written once, in the batch that appends its last entry
//   e/<index:16 hex>            entry bytes of an entry whose bundle is not yet full; deleted in
//                               the batch that writes its bundle. (Ledgers written before b/
//                               existed hold every entry here; readers fall back to it.)
//   t/<level:2 hex>/<n:14 hex>  hash tile n at level: 32-byte hashes, 1..256 of them; a tile
//                               only grows, and once it holds 256 hashes it never changes.
//                               Level 0 is written only when full: its partial edge tile is
//                               the leaf hashes of the e/ entries, recomputed when opening.
//   l/…                         (older ledgers only) a leaf-hash index, no longer written or
//                               read: the store indexes leaf hashes in memory from level 0
//   c/<size:16 hex>             the signed checkpoint note published for that size (UTF-8)
//   m/<key>                     caller meta, written in the same batch as the entries

export const FORMAT_KEY = 'format';
export const FORMAT_VALUE = 'witan-ledger-1';
export const ORIGIN_KEY = 'origin';
export const SIZE_KEY = 'size';
export const TILED_KEY = 'tiled';

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

export const entryKey = (index: number): string => `e/${hex(index, 16)}`;
export const bundleKey = (index: number): string => `b/${hex(index, 14)}`;
export const tileKey = (level: number, index: number): string => `t/${hex(level, 2)}/${hex(index, 14)}`;
export const checkpointKey = (size: number): string => `c/${hex(size, 16)}`;
export const metaKey = (key: string): string => `m/${key}`;

/** Bounds of the checkpoint key range, for iterators. */
export const CHECKPOINT_KEYS = { gte: 'c/', lt: 'c0' } as const;
/** Bounds of the level-0 tile key range, for iterators. */
export const LEVEL0_TILE_KEYS = { gte: 't/00/', lt: 't/000' } as const;

export function checkpointSizeOfKey(key: string): number {
  return Number.parseInt(key.slice(2), 16);
}

export function encodeSize(size: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(size));
  return out;
}

/** The size in a size record, or undefined when the record is not one (the caller says where). */
export function decodeSize(bytes: Uint8Array): number | undefined {
  if (bytes.length !== 8) return undefined;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(n);
}
