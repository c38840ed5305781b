import { CodedError } from '../base/index.ts';

export type CryptoErrorCode = 'BAD_KEY' | 'BAD_SIGNATURE' | 'BAD_LENGTH';

/** A key or signature that cannot be used. Say which input was wrong; never include secrets. */
export class CryptoError extends CodedError<CryptoErrorCode> {}

export type NoteErrorCode =
  /** Not a signed note: encoding, layout, a signature line, a key name. Fix the sender. */
  | 'MALFORMED_NOTE'
  /** More bytes or signature lines than NOTE_BYTES_MAX / NOTE_SIGNATURES_MAX. */
  | 'TOO_LARGE'
  /** A signature by a key we know failed to verify: the note is forged or corrupted. */
  | 'BAD_SIGNATURE'
  /** No signature by a known key: we cannot trust the text. */
  | 'UNVERIFIED'
  /** A verifier key string (vkey) that does not parse or whose key ID does not match. */
  | 'BAD_VKEY'
  /** Two verifiers share a name and key ID: the trust configuration is wrong. */
  | 'AMBIGUOUS_KEY';

/** A signed note (C2SP signed-note / tlog-cosignature) that cannot be accepted. */
export class NoteError extends CodedError<NoteErrorCode> {}

export type KeyFileErrorCode =
  /** Mode allows group or other access: run `chmod 600 <path>`. */
  | 'INSECURE_PERMISSIONS'
  /** Refusing to replace an existing key file. */
  | 'EXISTS'
  /** Not a Witan key file, or a damaged one. */
  | 'MALFORMED'
  /** The file is encrypted and no passphrase was given. */
  | 'PASSPHRASE_REQUIRED'
  /** The passphrase does not open the file (or the file was altered). */
  | 'WRONG_PASSPHRASE';

/** A key file that cannot be written or read. The message says what to do. Never contains secrets. */
export class KeyFileError extends CodedError<KeyFileErrorCode> {
  readonly path: string;
  constructor(code: KeyFileErrorCode, path: string, message: string) {
    super(code, message);
    this.path = path;
  }
}
