// Temporary folders for tests: one under the OS temp folder per call, removed when the test
// (or the test file, when made at its top level) ends. WITAN_KEEP_TEST_DIR=1 keeps them, with
// their root.log files, for a post-mortem.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export const KEEP_TEST_DIR_ENV = 'WITAN_KEEP_TEST_DIR';

/** Removes a test folder, or names it when the environment asks to keep it. */
export function removeDir(dir: string): void {
  if (process.env[KEEP_TEST_DIR_ENV] === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}

/** A fresh folder `witan-<prefix>-XXXXXX` that the caller removes (removeDir) when done with it. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `witan-${prefix}-`));
}

/**
 * A fresh folder `witan-<prefix>-XXXXXX`, removed after the test that made it, or after the
 * whole file when made at its top level. Not from inside a before hook: node:test runs an
 * `after` made there as soon as that hook ends.
 */
export function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix);
  after(() => removeDir(dir));
  return dir;
}
