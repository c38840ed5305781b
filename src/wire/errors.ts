// Errors of the wire formats: bytes from another process that are not the one format both sides
// speak. Never retried as they are: the sender must fix what it sends. The edges map the codes
// (the HTTP API to 400/413, consensus to a dropped message).

import { CodedError } from '../base/index.ts';

export type WireErrorCode =
  | 'BAD_VOTE' // not a well-formed signed consensus vote
  | 'BAD_ADD_CHECKPOINT' // not a C2SP tlog-witness add-checkpoint request body
  | 'TOO_LARGE' // over the format's byte bound
  | 'FRAME_MALFORMED' // a length prefix that is not a minimal unsigned varint
  | 'FRAME_TOO_LARGE' // a length-prefixed frame over its bound
  | 'RENDEZVOUS_MALFORMED' // not a rendezvous protobuf message
  | 'CIRCUIT_MALFORMED' // not a circuit relay v2 HOP/STOP message or voucher
  | 'AUTONAT_MALFORMED'; // not an AutoNAT v1 message

export class WireError extends CodedError<WireErrorCode> {}
