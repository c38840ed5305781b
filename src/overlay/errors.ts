// Errors of the overlay peer's use of roots (relay reservations, rendezvous). Each has a stable
// code and says what to do next; RENDEZVOUS_REFUSED carries the spec's response status.

import { CodedError } from '../base/index.ts';

export type OverlayErrorCode =
  | 'RENDEZVOUS_REFUSED'
  | 'RENDEZVOUS_PROTOCOL'
  | 'RELAY_UNAVAILABLE'
  | 'PEER_NOT_FOUND'
  | 'OVERLAY_INVALID_OPTIONS';

export class OverlayError extends CodedError<OverlayErrorCode> {
  /** The rendezvous ResponseStatus, for RENDEZVOUS_REFUSED. */
  readonly status: number | undefined;
  constructor(code: OverlayErrorCode, message: string, status?: number) {
    super(code, message);
    this.status = status;
  }
}
