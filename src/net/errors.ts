// Errors of the HTTP client. The code says what went wrong in a way a caller can act on: try
// again (UNREACHABLE, TIMEOUT), try another root or report it (the rest), or fix the request
// (BAD_URL, HTTP_STATUS with a 4xx status). The message names the URL and what to do.

import { CodedError } from '../base/index.ts';

export type NetErrorCode =
  | 'BAD_URL' // not an http(s) URL: the caller's input is wrong
  | 'UNREACHABLE' // no connection, or the connection was lost mid-answer
  | 'TIMEOUT' // no connection within the connect timeout, or no whole answer within the request timeout
  | 'ABORTED' // the caller's AbortSignal fired
  | 'TOO_LARGE' // the answer is larger than the caller can use (declared or sent)
  | 'REDIRECT' // a 3xx: redirects are not followed
  | 'HTTP_STATUS' // any other status outside 2xx; `status` and, when sent, `problem`
  | 'MALFORMED_RESPONSE' // broken HTTP framing, or text that is not UTF-8
  | 'MALFORMED_JSON' // a body that should be JSON and is not, or not of the expected shape
  | 'ADDRESS_REFUSED'; // the host is, or resolves to, an address the caller does not connect to

/** The `{ code, message }` body a server sends with an error status. */
export type Problem = { code: string | undefined; message: string };

export type NetErrorDetails = {
  url: string;
  status?: number;
  problem?: Problem;
  body?: string;
  reason?: string;
  cause?: unknown;
};

export class NetError extends CodedError<NetErrorCode> {
  readonly url: string;
  /** The HTTP status, for HTTP_STATUS and REDIRECT. */
  readonly status: number | undefined;
  /** The server's problem body, for HTTP_STATUS when it sent one. */
  readonly problem: Problem | undefined;
  /** The start of the error answer's body (at most ERROR_BODY_CHARS_MAX characters), for HTTP_STATUS. */
  readonly body: string | undefined;
  /** The system's reason for UNREACHABLE (ECONNREFUSED, ENOTFOUND, …) or the redirect target. */
  readonly reason: string | undefined;

  constructor(code: NetErrorCode, message: string, details: NetErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.problem = details.problem;
    this.body = details.body;
    this.reason = details.reason;
  }
}
