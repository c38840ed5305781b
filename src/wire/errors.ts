// Errors of the wire formats: bytes from another process that are not the one format both sides
// speak. Never retried as they are: the sender must fix what it sends. The edges map the codes
// (the HTTP API to 400/413, consensus to a dropped message).

import { CodedError } from '../base/index.ts';

export type WireErrorCode =
  | 'BAD_VOTE' // not a well-formed signed consensus vote
  | 'BAD_ADD_CHECKPOINT' // not a C2SP tlog-witness add-checkpoint request body
  | 'TOO_LARGE'; // over the format's byte bound

export class WireError extends CodedError<WireErrorCode> {}
