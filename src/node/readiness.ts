// Whether a root is ready to serve, and the verdict `witan status` prints: pure, from a
// snapshot the root takes (health-monitor.ts). A root is ready when a quorum of the current
// validators is reachable (itself included), it is not catching up, and statements do not
// wait longer than the stall bound without a commit. The bound comes from the federation's
// policy: a twelfth of checkpointFreshnessMs, the time clients tolerate a stale checkpoint —
// 5 min by default, long enough for slow rounds across continents, short enough that an
// operator hears of a stall while clients still trust the world.

import type { Policy } from '../governance/index.ts';

export type Verdict = 'healthy' | 'degraded' | 'behind' | 'stalled';
export const VERDICTS: readonly Verdict[] = ['healthy', 'degraded', 'behind', 'stalled'];

export type ReasonCode =
  | 'QUORUM_UNREACHABLE'
  | 'STALLED'
  | 'CATCHING_UP'
  | 'VALIDATORS_UNREACHABLE'
  | 'ROUNDS_CLIMBING';

export interface Reason {
  code: ReasonCode;
  message: string;
}

export interface Health {
  verdict: Verdict;
  /** Healthy or degraded: this root commits with the others and serves what they serve. */
  ready: boolean;
  reasons: Reason[];
}

export interface HealthInput {
  /** Validators at the height being decided, by name. */
  validators: readonly string[];
  /** Those this root reaches now (itself included when it is one). */
  reachable: readonly string[];
  quorum: number;
  catchingUp: boolean;
  /** The consensus round at the current height. */
  round: number;
  /** Time since the last commit, or since nothing was waiting (ledger ms). */
  progressAgeMs: number;
  stallBoundMs: number;
}

/** The stall bound is a twelfth of the freshness window clients apply to checkpoints... */
export const STALL_FRESHNESS_DIVISOR = 12;
/** ...and never less than this: a federation needs a few rounds to commit. */
export const STALL_BOUND_MIN_MS = 10_000;
/** A height still undecided at this round is worth a warning (rounds 0 and 1 decide when all is well). */
export const ROUNDS_WARN_MIN = 3;

export function stallBoundMs(policy: Pick<Policy, 'checkpointFreshnessMs'>): number {
  return Math.max(STALL_BOUND_MIN_MS, Math.floor(policy.checkpointFreshnessMs / STALL_FRESHNESS_DIVISOR));
}

const SEVERITY: Record<Verdict, number> = { healthy: 0, degraded: 1, behind: 2, stalled: 3 };

export function assessHealth(i: HealthInput): Health {
  const reasons: Reason[] = [];
  let verdict: Verdict = 'healthy';
  const worse = (v: Verdict) => {
    if (SEVERITY[v] > SEVERITY[verdict]) verdict = v;
  };
  const missing = i.validators.filter((v) => !i.reachable.includes(v)).sort();
  if (i.reachable.length < i.quorum) {
    worse('stalled');
    reasons.push({
      code: 'QUORUM_UNREACHABLE',
      message: `${i.reachable.length} of ${i.validators.length} validators reachable, ${i.quorum} needed to commit (unreachable: ${missing.join(', ')})`,
    });
  } else if (missing.length > 0) {
    worse('degraded');
    reasons.push({
      code: 'VALIDATORS_UNREACHABLE',
      message: `unreachable: ${missing.join(', ')}; ${i.reachable.length} of ${i.validators.length} reachable, ${i.quorum} needed`,
    });
  }
  if (i.progressAgeMs > i.stallBoundMs) {
    worse('stalled');
    reasons.push({
      code: 'STALLED',
      message: `statements have waited ${seconds(i.progressAgeMs)} without a commit (bound ${seconds(i.stallBoundMs)}, from the policy's checkpointFreshnessMs)`,
    });
  }
  if (i.catchingUp) {
    worse('behind');
    reasons.push({ code: 'CATCHING_UP', message: 'catching up: fetching decided batches from peers' });
  }
  if (i.round >= ROUNDS_WARN_MIN) {
    worse('degraded');
    reasons.push({
      code: 'ROUNDS_CLIMBING',
      message: `round ${i.round} at the current height (rounds 0 and 1 decide when all is well)`,
    });
  }
  return { verdict, ready: SEVERITY[verdict] <= SEVERITY.degraded, reasons };
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
