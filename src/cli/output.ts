// Output helpers: plain words for people (fits 80 columns), stable JSON for scripts, and the
// one place where errors become a message and an exit code.

import { CodecError } from '../codec/index.ts';
import { CryptoError, KeyFileError, NoteError } from '../crypto/index.ts';
import { LedgerError } from '../ledger/index.ts';
import { NetError } from '../net/index.ts';
import { NodeError } from '../node/errors.ts';
import { CliError, EXIT_REJECTED, EXIT_STATE, EXIT_UNAVAILABLE, EXIT_USAGE } from './errors.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** "key: value" lines with the keys padded to one column. */
export function printFields(fields: [string, string | number][]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) say(`${`${k}:`.padEnd(width + 1)} ${v}`);
}

/** Maps a thrown error to an exit code; anything unexpected is a bug and keeps its stack. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof NodeError) return err.code === 'DATA_DIR_LOCKED' ? EXIT_STATE : EXIT_USAGE;
  if (err instanceof KeyFileError) return err.code === 'EXISTS' ? EXIT_STATE : EXIT_USAGE;
  if (err instanceof CodecError || err instanceof CryptoError || err instanceof NoteError) return EXIT_USAGE;
  if (err instanceof LedgerError) return EXIT_REJECTED;
  if (err instanceof NetError) return netExitCode(err);
  if (isUnavailable(err)) return EXIT_UNAVAILABLE;
  return -1;
}

/** A root refusing the request as sent (4xx but a timeout or rate limit) rejected it; else it was unavailable. */
function netExitCode(err: NetError): number {
  if (err.code === 'BAD_URL') return EXIT_USAGE;
  const status = err.status ?? 0;
  const refused =
    err.code === 'HTTP_STATUS' && status >= 400 && status < 500 && status !== 408 && status !== 429;
  return refused ? EXIT_REJECTED : EXIT_UNAVAILABLE;
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string; cause?: { code?: string } })?.cause?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

/** Runs a command's action; user errors print one line and exit with their code. */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const code = exitCodeFor(err);
      if (code < 0) {
        process.stderr.write(
          `witan: unexpected error (a bug; please report it):\n${(err as Error)?.stack ?? err}\n`,
        );
        process.exitCode = 70;
        return;
      }
      process.stderr.write(`witan: ${(err as Error).message}\n`);
      process.exitCode = code;
    }
  };
}
