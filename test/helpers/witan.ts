// The real `witan` binary, run as a user would run it: one process per command, its output
// captured, every run bounded in time.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.ts';

export const WITAN_BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
/** A one-shot command that has not finished by then is killed (and its result says so). */
export const COMMAND_TIMEOUT_MS = 60_000;
/** After the stop signal, a long-running command has this long to exit before SIGKILL. */
export const STOP_TIMEOUT_MS = 15_000;

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `witan <args>` to completion (this checkout's, or the command at `o.bin`). */
export function runWitan(
  args: string[],
  o: { timeoutMs?: number; bin?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [o.bin ?? WITAN_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `witan …args` to completion, as a person types it. */
export function witan(...args: string[]): Promise<CommandResult> {
  return runWitan(args);
}

/** Runs `witan …args`, asserts it exits 0, and returns what it printed. */
export async function ok(...args: string[]): Promise<string> {
  const r = await runWitan(args);
  assert.equal(r.code, 0, `witan ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface RunningWitan {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the output once `pattern` appears in it; fails if the command exits first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal` and waits for the exit; SIGKILL (and null) if it takes longer than STOP_TIMEOUT_MS. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
}

/** Starts a long-running `witan <args>` (devnet) in the background (this checkout's, or `o.bin`). */
export function startWitan(args: string[], o: { bin?: string } = {}): RunningWitan {
  const child = spawn(process.execPath, [o.bin ?? WITAN_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    exited,
    async waitForOutput(pattern, timeoutMs) {
      const seen = await waitUntil(
        `${pattern} in the output of witan ${args.join(' ')}`,
        () => ({ matched: pattern.test(out), running: running(), tail: out.slice(-400) }),
        { until: (s) => s.matched || !s.running, timeoutMs, intervalMs: 100 },
      );
      if (!seen.matched) throw new Error(`witan ${args.join(' ')} exited before ${pattern}:\n${out}`);
      return out;
    },
    async stop(signal) {
      if (running()) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        exited,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (stopped === null) child.kill('SIGKILL');
      return stopped;
    },
  };
}
