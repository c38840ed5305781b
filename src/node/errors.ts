import { CodedError } from '../base/index.ts';

export type NodeErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'DATA_DIR_LOCKED'
  | 'DATA_DIR_MISSING'
  | 'GENESIS_INVALID'
  | 'KEY_MISMATCH';

/** An operating fault of a root that the operator can fix; the message says how. */
export class NodeError extends CodedError<NodeErrorCode> {}
