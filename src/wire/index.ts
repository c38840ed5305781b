// Layer 3: byte formats that cross the network and that other implementations must speak,
// written and parsed in one place each — length-prefixed frames, the rendezvous protobuf, the
// circuit relay v2 HOP/STOP protobuf, the AutoNAT v1 protobuf, consensus votes, the tlog-witness
// request body. Pure: no I/O, no network library.

export {
  type AddCheckpointBody,
  type AddCheckpointRequest,
  formatAddCheckpointBody,
  parseAddCheckpointBody,
} from './add-checkpoint.ts';
export * from './autonat.ts';
export * from './circuit.ts';
export {
  CONSENSUS_VOTE_DOMAIN,
  consensusPositionProblem,
  FEDERATION_CHARS_MAX,
  parseSignedVote,
  type SignedVote,
  signVote,
  VOTE_HEIGHT_MAX,
  VOTE_ROUND_MAX,
  type VoteBody,
  type VoteType,
  verifyVote,
  voteBytes,
  voteSigningBytes,
  votesConflict,
} from './consensus-vote.ts';
export { ADD_CHECKPOINT_BODY_BYTES_MAX, ADD_CHECKPOINT_PROOF_HASHES_MAX } from './constants.ts';
export { WireError, type WireErrorCode } from './errors.ts';
export * from './frames.ts';
export * from './rendezvous.ts';
