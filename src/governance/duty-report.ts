// Reading a duty report's observations from untrusted JSON (charter §21): one per member,
// sorted by name, never the author, every duty's counts present and consistent. The counts are
// bounded so that the verdicts' products (counts × fraction denominators) stay exact.

import { MEMBERS_MAX } from './constants.ts';
import { parseName } from './model.ts';
import { DUTIES } from './policy.ts';
import { int, list, record, ShapeError } from './shape.ts';
import type { Observation, ProbeCount } from './statement-types.ts';

/**
 * Probes of one duty towards one root in one epoch. A root probing every few seconds over the
 * longest epoch (30 days) stays far below; counts × 1000 stay exact integers.
 */
export const DUTY_PROBES_PER_EPOCH_MAX = 1_000_000;

function probeCount(x: unknown, path: string): ProbeCount {
  const o = record(x, path, ['attempted', 'succeeded']);
  const attempted = int(o.attempted, `${path}.attempted`, 0, DUTY_PROBES_PER_EPOCH_MAX);
  const succeeded = int(o.succeeded, `${path}.succeeded`, 0, attempted);
  return { attempted, succeeded };
}

/** The observations of a report by `author`. Throws ShapeError naming the field. */
export function parseObservations(x: unknown, path: string, author: string): Observation[] {
  const out = list(x, path, 0, MEMBERS_MAX - 1).map((item, i) => {
    const at = `${path}[${i}]`;
    const o = record(item, at, ['member', ...DUTIES]);
    const member = parseName(o.member, `${at}.member`);
    if (member === author) throw new ShapeError(`${at}: a root does not report on itself`);
    return {
      member,
      http: probeCount(o.http, `${at}.http`),
      p2p: probeCount(o.p2p, `${at}.p2p`),
      relay: probeCount(o.relay, `${at}.relay`),
      rendezvous: probeCount(o.rendezvous, `${at}.rendezvous`),
    };
  });
  for (let i = 1; i < out.length; i++) {
    if (!(out[i - 1]!.member < out[i]!.member))
      throw new ShapeError(`${path} must be sorted by member with no member twice`);
  }
  return out;
}
