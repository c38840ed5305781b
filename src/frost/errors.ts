// One error class for the federation key: DKG packages, signing requests and shares. When a
// specific participant caused the failure, `participant` names it: that is evidence against it.

import { CodedError } from '../base/index.ts';

export type FrostErrorCode =
  /** A package, commitment or share from (or to) someone who is not a participant of this key. */
  | 'NOT_A_PARTICIPANT'
  /** A DKG share that does not decrypt or does not match its sender's commitment, or a signature share that does not verify. */
  | 'BAD_SHARE'
  /** A round-1 proof of knowledge that does not verify: the sender does not know its secret (rogue key). */
  | 'BAD_PROOF'
  /** A nonce commitment used before: signing with it again would leak the signing share. */
  | 'NONCE_REUSED'
  /** A nonce commitment this member never prepared (or dropped at a restart): ask for a fresh one. */
  | 'UNKNOWN_COMMITMENT'
  /** A threshold out of 2..n, a commitment vector of the wrong length, or a signing set of the wrong size. */
  | 'WRONG_THRESHOLD'
  /** A package that does not have the expected shape or encodings. Fix the sender. */
  | 'MALFORMED_PACKAGE'
  /** A package of another DKG session. */
  | 'WRONG_SESSION'
  /** Two packages from the same participant, or two commitments for the same signer. */
  | 'DUPLICATE_PACKAGE'
  /** A participant's package is missing: wait for it or restart the ceremony without that member. */
  | 'MISSING_PACKAGE'
  /** A DKG step called out of order, or twice. */
  | 'OUT_OF_ORDER'
  /** More prepared nonces or pooled commitments than the bound allows. */
  | 'TOO_MANY_NONCES';

export class FrostError extends CodedError<FrostErrorCode> {
  /** The participant at fault, when one is. */
  readonly participant: string | undefined;
  constructor(code: FrostErrorCode, message: string, participant?: string) {
    super(code, message);
    this.participant = participant;
  }
}
