export type CryptoErrorCode = 'BAD_KEY' | 'BAD_SIGNATURE' | 'BAD_LENGTH';

/** A key or signature that cannot be used. Say which input was wrong; never include secrets. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}
