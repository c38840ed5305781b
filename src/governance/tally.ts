// Counting ballots (charter §7): a motion passes when yes-ballots from the voting members of
// its parent world are MORE than the threshold share of ALL those members — approvalThreshold,
// or policyChangeThreshold when the motion changes the policy. A member the motion removes
// cannot vote on it (its ballot does not count) but stays in the denominator: shrinking the
// denominator would let a coalition below the threshold remove honest members until it is
// above it (e.g. 3 of 5 removing one of the other two, then holding 3 of 4). Probation and
// suspended members never count. Exact integer arithmetic.

import { removalTargets } from './changes.ts';
import type { World } from './model.ts';
import type { Fraction } from './policy.ts';
import type { OpenMotion } from './state.ts';

export interface Tally {
  yes: number;
  no: number;
  abstain: number;
  /** Voting members of the parent world: the denominator. */
  voting: number;
  /** Those of them whose ballot counts (not removed by this motion). */
  eligible: number;
  threshold: Fraction;
  /** Smallest number of yes-ballots that passes: floor(num·voting/den) + 1. */
  needed: number;
  passes: boolean;
}

export function tally(motion: Pick<OpenMotion, 'changes' | 'ballots'>, parent: World): Tally {
  const removed = removalTargets(motion.changes);
  const voting = parent.members.filter((m) => m.status === 'voting').map((m) => m.name);
  const eligible = new Set(voting.filter((name) => !removed.has(name)));
  const threshold = motion.changes.some((c) => c.type === 'change-policy')
    ? parent.policy.policyChangeThreshold
    : parent.policy.approvalThreshold;
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const [name, ballot] of Object.entries(motion.ballots))
    if (eligible.has(name)) counts[ballot.choice]++;
  const needed = Math.floor((threshold.num * voting.length) / threshold.den) + 1;
  const passes = voting.length > 0 && counts.yes * threshold.den > threshold.num * voting.length;
  return { ...counts, voting: voting.length, eligible: eligible.size, threshold, needed, passes };
}
