// One place maps error codes to HTTP statuses, so every route answers the same failure the
// same way. Bodies are always { code, message }: a stable code for scripts, a sentence for
// people.

import { CodedError } from '../base/index.ts';

export class ApiError extends CodedError {
  readonly statusCode: number;
  constructor(statusCode: number, code: string, message: string) {
    super(code, message);
    this.statusCode = statusCode;
  }
}

/** Codes raised by the cores, and the status each means at the HTTP edge. */
const STATUS_BY_CODE: Record<string, number> = {
  // codec
  INVALID_UTF8: 400,
  INVALID_JSON: 400,
  NON_CANONICAL: 400,
  TOO_LARGE: 413,
  TOO_DEEP: 400,
  UNSUPPORTED_VALUE: 400,
  BAD_ENCODING: 400,
  // wire formats
  BAD_VOTE: 400,
  BAD_ADD_CHECKPOINT: 400,
  // ledger
  INDEX_OUT_OF_RANGE: 404,
  BAD_TILE_PATH: 400,
  ENTRY_TOO_LARGE: 413,
  // node
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
};

/** Status for an error thrown by a route: typed errors by code, rule rejections as 422. */
export function statusFor(err: { code?: unknown; statusCode?: unknown }): number {
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600)
    return err.statusCode;
  if (typeof err.code === 'string' && err.code in STATUS_BY_CODE) return STATUS_BY_CODE[err.code]!;
  return 500;
}
