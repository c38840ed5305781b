// Counting ballots (charter §7): a motion passes when yes-ballots from the voting members of
// its parent world, not counting members the motion removes, are MORE than the threshold
// share of those members — approvalThreshold, or policyChangeThreshold when the motion
// changes the policy. Probation and suspended members never count. Exact integer arithmetic.

import { removalTargets } from './changes.ts';
import type { World } from './model.ts';
import type { Fraction } from './policy.ts';
import type { OpenMotion } from './state.ts';

export interface Tally {
  yes: number;
  no: number;
  abstain: number;
  /** Voting members of the parent world whose ballot counts. */
  eligible: number;
  threshold: Fraction;
  /** Smallest number of yes-ballots that passes: floor(num·eligible/den) + 1. */
  needed: number;
  passes: boolean;
}

export function tally(motion: Pick<OpenMotion, 'changes' | 'ballots'>, parent: World): Tally {
  const removed = removalTargets(motion.changes);
  const eligible = new Set(
    parent.members.filter((m) => m.status === 'voting' && !removed.has(m.name)).map((m) => m.name),
  );
  const threshold = motion.changes.some((c) => c.type === 'change-policy')
    ? parent.policy.policyChangeThreshold
    : parent.policy.approvalThreshold;
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const [name, ballot] of Object.entries(motion.ballots))
    if (eligible.has(name)) counts[ballot.choice]++;
  const needed = Math.floor((threshold.num * eligible.size) / threshold.den) + 1;
  const passes = eligible.size > 0 && counts.yes * threshold.den > threshold.num * eligible.size;
  return { ...counts, eligible: eligible.size, threshold, needed, passes };
}
