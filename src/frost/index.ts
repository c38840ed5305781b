// The federation key: FROST(Ed25519, SHA-512) (RFC 9591) through noble-curves — distributed
// key generation with sealed shares, nonce commitments prepared ahead, per-share checks that
// name a bad signer, and aggregation into a signature that plain Ed25519 verifies. Pure
// except for the randomness it draws (keys, nonces).
export * from './constants.ts';
export { DkgParticipant } from './dkg.ts';
export { FrostError, type FrostErrorCode } from './errors.ts';
export { type GroupKey, identifierOf, type KeyShare } from './group.ts';
export type { RandomBytes } from './seal.ts';
export {
  aggregateSignature,
  CommitmentPool,
  NonceBook,
  type NonceCommitment,
  type SignatureShare,
  type SigningRequest,
  verifyShare,
} from './signing.ts';
export { CIPHERSUITE_NAME, FROST } from './suite.ts';
export {
  checkBroadcast,
  checkSealedShares,
  checkTranscript,
  type DkgConfig,
  groupKeyFromTranscript,
  judgeComplaint,
  type Round1Broadcast,
  type SealedShare,
  sealingKeyOf,
} from './transcript.ts';
