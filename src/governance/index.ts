// The governance core: worlds, members, policy,
// statements, the rules engine, genesis, replay and world-chain verification. Pure code: no
// clock, randomness, disk or network — time comes in as the batch time.
export {
  apply,
  type Batch,
  type BatchRejection,
  type BatchResult,
  checkStatement,
  type ExecuteOptions,
  executeBatch,
  executeRecovery,
} from './batch.ts';
export { type BatchGroup, BatchGrouper, replayMismatch } from './batch-groups.ts';
export {
  admitChange,
  ballot,
  dkgCommitment,
  dkgComplaint,
  dkgConfirmation,
  dkgShares,
  evidence,
  federationSignature,
  motion,
  selfUpdate,
} from './builders.ts';
export {
  CEREMONY_PHASES,
  type Ceremony,
  type CeremonyPhase,
  type CommitmentRecord,
  EXCLUSION_REASONS,
  type Exclusion,
  type ExclusionReason,
  missingInPhase,
  votingNames,
} from './ceremony-state.ts';
export {
  type ChainErrorCode,
  type ChainHead,
  type ChainResult,
  type InclusionEvidence,
  verifyWorldChain,
  type WorldStep,
} from './chain.ts';
export { admissionsIn, applyChanges, removalTargets } from './changes.ts';
export {
  CANDIDATE_DOMAIN,
  FEDERATION_PATTERN,
  GENESIS_DOMAIN,
  KEY_POSSESSION_DOMAIN,
  MEMBER_NAME_PATTERN,
  MEMBERS_MAX,
  OPEN_MOTIONS_MAX,
  OPEN_MOTIONS_PER_MEMBER_MAX,
  RECOVERY_DOMAIN,
  SEEN_BUCKET_MS,
  SHORT_ID_HEX_MIN,
  STATEMENT_FUTURE_MS_MAX,
  SYSTEM_AUTHOR,
  statementDomain,
  WITNESS_NAME_PATTERN,
  WITNESSES_MAX,
} from './constants.ts';
export { ISO_3166_ALPHA2, isJurisdiction } from './countries.ts';
export {
  type ChangeDiff,
  diffChanges,
  diffWorlds,
  type FieldChange,
  type WorldChange,
} from './diff.ts';
export {
  type DutySettlement,
  type DutyVerdict,
  dutyEpochOf,
  dutyMotionId,
  dutyReport,
  dutyVerdict,
  meetsMinimum,
  observation,
  reportRejection,
  settleDuties,
} from './duties.ts';
export { DUTY_PROBES_PER_EPOCH_MAX, parseObservations } from './duty-report.ts';
export {
  type AddressScope,
  endpointHost,
  hostScope,
  isDnsName,
  nonPublicEndpoint,
  parseHttpEndpoint,
  parseIpv4,
  parseIpv6,
  parseListenMultiaddr,
  parseP2pEndpoint,
  scopeWords,
} from './endpoints.ts';
export {
  decodeEntry,
  decodeEntryAt,
  encodeEntry,
  type LedgerEntry,
  type OutcomeResult,
  VERDICT_ACTIONS,
  type VerdictAction,
  type VerdictEntry,
} from './entry.ts';
export {
  atEntry,
  GovernanceError,
  type GovernanceErrorCode,
  type Rejection,
  type RejectionCode,
  reject,
} from './errors.ts';
export type { FederationKey, KeyParticipant } from './federation-key.ts';
export {
  assembleGenesis,
  assembleGenesisWorld,
  checkGenesis,
  type GenesisSignature,
  genesisSigningBytes,
  type SignedGenesis,
  signGenesis,
  verifyGenesis,
} from './genesis.ts';
export { ledgerOrigin, statementId, worldHash } from './hash.ts';
export {
  descriptorOf,
  type Endpoints,
  type Member,
  type MemberDescriptor,
  type MemberStatus,
  type Notice,
  parseDescriptor,
  parseMember,
  parseWorld,
  type World,
} from './model.ts';
export { type BatchHeader, type OpenBatch, openBatch } from './open-batch.ts';
export { confusablesSkeleton, organisationKeys, sameOrganisation } from './organisation.ts';
export {
  pendingAfterSigned,
  pendingToDrop,
  supersededByNewest,
  withPendingSignature,
} from './pending-signatures.ts';
export { newZeroTierWorldOf, sameZeroTierContent, zeroTierRootMembers, zeroTierWorldOf } from './planet.ts';
export {
  checkPolicy,
  DEFAULT_DUTY_POLICY,
  DEFAULT_FEDERATION_KEY_POLICY,
  DEFAULT_POLICY,
  DUTIES,
  DUTY_POLICY_RANGES,
  type Duty,
  type DutyPolicy,
  dutiesOf,
  type FederationKeyPolicy,
  type Fraction,
  POLICY_RANGES,
  type Policy,
  parsePolicy,
  policyViolation,
  privateEndpointsAllowed,
  type RecoveryPolicy,
  type RecoveryWitness,
  type RelayPolicy,
  type RendezvousPolicy,
  recoveryPolicyOf,
  removalThresholdOf,
  seasoningPeriodOf,
  selfUpdateLimitOf,
  type ZeroTierPolicy,
} from './policy.ts';
export {
  checkRecovery,
  parseSignedRecovery,
  type Recovery,
  type RecoveryBase,
  recoveredWorld,
  recoveryEffectiveMs,
  recoveryId,
  recoverySignaturesViolation,
  recoverySigningBytes,
  type SignedRecovery,
  signRecovery,
} from './recovery.ts';
export { CHARTER_RULES, REJECTION_CODES } from './rejections.ts';
export { replay, replayBatch } from './replay.ts';
export {
  ChangeSchema,
  EntrySchema,
  EvidenceSchema,
  governanceSchemaFiles,
  MemberDescriptorSchema,
  MemberSchema,
  ObservationSchema,
  PolicySchema,
  SignedGenesisSchema,
  SignedRecoverySchema,
  SignedStatementSchema,
  SignedVoteSchema,
  StatementSchema,
  WorldSchema,
} from './schemas.ts';
export { type Screened, screenStatement } from './screen.ts';
export { nextSeen, type SeenIndex, seenHas } from './seen.ts';
export { ShapeError } from './shape.ts';
export {
  cosignersOf,
  type DutyReports,
  type GovernanceState,
  genesisState,
  type MemberKey,
  type OpenMotion,
  type RecordedBallot,
  type RetiredKey,
  validatorsOf,
  validatorsOfWorld,
} from './state.ts';
export type {
  BallotChoice,
  BallotStatement,
  CandidateSignatures,
  Change,
  ChangeType,
  DkgCommitmentStatement,
  DkgComplaintStatement,
  DkgConfirmationStatement,
  DkgSharesStatement,
  DutyReportStatement,
  Evidence,
  EvidenceStatement,
  FederationSignatureStatement,
  MotionStatement,
  Observation,
  ProbeCount,
  RootStatement,
  RootStatementKind,
  SealedShareRecord,
  SelfUpdateStatement,
  SignedStatement,
  Statement,
  StatementKind,
  WorldRef,
} from './statement-types.ts';
export {
  BALLOT_CHOICES,
  CHANGE_TYPES,
  isRootStatementKind,
  ROOT_STATEMENT_KINDS,
} from './statement-types.ts';
export {
  candidateBytes,
  type KeyRole,
  keyPossessionBytes,
  parseSignedStatement,
  parseStatement,
  proveKeyPossession,
  STATEMENT_BYTES_MAX,
  signCandidate,
  signerKeyOf,
  signStatement,
  statementSigningBytes,
  verifyCandidate,
  verifyStatementSignature,
} from './statements.ts';
export { changesPolicy, electorate, isSeasoned, type Tally, type TallyRule, tally } from './tally.ts';
export {
  type KnownStatement,
  type PreVerified,
  preVerified,
  type StatementVerifier,
  verifyOnTheSpot,
} from './verifier.ts';
export { jurisdictionCap, worldRuleViolation } from './world-rules.ts';
export {
  ceremonySession,
  federationVkey,
  followKeyChain,
  type KeyChainResult,
  type PendingSignature,
  type PendingZeroTier,
  pendingSignatureOf,
  type SignedWorldArtifacts,
  signedWorldArtifacts,
  worldNoteText,
  worldNoteVkey,
} from './world-signatures.ts';
export {
  parseZeroTierRoot,
  type ZeroTierRoot,
  zeroTierAddress,
  zeroTierIdentityIsValid,
} from './zerotier-root.ts';
