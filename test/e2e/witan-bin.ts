// The real `witan` binary for end-to-end tests: run it as a person would, in its own process,
// and collect its exit code and output. Every run is bounded in time.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
/** One command's longest run; a root that hangs a command fails the test instead. */
export const WITAN_RUN_TIMEOUT_MS = 60_000;

export type WitanRun = { code: number | null; stdout: string; stderr: string };

export function witan(...args: string[]): Promise<WitanRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), WITAN_RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `witan …args`, asserts it exits 0, and returns what it printed. */
export async function ok(...args: string[]): Promise<string> {
  const r = await witan(...args);
  assert.equal(r.code, 0, `witan ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
