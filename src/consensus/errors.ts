// Typed errors of the consensus module. Assertions guard what cannot happen; these are for what can.

import { CodedError } from '../base/index.ts';

export type ConsensusErrorCode =
  | 'BAD_CONFIG' // a config the core cannot run with (fix the caller)
  | 'BAD_MESSAGE' // a wire message that does not decode or is out of bounds (drop it, maybe penalise the peer)
  | 'BAD_PROPOSAL' // a block proposal that is malformed or badly signed
  | 'BAD_CERTIFICATE' // a decision whose commit certificate does not verify (do not apply it)
  | 'WAL_CORRUPT' // the write-ahead log contradicts itself: stop, restore the data folder
  | 'CLOSED'; // the WAL or driver was closed

export class ConsensusError extends CodedError<ConsensusErrorCode> {}
