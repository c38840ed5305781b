// Counting ballots (charter §7): a motion passes when yes-ballots from the voting members of
// its parent world are MORE than the threshold share of ALL those members — approvalThreshold,
// or policyChangeThreshold when the motion changes the policy. A member the motion removes
// cannot vote on it (its ballot does not count) but stays in the denominator: shrinking the
// denominator would let a coalition below the threshold remove honest members until it is
// above it (e.g. 3 of 5 removing one of the other two, then holding 3 of 4). Probation and
// suspended members never count. A motion that changes the policy counts only SEASONED voting
// members (charter §13): voting for at least seasoningPeriodMs at the batch time, for and in
// the denominator — so a coalition at the approval threshold cannot lift itself over the
// policy-change threshold with members it admitted itself (at most one an epoch, each out of
// probation only a month later), for a year after each. Exact integer arithmetic.

import { removalTargets } from './changes.ts';
import type { Member, World } from './model.ts';
import { type Fraction, type Policy, seasoningPeriodOf } from './policy.ts';
import type { OpenMotion } from './state.ts';

export interface Tally {
  yes: number;
  no: number;
  abstain: number;
  /** Voting members of the parent world (seasoned ones, for a policy change): the denominator. */
  voting: number;
  /** Those of them whose ballot counts (not removed by this motion). */
  eligible: number;
  threshold: Fraction;
  /** Smallest number of yes-ballots that passes: floor(num·voting/den) + 1. */
  needed: number;
  passes: boolean;
}

/** Does this motion change the policy (policy-change threshold, seasoned members only)? */
export function changesPolicy(motion: Pick<OpenMotion, 'changes'>): boolean {
  return motion.changes.some((c) => c.type === 'change-policy');
}

/** Is this voting member seasoned at timeMs (charter §13)? */
export function isSeasoned(member: Member, policy: Policy, timeMs: number): boolean {
  return member.status === 'voting' && member.since + seasoningPeriodOf(policy) <= timeMs;
}

/**
 * The tally of a motion against its parent world at batch time `timeMs`. The rules always
 * pass the batch time; without it (a display with no ledger time) seasoning is not applied.
 */
export function tally(
  motion: Pick<OpenMotion, 'changes' | 'ballots'>,
  parent: World,
  timeMs?: number,
): Tally {
  const removed = removalTargets(motion.changes);
  const policyChange = changesPolicy(motion);
  const voting = parent.members
    .filter((m) =>
      policyChange && timeMs !== undefined ? isSeasoned(m, parent.policy, timeMs) : m.status === 'voting',
    )
    .map((m) => m.name);
  const eligible = new Set(voting.filter((name) => !removed.has(name)));
  const threshold = policyChange ? parent.policy.policyChangeThreshold : parent.policy.approvalThreshold;
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const [name, ballot] of Object.entries(motion.ballots))
    if (eligible.has(name)) counts[ballot.choice]++;
  const needed = Math.floor((threshold.num * voting.length) / threshold.den) + 1;
  const passes = voting.length > 0 && counts.yes * threshold.den > threshold.num * voting.length;
  return { ...counts, voting: voting.length, eligible: eligible.size, threshold, needed, passes };
}
