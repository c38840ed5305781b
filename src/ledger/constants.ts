// Limits and sizes of the ledger. Each names the spec line or the reason behind it.

/**
 * SHA-256 output (every Merkle hash in the ledger) and the largest signed note (a checkpoint
 * with its cosignature lines, ≈ 100 bytes each: room for 2,000): the crypto module's, so a note
 * the store keeps is always one the note parser reads.
 */
import { HASH_BYTES, NOTE_BYTES_MAX } from '../crypto/index.ts';

export { HASH_BYTES, NOTE_BYTES_MAX };

/** RFC 6962 §2.1 domain separation: leaf hashes start with 0x00, interior nodes with 0x01. */
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

/** Largest entry: C2SP tlog-tiles entry bundles prefix each entry with a big-endian uint16 length. */
export const ENTRY_BYTES_MAX = 65_535;

/** C2SP tlog-tiles: a tile is a subtree of height 8, so a full tile holds 256 hashes (8,192 bytes). */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const TILE_BYTES_FULL = TILE_WIDTH * HASH_BYTES;

/** C2SP tlog-tiles: `<L>` is a decimal integer between 0 and 63. */
export const TILE_LEVEL_MAX = 63;

/**
 * Largest tree we address. Sizes and indexes are JavaScript numbers, exact up to 2^53; one
 * bit of headroom keeps `index + 1` and `2 * k` exact everywhere.
 */
export const TREE_SIZE_MAX = 2 ** 52;

/** Entries in one append: one LevelDB batch must fit comfortably in memory (≤ 64 MiB below). */
export const BATCH_ENTRIES_MAX = 65_536;

/** Entry bytes in one append (sum of entry lengths). */
export const BATCH_BYTES_MAX = 64 * 1024 * 1024;

/** Caller meta keys in one append, their length and their values' size. */
export const META_KEYS_MAX = 64;
export const META_KEY_CHARS_MAX = 128;
export const META_VALUE_BYTES_MAX = 16 * 1024 * 1024;
/** Meta keys are printable ASCII without spaces so that they sort and print predictably. */
export const META_KEY_PATTERN = /^[\x21-\x7e]+$/;

/** Entries returned by one `entries(start, end)` call (the JSON range endpoint pages with this). */
export const ENTRIES_RANGE_MAX = 1024;

/**
 * A checkpoint origin line (C2SP tlog-checkpoint): non-empty; we cap it so a hostile note
 * cannot make us hold megabytes per line.
 */
export const ORIGIN_CHARS_MAX = 256;
/** Extension lines after the root hash, and each one's length. */
export const CHECKPOINT_EXTENSIONS_MAX = 16;
export const CHECKPOINT_LINE_CHARS_MAX = 1024;

/** Full tiles kept in memory by a store; they are immutable, so caching them is always right. */
export const FULL_TILE_CACHE_ENTRIES = 4096;
