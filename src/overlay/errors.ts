// Errors of the overlay peer's use of roots (relay reservations, rendezvous). Each has a stable
// code and says what to do next; RENDEZVOUS_REFUSED carries the spec's response status.

export type OverlayErrorCode =
  | 'RENDEZVOUS_REFUSED'
  | 'RENDEZVOUS_PROTOCOL'
  | 'RELAY_UNAVAILABLE'
  | 'PEER_NOT_FOUND'
  | 'OVERLAY_INVALID_OPTIONS';

export class OverlayError extends Error {
  readonly code: OverlayErrorCode;
  /** The rendezvous ResponseStatus, for RENDEZVOUS_REFUSED. */
  readonly status: number | undefined;
  constructor(code: OverlayErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'OverlayError';
    this.code = code;
    this.status = status;
  }
}
