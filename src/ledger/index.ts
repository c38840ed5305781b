// The ledger: RFC 6962 / RFC 9162 Merkle tree, C2SP tlog-checkpoint and tlog-tiles. The LevelDB
// store is I/O: importers take LedgerStore from store.ts. Specification for outside verifiers:
// ledger/LEDGER.md.
export {
  CHECKPOINT_TEXT_CHARS_MAX,
  type Checkpoint,
  formatCheckpoint,
  parseCheckpoint,
} from './checkpoint.ts';
export { checkpointSubtree } from './checkpoint-subtree.ts';
export {
  BATCH_BYTES_MAX,
  BATCH_ENTRIES_MAX,
  ENTRIES_RANGE_MAX,
  ENTRY_BYTES_MAX,
  HASH_BYTES,
  NOTE_BYTES_MAX,
  TILE_BYTES_FULL,
  TILE_HEIGHT,
  TILE_LEVEL_MAX,
  TILE_WIDTH,
  TREE_SIZE_MAX,
} from './constants.ts';
export { LedgerError, type LedgerErrorCode } from './errors.ts';
export {
  CompactRange,
  consistencyProof,
  consistencyProofRanges,
  EMPTY_ROOT,
  type HashReader,
  inclusionProof,
  inclusionProofRanges,
  type LeafRange,
  leafHash,
  leafHashesInto,
  nodeHash,
  rootAtSize,
  rootOf,
  type SubtreeId,
  subtreeInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeInclusion,
} from './merkle.ts';
export {
  bundleWidthAt,
  decodeEntryBundle,
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  parseTilePath,
  type TileId,
  tileHashes,
  tileWidthAt,
} from './tiles.ts';
