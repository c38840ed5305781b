// How the `witan` command fails: every error a person can cause or fix is a CliError (or a
// typed error from a module below) with a message that says what happened and what to do.
// Exit codes are part of the interface (README "Exit codes"); scripts depend on them.
// exit-codes.ts is the one place where an error becomes one.

import { CodedError } from '../base/index.ts';

export const EXIT_OK = 0;
/** What was checked is wrong: a statement rejected by the rules, a verification that failed. */
export const EXIT_REJECTED = 1;
/** Could not complete: a root unreachable, a timeout, a server error. */
export const EXIT_UNAVAILABLE = 2;
/** Bad usage or input: a wrong argument, an unreadable or malformed file, a wrong passphrase. */
export const EXIT_USAGE = 3;
/** Local state refuses: the data folder is locked, damaged or another federation's, a file exists. */
export const EXIT_STATE = 4;
/** `witan status`: the root commits, but something is off (a validator unreachable, rounds climbing). */
export const EXIT_DEGRADED = 5;
/** `witan status`: the root is catching up with its peers. */
export const EXIT_BEHIND = 6;
/** `witan status`: nothing commits (no quorum reachable, or statements wait past the stall bound). */
export const EXIT_STALLED = 7;
/** A bug: anything no module turned into a typed error. The only exit with a stack trace. */
export const EXIT_BUG = 70;

/** The exit codes a CliError may carry (a bug is never thrown on purpose). */
export type CliExitCode =
  | typeof EXIT_REJECTED
  | typeof EXIT_UNAVAILABLE
  | typeof EXIT_USAGE
  | typeof EXIT_STATE;

export type CliErrorCode = 'REJECTED' | 'UNAVAILABLE' | 'BAD_USAGE' | 'STATE_REFUSES';

const CODE_OF_EXIT: Record<CliExitCode, CliErrorCode> = {
  [EXIT_REJECTED]: 'REJECTED',
  [EXIT_UNAVAILABLE]: 'UNAVAILABLE',
  [EXIT_USAGE]: 'BAD_USAGE',
  [EXIT_STATE]: 'STATE_REFUSES',
};

/** A failure of the command itself, thrown with the exit code it means. */
export class CliError extends CodedError<CliErrorCode> {
  readonly exitCode: CliExitCode;
  constructor(exitCode: CliExitCode, message: string) {
    super(CODE_OF_EXIT[exitCode], message);
    this.exitCode = exitCode;
  }
}

export function usage(message: string): CliError {
  return new CliError(EXIT_USAGE, message);
}
