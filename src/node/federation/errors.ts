// Errors of the federation key on a root: messages that are refused (malformed, not signed by
// their member, replayed) and faults of other members (a bad signature share).

import { CodedError } from '../../base/index.ts';

export type FederationErrorCode =
  /** A federation-key gossip message that does not decode: the sender's software is broken. */
  | 'BAD_MESSAGE'
  /** A message not signed by the node key of the member it names. */
  | 'BAD_ENVELOPE'
  /** A commitments announcement older than one already taken: a replay; nothing changes. */
  | 'REPLAYED'
  /** A message about a key this root does not know (an old key, or one not made yet). */
  | 'UNKNOWN_KEY';

export class FederationError extends CodedError<FederationErrorCode> {}
