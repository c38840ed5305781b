// Applying a motion's changes to a world (charter §7–§13, §21). Pure: returns the changed world or
// the first rejection; the input world is never modified. The same function checks a motion
// when it is submitted, again when it passes, and again when it is re-based onto a new world,
// so a motion is never applied to a world it does not fit.

import { type Rejection, reject } from './errors.ts';
import type { Member, World } from './model.ts';
import { policyViolation } from './policy.ts';
import type { Change } from './statement-types.ts';
import { keyPossessionBytes, verifyB64, verifyCandidate } from './statements.ts';
import { worldRuleViolation } from './world-rules.ts';

export function changeTarget(c: Change): string | null {
  if (c.type === 'admit') return c.candidate.name;
  if (c.type === 'change-policy') return null;
  return c.member;
}

export function removalTargets(changes: readonly Change[]): Set<string> {
  return new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.member] : [])));
}

/** Admissions and reinstatements: each adds a member who will vote (charter §12). */
export function admissionsIn(changes: readonly Change[]): number {
  return changes.filter((c) => c.type === 'admit' || c.type === 'reinstate').length;
}

/** One change per member and at most one policy change per motion, so order never matters. */
export function conflictingChanges(changes: readonly Change[]): Rejection | null {
  const targets = new Set<string>();
  let policies = 0;
  for (const c of changes) {
    const t = changeTarget(c);
    if (t === null) policies++;
    else if (targets.has(t))
      return reject(
        'CONFLICTING_CHANGES',
        `The motion changes member "${t}" more than once; bundle one change per member.`,
      );
    else targets.add(t);
  }
  if (policies > 1) return reject('CONFLICTING_CHANGES', 'The motion changes the policy more than once.');
  return null;
}

function byName(a: Member, b: Member): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function keyRetired(key: string, retired: Readonly<Record<string, unknown>>): Rejection | null {
  return retired[key] === undefined
    ? null
    : reject('KEY_IN_USE', "The key was a member's node key until recently; every key must be unique.");
}

function applyOne(
  world: World,
  c: Change,
  timeMs: number,
  retired: Readonly<Record<string, unknown>>,
): Rejection | null {
  if (c.type === 'admit') {
    const used = keyRetired(c.candidate.nodeKey, retired) ?? keyRetired(c.candidate.governanceKey, retired);
    if (used !== null) return used;
    if (!verifyCandidate(world.federation, c.candidate, c.candidateSignatures)) {
      return reject(
        'CANDIDATE_SIGNATURE_INVALID',
        `Candidate "${c.candidate.name}" did not sign its descriptor with both the governance key and the node key it declares.`,
      );
    }
    if (world.members.some((m) => m.name === c.candidate.name)) {
      return reject('NAME_TAKEN', `The name "${c.candidate.name}" is already a member's name.`);
    }
    world.members.push({ ...structuredClone(c.candidate), status: 'probation', since: timeMs });
    world.members.sort(byName);
    return null;
  }
  if (c.type === 'change-policy') {
    const v = policyViolation(c.policy);
    if (v !== null) return reject('POLICY_BELOW_FLOOR', `The new policy crosses a hard floor: ${v}.`);
    world.policy = structuredClone(c.policy);
    return null;
  }
  const index = world.members.findIndex((m) => m.name === c.member);
  if (index < 0) return reject('UNKNOWN_MEMBER', `There is no member named "${c.member}" in the world.`);
  const member = world.members[index]!;
  if (c.type === 'remove') {
    world.members.splice(index, 1);
  } else if (c.type === 'reinstate') {
    if (member.status !== 'suspended') {
      return reject('MEMBER_NOT_SUSPENDED', `"${c.member}" is not suspended, so it cannot be reinstated.`);
    }
    member.status = 'probation';
    member.since = timeMs;
  } else if (c.type === 'probation') {
    if (member.status !== 'voting') {
      return reject(
        'MEMBER_NOT_VOTING',
        `"${c.member}" is ${member.status}, not voting: only a voting member can be put in probation.`,
      );
    }
    member.status = 'probation';
    member.since = timeMs;
  } else if (c.type === 'update-member') {
    if (c.organisation !== undefined) member.organisation = c.organisation;
    if (c.jurisdiction !== undefined) member.jurisdiction = c.jurisdiction;
    if (c.endpoints !== undefined) member.endpoints = structuredClone(c.endpoints);
  } else {
    const used = keyRetired(c.governanceKey, retired);
    if (used !== null) return used;
    const bytes = keyPossessionBytes(world.federation, c.member, 'governance', c.governanceKey);
    if (!verifyB64(c.governanceKey, bytes, c.keySignature)) {
      return reject(
        'KEY_SIGNATURE_INVALID',
        `The new governance key of "${c.member}" did not sign its key-possession statement.`,
      );
    }
    member.governanceKey = c.governanceKey;
  }
  return null;
}

/**
 * The world after all changes (admitted members in probation since timeMs), or the first
 * rejection. `retired` holds node keys recently rotated away, which no new key may reuse.
 */
export function applyChanges(
  world: World,
  changes: readonly Change[],
  timeMs: number,
  retired: Readonly<Record<string, unknown>> = {},
): { world: World } | Rejection {
  const conflict = conflictingChanges(changes);
  if (conflict !== null) return conflict;
  const next = structuredClone(world);
  for (const c of changes) {
    const r = applyOne(next, c, timeMs, retired);
    if (r !== null) return r;
  }
  const violation = worldRuleViolation(next, world);
  if (violation !== null) return violation;
  return { world: next };
}
