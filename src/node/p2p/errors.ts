// Errors of the root's libp2p host and its rendezvous server. Each has a stable code and a
// message that says what to do next.

import { CodedError } from '../../base/index.ts';

export type P2PErrorCode =
  | 'P2P_INVALID_OPTIONS'
  | 'P2P_MESSAGE_TOO_LARGE'
  | 'P2P_NOT_STARTED'
  | 'RENDEZVOUS_REFUSED';

export class P2PError extends CodedError<P2PErrorCode> {}
