// Output helpers: plain words for people (fits 80 columns), stable JSON for scripts, and the
// wrapper every command's action runs in, which turns an error into one line and its exit code.

import { EXIT_BUG } from './errors.ts';
import { exitCodeFor } from './exit-codes.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A warning for people: on stderr, so scripts reading stdout (--json) are not disturbed. */
export function warn(line: string, command = 'witan'): void {
  process.stderr.write(`${command}: warning: ${line}\n`);
}

/** "key: value" lines with the keys padded to one column. */
export function printFields(fields: [string, string | number][]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) say(`${`${k}:`.padEnd(width + 1)} ${v}`);
}

/**
 * Runs a command's action. A typed error prints one line (`<command>: <message>`) and exits
 * with the code exitCodeFor gives it; anything else is a bug and keeps its stack (exit 70).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void> | void,
  command = 'witan',
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const code = exitCodeFor(err);
      if (code === EXIT_BUG) {
        process.stderr.write(
          `${command}: unexpected error (a bug; please report it):\n${(err as Error)?.stack ?? err}\n`,
        );
      } else {
        process.stderr.write(`${command}: ${(err as Error).message}\n`);
      }
      process.exitCode = code;
    }
  };
}
