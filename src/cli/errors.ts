// How the `witan` command fails: every error a person can cause or fix is a CliError (or a
// typed error from a module below) with a message that says what happened and what to do.
// Exit codes are part of the interface (README "Exit codes"); scripts depend on them.

export const EXIT_OK = 0;
/** What was checked is wrong: a statement rejected by the rules, a verification that failed. */
export const EXIT_REJECTED = 1;
/** Could not complete: a root unreachable, a timeout, a server error. */
export const EXIT_UNAVAILABLE = 2;
/** Bad usage or input: a wrong argument, an unreadable or malformed file, a wrong passphrase. */
export const EXIT_USAGE = 3;
/** Local state refuses: the data folder is locked by a running root, or a file already exists. */
export const EXIT_STATE = 4;

export class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function usage(message: string): CliError {
  return new CliError(EXIT_USAGE, message);
}
