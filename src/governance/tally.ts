// Counting ballots (charter §7): a motion passes when yes-ballots from the voting members of
// its parent world are MORE than the threshold share of ALL those members — approvalThreshold,
// policyChangeThreshold when the motion changes the policy, removalThreshold when it removes a
// member (the highest of the three; the removal one wins when a motion does both). A member the
// motion removes cannot vote on it (its ballot does not count) but stays in the denominator:
// shrinking the denominator would let a coalition below the threshold remove honest members
// until it is above it (e.g. 3 of 5 removing one of the other two, then holding 3 of 4).
// Probation and suspended members never count.
//
// Motions that change the policy or remove a member count only SEASONED voting members
// (charter §13): voting for at least seasoningPeriodMs at the batch time, for and in the
// denominator — so a coalition at the approval threshold can neither lift itself over the
// policy-change threshold nor remove the honest members with members it admitted itself (at
// most one an epoch, each out of probation only a month later), for a year after each.
//
// Where even the yes of every other seasoned member could not pass a removal — (n − 1)/n is not
// more than the removal threshold, as in every federation of four or fewer seasoned voting
// members under the default 3/4 — a motion that removes ONE member passes instead when EVERY
// other voting member, seasoned or not, votes yes; the member removed is left out of the count.
// Without it such a federation could never remove anyone; with it nobody is removed while one
// other voting member objects, and a bundle of removals still needs the threshold, so the
// honest members cannot be removed together by the rest. Exact integer arithmetic throughout.

import { removalTargets } from './changes.ts';
import type { Member, World } from './model.ts';
import { type Fraction, type Policy, removalThresholdOf, seasoningPeriodOf } from './policy.ts';
import type { OpenMotion } from './state.ts';

/** Which rule counted the motion (charter §7). */
export type TallyRule = 'approval' | 'policy-change' | 'removal' | 'removal-unanimous';

export interface Tally {
  yes: number;
  no: number;
  abstain: number;
  /** The denominator: voting members of the parent world who count (seasoned ones, for a policy change or a removal). */
  voting: number;
  /** Those of them whose ballot counts (not removed by this motion). */
  eligible: number;
  rule: TallyRule;
  /** "More than" this share of `voting` passes; for a removal by every other member, (n − 1)/n. */
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
 * Who counts for a motion against its parent world at batch time `timeMs`: the denominator,
 * the members whose ballots count, and the threshold. The rules always pass the batch time;
 * without it (a display with no ledger time) seasoning is not applied.
 */
export function electorate(
  motion: Pick<OpenMotion, 'changes'>,
  parent: World,
  timeMs?: number,
): { voting: string[]; eligible: Set<string>; threshold: Fraction; rule: TallyRule } {
  const removed = removalTargets(motion.changes);
  const policyChange = changesPolicy(motion);
  const voters = parent.members.filter((m) => m.status === 'voting');
  const seasoned =
    (policyChange || removed.size > 0) && timeMs !== undefined
      ? voters.filter((m) => isSeasoned(m, parent.policy, timeMs))
      : voters;
  const removal = removalThresholdOf(parent.policy);
  const kept = seasoned.filter((m) => !removed.has(m.name)).length;
  if (removed.size === 1 && !(kept * removal.den > removal.num * seasoned.length)) {
    const others = voters.map((m) => m.name).filter((name) => !removed.has(name));
    const n = others.length;
    return {
      voting: others,
      eligible: new Set(others),
      threshold: { num: Math.max(0, n - 1), den: Math.max(1, n) },
      rule: 'removal-unanimous',
    };
  }
  const voting = seasoned.map((m) => m.name);
  const rule: TallyRule = removed.size > 0 ? 'removal' : policyChange ? 'policy-change' : 'approval';
  const threshold =
    rule === 'removal'
      ? removal
      : rule === 'policy-change'
        ? parent.policy.policyChangeThreshold
        : parent.policy.approvalThreshold;
  return { voting, eligible: new Set(voting.filter((name) => !removed.has(name))), threshold, rule };
}

/** The tally of a motion against its parent world at batch time `timeMs` (see electorate). */
export function tally(
  motion: Pick<OpenMotion, 'changes' | 'ballots'>,
  parent: World,
  timeMs?: number,
): Tally {
  const { voting, eligible, threshold, rule } = electorate(motion, parent, timeMs);
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const [name, ballot] of Object.entries(motion.ballots))
    if (eligible.has(name)) counts[ballot.choice]++;
  const needed = Math.floor((threshold.num * voting.length) / threshold.den) + 1;
  const passes = voting.length > 0 && counts.yes * threshold.den > threshold.num * voting.length;
  return { ...counts, voting: voting.length, eligible: eligible.size, rule, threshold, needed, passes };
}
