// The simulator's application: a deterministic stand-in for the root's ledger and governance.
// Governance executeBatch is not in src/governance yet, so a value here is the canonical bytes of
// { height, proposer, timeMs, statements } with statements named "st-<k>". A value is valid at a
// height when it decodes canonically, names that height, and carries 1..batchMax known statements,
// none of them committed before — a pure function of the ledger up to height-1, exactly like the
// root's re-execution rule. A fresh proposal must also be timely, as at a root: its timeMs near
// the virtual clock.

import { canonicalBytes, decodeCanonical } from '../codec/index.ts';
import type { Decision } from '../consensus/index.ts';

export const STATEMENT_PATTERN = /^st-(0|[1-9][0-9]{0,8})$/;
/**
 * A fresh proposal's batch time may be this far from a root's clock, either way: the root's
 * bound (BATCH_TIME_SKEW_MS_MAX in src/node/batch-app.ts), in virtual time.
 */
export const SIM_BATCH_TIME_SKEW_MS_MAX = 30_000;

export class SimApp {
  readonly committed: Decision[] = [];
  readonly committedStatements = new Set<string>();
  readonly mempool = new Set<string>();
  readonly batchMax: number;
  readonly knownMax: number;

  constructor(batchMax: number, knownMax: number) {
    this.batchMax = batchMax;
    this.knownMax = knownMax;
  }

  /** The height the app expects next. */
  get nextHeight(): number {
    return this.committed.length + 1;
  }

  isValid(height: number, bytes: Uint8Array): boolean {
    if (height !== this.nextHeight) return false;
    let x: unknown;
    try {
      x = decodeCanonical(bytes, { bytesMax: 64 * 1024, depthMax: 4 });
    } catch {
      return false;
    }
    if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
    const o = x as Record<string, unknown>;
    if (Object.keys(o).sort().join(',') !== 'height,proposer,statements,timeMs') return false;
    if (o.height !== height || !Array.isArray(o.statements)) return false;
    const list = o.statements as unknown[];
    if (list.length === 0 || list.length > this.batchMax) return false;
    const seen = new Set<string>();
    for (const s of list) {
      if (typeof s !== 'string' || !STATEMENT_PATTERN.test(s)) return false;
      if (Number(s.slice(3)) >= this.knownMax || seen.has(s) || this.committedStatements.has(s)) return false;
      seen.add(s);
    }
    return true;
  }

  /** Whether a fresh proposal's batch time is within SIM_BATCH_TIME_SKEW_MS_MAX of `nowMs` (CoreConfig.isTimely). */
  isTimely(bytes: Uint8Array, nowMs: number): boolean {
    let timeMs: unknown;
    try {
      timeMs = (decodeCanonical(bytes, { bytesMax: 64 * 1024, depthMax: 4 }) as { timeMs?: unknown }).timeMs;
    } catch {
      return false;
    }
    return typeof timeMs === 'number' && Math.abs(timeMs - nowMs) <= SIM_BATCH_TIME_SKEW_MS_MAX;
  }

  /** A batch of pending statements for this height, or undefined when idle. */
  proposeValue(height: number, proposer: number, timeMs: number): Uint8Array | undefined {
    const pending = [...this.mempool].filter((s) => !this.committedStatements.has(s));
    if (pending.length === 0) return undefined;
    pending.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    return canonicalBytes({
      height,
      proposer,
      timeMs: Math.floor(timeMs),
      statements: pending.slice(0, this.batchMax),
    });
  }

  apply(d: Decision): void {
    const o = decodeCanonical(d.value) as { statements: string[] };
    this.committed.push(d);
    for (const s of o.statements) {
      this.committedStatements.add(s);
      this.mempool.delete(s);
    }
  }
}

/** A value that no honest root accepts, for the 'invalid-values' Byzantine behaviour. */
export function invalidValue(height: number, proposer: number, timeMs: number): Uint8Array {
  return canonicalBytes({ height, proposer, timeMs: Math.floor(timeMs), statements: ['bogus'] });
}
