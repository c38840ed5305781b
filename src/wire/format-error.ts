// The one error of the wire formats: bytes from the network that do not parse as the format
// says. Its code names the format, so a caller can tell a bad frame from a bad message.

export type WireFormatErrorCode =
  | 'FRAME_MALFORMED'
  | 'FRAME_TOO_LARGE'
  | 'RENDEZVOUS_MALFORMED'
  | 'CIRCUIT_MALFORMED'
  | 'AUTONAT_MALFORMED';

export class WireFormatError extends Error {
  readonly code: WireFormatErrorCode;
  constructor(code: WireFormatErrorCode, message: string) {
    super(message);
    this.name = 'WireFormatError';
    this.code = code;
  }
}
