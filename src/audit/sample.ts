// Which entry bundles of a root the audit reads when it cannot afford all of them: a uniform
// random sample without replacement, drawn from a seed so that a run can be repeated exactly
// (the seed is in the report), and a different sample per root (the root's URL is mixed in),
// so that what one root learns of the sample says nothing about another's. The probability
// that a sample catches a root that altered some of its bundles is computed here too.

import { utf8Bytes } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import { AuditError } from './errors.ts';

/** Bytes of a seed: 128 bits, so that a root cannot guess the sample before it is asked. */
export const SEED_BYTES = 16;

/** Uniform integers in [0, bound) from SHA-256(seed ‖ label ‖ counter), by rejection of the top values. */
function randomInts(seed: Uint8Array, label: string): (bound: number) => number {
  const prefix = utf8Bytes(`witan-audit-sample/v1\n${label}\n`);
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  let offset = 0;
  const next48 = (): number => {
    if (offset + 6 > pool.length) {
      const c = new Uint8Array(8);
      new DataView(c.buffer).setBigUint64(0, BigInt(counter++));
      pool = sha256(seed, prefix, c);
      offset = 0;
    }
    let v = 0;
    for (let i = 0; i < 6; i++) v = v * 256 + pool[offset + i]!;
    offset += 6;
    return v;
  };
  const RANGE = 2 ** 48;
  return (bound) => {
    const limit = RANGE - (RANGE % bound);
    for (;;) {
      const v = next48();
      if (v < limit) return v % bound;
    }
  };
}

/**
 * `count` distinct indexes of [0, total), sorted, uniformly at random given `seed` and `label`
 * (a partial Fisher–Yates shuffle over a sparse map: O(count) time and memory).
 */
export function sampleIndexes(total: number, count: number, seed: Uint8Array, label: string): number[] {
  if (!Number.isSafeInteger(total) || total < 0 || !Number.isSafeInteger(count) || count < 0)
    throw new AuditError('BAD_ARGUMENT', 'a sample needs a whole number of items and draws');
  if (seed.length !== SEED_BYTES)
    throw new AuditError('BAD_ARGUMENT', `a sample seed is ${SEED_BYTES} bytes`);
  const k = Math.min(count, total);
  const next = randomInts(seed, label);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + next(total - i);
    const at = (x: number) => swapped.get(x) ?? x;
    const picked = at(j);
    swapped.set(j, at(i));
    out.push(picked);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The probability that `checked` bundles drawn uniformly without replacement from `total`
 * include at least one of `altered` bundles: 1 − C(total − altered, checked) / C(total, checked).
 * For one altered bundle it is checked / total, the least over every altered ≥ 1: the figure
 * the report states.
 */
export function detectionProbability(total: number, checked: number, altered = 1): number {
  if (altered <= 0 || total <= 0) return 0;
  if (checked >= total || altered > total - checked) return 1;
  if (altered === 1) return checked / total;
  let missed = 1;
  for (let i = 0; i < checked; i++) missed *= (total - altered - i) / (total - i);
  return 1 - missed;
}
