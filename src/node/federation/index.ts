// The federation key on a root: this member's part in the DKG, threshold signing with the other
// roots over gossip, and the checkpoint and world signatures they make (docs/architecture.md
// "Federation key").

export { CeremonyRunner, readShare, shareFile } from './ceremony-runner.ts';
export * from './constants.ts';
export { FederationError, type FederationErrorCode } from './errors.ts';
export { type FederationHost, groupOf, RootFederation } from './federation.ts';
export {
  decodeFrostMessage,
  encodeFrostMessage,
  type FrostMessage,
  type Job,
  jobId,
  requestId,
} from './messages.ts';
export { FederationSigner, type SignerFault, type SignerHost } from './signer.ts';
