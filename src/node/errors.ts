import { CodedError } from '../base/index.ts';

export type NodeErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'DATA_DIR_LOCKED'
  | 'DATA_DIR_MISSING'
  | 'PORT_IN_USE' // another process listens where this root is configured to listen
  | 'GENESIS_INVALID'
  | 'GENESIS_MISMATCH' // the data folder's ledger starts from another genesis than the one given
  | 'KEY_MISMATCH'
  | 'LEDGER_CORRUPT' // the ledger on disk does not replay: restore it or rebuild it from peers
  | 'WAL_CORRUPT' // the consensus write-ahead log does not decode: restore it, never just drop it
  | 'DIVERGED'; // a quorum decided a batch this root cannot re-execute

/** An operating fault of a root that the operator can fix; the message says how. */
export class NodeError extends CodedError<NodeErrorCode> {}
