// Benchmark harness. Every figure is a ratio against a baseline measured in the same run
// on the same machine (raw LevelDB, raw SHA-256, nginx, raw TCP, node:crypto), because
// absolute numbers from a shared 2-core machine say little on their own.
// Results land in bench/RESULTS.md, one section per benchmark, replaced in place
// (src/sim/results.ts writes them; the simulator records its campaigns there too).

import { readdirSync, readFileSync } from 'node:fs';
import type { Figure } from '../../src/sim/results.ts';

export type { BenchResult, Figure } from '../../src/sim/results.ts';

export function ratioFigure(
  name: string,
  value: number,
  unit: string,
  baseline: string,
  baselineValue: number,
  goal?: { atLeast?: number; atMost?: number },
): Figure {
  const ratio = value / baselineValue;
  const figure: Figure = { name, value, unit, baseline, baselineValue, ratio };
  if (goal?.atLeast !== undefined) {
    figure.goal = `≥ ${goal.atLeast}`;
    figure.met = ratio >= goal.atLeast;
  }
  if (goal?.atMost !== undefined) {
    figure.goal = `≤ ${goal.atMost}`;
    figure.met = ratio <= goal.atMost;
  }
  return figure;
}

/** Runs fn repeatedly until minMs has elapsed (at least once); returns operations per second. */
export async function opsPerSecond(fn: () => Promise<number> | number, minMs: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    ops += await fn();
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return (ops * 1000) / elapsed;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * A size given in the environment variable `name` (a whole number ≥ 1), for a machine where the
 * benchmark's own size does not fit in the time at hand; else undefined. The figures then say
 * the goal was not met in size.
 */
export function sizeOverride(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, not "${raw}"`);
  return n;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ on Linux). */
const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system) in ms of a /proc stat file (a process's or one of its threads'). */
function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S; // utime, stime
}

/** CPU time (user + system) process `pid` used so far, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * Bytes process `pid` has written so far, from /proc/<pid>/io: `all` through write syscalls of
 * any kind (sockets, pipes, files), `disk` what it caused to be sent to storage.
 */
export function processWrites(pid: number): { all: number; disk: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
  return { all: field('wchar'), disk: field('write_bytes') };
}

/**
 * CPU time (user + system) the threads of process `pid` used so far, in ms, summed by thread
 * name (Node's: MainThread, V8Worker for V8's garbage collection and compiling, libuv-worker).
 * A thread that ended since an earlier reading is missing from this one.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      byName.set(name, (byName.get(name) ?? 0) + statCpuMs(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName;
}

/** The processes `pid` started that are still running (an nginx master's workers). */
export function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}
