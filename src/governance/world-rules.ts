// Membership rules every world must satisfy (charter §8, §10, §11, §23): unique names and keys,
// ZeroTier roots whose identities ZeroTier would accept,
// at most one member per organisation, no jurisdiction with a blocking share of the votes,
// a bounded and non-empty set of voting members, public endpoints unless the policy allows
// others. Checked on every world a motion or a self-update would produce, and on the genesis
// world.

import { MEMBERS_MAX } from './constants.ts';
import { nonPublicEndpoint, scopeWords } from './endpoints.ts';
import { type Rejection, reject } from './errors.ts';
import type { Member, World } from './model.ts';
import { organisationKeys } from './organisation.ts';
import { type Fraction, privateEndpointsAllowed } from './policy.ts';
import { zeroTierAddress, zeroTierIdentityIsValid } from './zerotier-root.ts';

/**
 * Members that hold or will hold a vote: voting and probation. Probation members count so
 * that the rule already holds on the day their probation ends without a new check.
 */
export function prospectiveVoters(members: readonly Member[]): Member[] {
  return members.filter((m) => m.status !== 'suspended');
}

/**
 * The largest number of members one jurisdiction may hold among n prospective voters: the
 * largest c with c/n < share, but never less than 1 — in a federation of three or fewer a
 * single member already blocks, and one member is the least a jurisdiction can have.
 */
export function jurisdictionCap(n: number, share: Fraction): number {
  // c·den < num·n  ⇔  c ≤ ceil(num·n/den) − 1
  const c = Math.ceil((share.num * n) / share.den) - 1;
  return Math.max(1, c);
}

export function jurisdictionCounts(members: readonly Member[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of prospectiveVoters(members))
    counts.set(m.jurisdiction, (counts.get(m.jurisdiction) ?? 0) + 1);
  return counts;
}

/**
 * A blocking share breaks the rule — except that a world already out of balance (only a
 * suspension after evidence can do that, charter §11) may still change in ways that neither
 * add members to, nor raise the share of, a jurisdiction above its cap, so it is not stuck.
 */
function jurisdictionViolation(world: World, before: World | undefined): Rejection | null {
  const voters = prospectiveVoters(world.members).length;
  const cap = jurisdictionCap(voters, world.policy.jurisdictionShareMax);
  const priorVoters = before === undefined ? 0 : prospectiveVoters(before.members).length;
  const priorCap =
    before === undefined ? 0 : jurisdictionCap(priorVoters, before.policy.jurisdictionShareMax);
  const prior = before === undefined ? new Map<string, number>() : jurisdictionCounts(before.members);
  for (const [j, count] of [...jurisdictionCounts(world.members)].sort()) {
    if (count <= cap) continue;
    const was = prior.get(j) ?? 0;
    if (was > priorCap && count <= was && count * priorVoters <= was * voters) continue;
    const share = world.policy.jurisdictionShareMax;
    return reject(
      'JURISDICTION_SHARE',
      `Jurisdiction ${j} would hold ${count} of ${voters} votes; at most ${cap} (less than ${share.num}/${share.den}) are allowed so that no single jurisdiction can block the federation.`,
    );
  }
  return null;
}

/**
 * Endpoints a member announces must be public unless the policy allows others. Only endpoints
 * that `before` did not already hold for that member are judged: a policy that stops allowing
 * them does not make a world with them unchangeable.
 */
function endpointViolation(world: World, before: World | undefined): Rejection | null {
  if (privateEndpointsAllowed(world.policy)) return null;
  for (const m of world.members) {
    const held = before?.members.find((b) => b.name === m.name)?.endpoints;
    const added = [
      ...m.endpoints.p2p.filter((e) => !held?.p2p.includes(e)),
      ...m.endpoints.http.filter((e) => !held?.http.includes(e)),
    ];
    const found = nonPublicEndpoint(added);
    if (found !== undefined) {
      return reject(
        'ENDPOINT_NOT_PUBLIC',
        `Member "${m.name}" would announce ${found.endpoint}, ${scopeWords(found.scope)}; announce a public name or address, or have the policy allow private endpoints (privateEndpointsAllowed).`,
      );
    }
  }
  return null;
}

/**
 * The first membership rule the world breaks, or null. `before` is the world it changes, if
 * any (see jurisdictionViolation).
 */
export function worldRuleViolation(world: World, before?: World): Rejection | null {
  const members = world.members;
  if (members.length > MEMBERS_MAX) {
    return reject(
      'MEMBERS_FULL',
      `A world holds at most ${MEMBERS_MAX} members; this one would hold ${members.length}.`,
    );
  }
  const names = new Set<string>();
  const keys = new Map<string, string>();
  const organisations = new Map<string, string>();
  for (const m of members) {
    if (names.has(m.name)) return reject('NAME_TAKEN', `The name "${m.name}" is already a member's name.`);
    names.add(m.name);
    // Node key, governance key, ML-DSA key and ZeroTier address: each held by one member only.
    const held = [
      m.nodeKey,
      m.governanceKey,
      m.mlDsaKey,
      m.zerotier && `zerotier:${zeroTierAddress(m.zerotier)}`,
    ];
    for (const key of held) {
      if (key === undefined) continue;
      const holder = keys.get(key);
      if (holder !== undefined) {
        return reject(
          'KEY_IN_USE',
          `Member "${m.name}" would use a key that "${holder}" already uses; every key must be unique.`,
        );
      }
      keys.set(key, m.name);
    }
    if (m.zerotier !== undefined && !zeroTierIdentityIsValid(m.zerotier.identity)) {
      return reject(
        'ZEROTIER_IDENTITY_INVALID',
        `The ZeroTier identity of "${m.name}" (${zeroTierAddress(m.zerotier)}) does not derive from its public key by ZeroTier's identity hash: it is forged or corrupted. Generate it with ZeroTier (zerotier-idtool generate) or witan init.`,
      );
    }
    const orgKeys = organisationKeys(m.organisation);
    const other = orgKeys.map((k) => organisations.get(k)).find((name) => name !== undefined);
    if (other !== undefined) {
      return reject(
        'ORGANISATION_TAKEN',
        `"${m.name}" and "${other}" would both represent ${m.organisation} (organisation names are compared after normalising case, spaces, invisible characters and look-alike letters); an organisation has at most one member.`,
      );
    }
    for (const k of orgKeys) organisations.set(k, m.name);
  }
  const jurisdiction = jurisdictionViolation(world, before);
  if (jurisdiction !== null) return jurisdiction;
  const endpoint = endpointViolation(world, before);
  if (endpoint !== null) return endpoint;
  if (!members.some((m) => m.status === 'voting')) {
    return reject(
      'WORLD_WOULD_BE_EMPTY',
      'The world would have no voting member left, and nobody could commit anything.',
    );
  }
  return null;
}
