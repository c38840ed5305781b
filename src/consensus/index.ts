// Consensus: Tendermint (Buchman–Kwon–Milosevic 2018, Algorithm 1) as a pure core, its wire
// messages and signed block proposals, the driver that runs it and the WAL contract. The LevelDB
// WAL is I/O: importers take it from level-wal.ts.
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
  decodeConsensusMessage,
  encodeConsensusMessage,
  messageInfo,
  parseConsensusMessage,
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
  type Equivocation,
  type Input,
  initState,
  type Output,
  type PersistRecord,
  persistRecord,
  proposerOf,
  retransmission,
  type Signer,
  type Step,
  step,
  storedVote,
  type Timeouts,
  type TimerKind,
  type TimerRequest,
  type UnsafeMutation,
  unverifiedVote,
  type Validator,
  type Verifier,
  voteCount,
} from './tendermint.ts';
export { decodeRecord, MemoryWal, type Wal } from './wal.ts';
