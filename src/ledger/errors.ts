import { CodedError } from '../base/index.ts';

export type LedgerErrorCode =
  | 'BAD_ARGUMENT' // a caller passed something of the wrong type or shape
  | 'ENTRY_TOO_LARGE' // an entry over ENTRY_BYTES_MAX
  | 'BATCH_TOO_LARGE' // an append over BATCH_ENTRIES_MAX / BATCH_BYTES_MAX / META_* limits
  | 'INDEX_OUT_OF_RANGE' // an index or size past the tree
  | 'NOT_FOUND' // a tile or bundle that does not exist (yet) at this size
  | 'BAD_TILE_PATH' // a tile path that is not the one canonical C2SP tlog-tiles spelling
  | 'BAD_CHECKPOINT' // checkpoint text that is not a strict C2SP tlog-checkpoint
  | 'CHECKPOINT_MISMATCH' // a note for a size whose origin or root is not this ledger's
  | 'ORIGIN_MISMATCH' // opening a ledger directory with another origin
  | 'CORRUPT' // what is on disk contradicts itself: stop, restore from a backup or a peer
  | 'CLOSED'; // the store was closed

/**
 * A ledger operation that was refused. Bad input never changes anything on disk; the message
 * says which argument was wrong and what the limit is.
 */
export class LedgerError extends CodedError<LedgerErrorCode> {}
