// Errors of the root's libp2p host and its rendezvous server. Each has a stable code and a
// message that says what to do next.

export type P2PErrorCode =
  | 'P2P_INVALID_OPTIONS'
  | 'P2P_MESSAGE_TOO_LARGE'
  | 'P2P_NOT_STARTED'
  | 'RENDEZVOUS_REFUSED';

export class P2PError extends Error {
  readonly code: P2PErrorCode;
  constructor(code: P2PErrorCode, message: string) {
    super(message);
    this.name = 'P2PError';
    this.code = code;
  }
}
