// The simulator's application: a deterministic stand-in for the root's ledger and governance.
// Governance executeBatch is not in src/governance yet, so a value here is the canonical bytes of
// { height, proposer, timeMs, statements } with statements named "st-<k>". A value is valid at a
// height when it decodes canonically, names that height, and carries 1..batchMax known statements,
// none of them committed before — a pure function of the ledger up to height-1, exactly like the
// root's re-execution rule.

import { canonicalBytes, decodeCanonical } from '../codec/index.ts';
import type { Decision } from '../consensus/index.ts';

export const STATEMENT_PATTERN = /^st-(0|[1-9][0-9]{0,8})$/;

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
