import { CodedError } from '../base/index.ts';

export type CodecErrorCode =
  | 'INVALID_UTF8'
  | 'INVALID_JSON'
  | 'NON_CANONICAL'
  | 'TOO_LARGE'
  | 'TOO_DEEP'
  | 'UNSUPPORTED_VALUE'
  | 'BAD_ENCODING';

/** Input that is not the one canonical encoding we sign and hash. Never retried: fix the sender. */
export class CodecError extends CodedError<CodecErrorCode> {}
