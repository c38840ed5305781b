// Consensus: Tendermint (Buchman–Kwon–Milosevic 2018, Algorithm 1) as a pure core, its wire
// messages and signed block proposals. The WAL and driver (the shell) are exported from here too.
export * from './constants.ts';
export {
  type App,
  type CatchUpSource,
  ConsensusDriver,
  type DriverOptions,
  realTimers,
  type Transport,
} from './driver.ts';
export {
  type AppQueries,
  DriverCore,
  type DriverCoreOptions,
  type DriverEffect,
  type Timers,
} from './driver-core.ts';
export { ConsensusError, type ConsensusErrorCode } from './errors.ts';
export {
  type ConsensusMessage,
  decodeMessage,
  encodeMessage,
  messageInfo,
  parseMessage,
} from './messages.ts';
export {
  CONSENSUS_PROPOSAL_DOMAIN,
  type ProposalBody,
  parseSignedProposal,
  proposalSigningBytes,
  proposalValue,
  type SignedProposal,
  signProposal,
  valueIdOf,
  verifyProposal,
} from './proposal.ts';
export { nodeKeySigner } from './signer.ts';
export {
  type CoreConfig,
  type CoreState,
  certificateValid,
  type Decision,
  type Evidence,
  type Input,
  initState,
  type Output,
  type PersistRecord,
  persistRecord,
  proposerOf,
  quorumSize,
  retransmission,
  type Signer,
  type Step,
  step,
  storedVote,
  type Timeouts,
  type TimerKind,
  type TimerRequest,
  type UnsafeMutation,
  type Validator,
  type Verifier,
} from './tendermint.ts';
export { decodeRecord, LevelWal, MemoryWal, type Wal } from './wal.ts';
