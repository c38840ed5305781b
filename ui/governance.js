// Governance in words: members' standing, tallies, motions' changes and what changed between
// two worlds. Pure: everything comes in as arguments, times are the federation's (ledger) ms.

import { country, duration, localTime, relative } from './format.js';

/** @typedef {import('./types.js').Member} Member */
/** @typedef {import('./types.js').World} World */
/** @typedef {import('./types.js').Policy} Policy */
/** @typedef {import('./types.js').Change} Change */
/** @typedef {import('./types.js').Ballot} Ballot */
/** @typedef {import('./types.js').Tally} Tally */

/** The charter's default seasoning, for worlds whose policy predates the field (policy.md). */
export const DEFAULT_SEASONING_PERIOD_MS = 365 * 24 * 3600 * 1000;

/**
 * The BFT quorum of n validators: more than two thirds (docs/architecture.md "Concepts").
 * @param {number} n
 */
export function quorumOf(n) {
  return Math.floor((2 * n) / 3) + 1;
}

/**
 * A member's standing in words: "voting, seasoned", "probation, ends … (in 3 h)".
 * @param {Member} m
 * @param {Policy} policy
 * @param {number} nowMs the federation's clock
 */
export function standing(m, policy, nowMs) {
  const words = statusWords(m, policy, nowMs);
  return m.notice === undefined ? words : `${words}; under notice: below on ${m.notice.duties.join(', ')}`;
}

/**
 * @param {Member} m
 * @param {Policy} policy
 * @param {number} nowMs
 */
function statusWords(m, policy, nowMs) {
  if (m.status === 'probation') {
    const ends = m.since + policy.probationPeriodMs;
    return `probation, ends ${localTime(ends)} (${relative(ends - nowMs)})`;
  }
  if (m.status === 'voting') {
    const seasoned = m.since + (policy.seasoningPeriodMs ?? DEFAULT_SEASONING_PERIOD_MS);
    return seasoned <= nowMs ? 'voting, seasoned' : `voting, seasoning until ${localTime(seasoned)}`;
  }
  return m.status;
}

/**
 * "yes 1 of 4 needed (more than 2/3 of 5 voting members), 1 no, 3 not voted".
 * @param {Tally} t
 */
export function tallyText(t) {
  const cast = t.yes + t.no + t.abstain;
  const parts = [
    `yes ${t.yes} of ${t.needed} needed (more than ${t.threshold.num}/${t.threshold.den} of ${t.voting} voting member${t.voting === 1 ? '' : 's'})`,
    `${t.no} no`,
  ];
  if (t.abstain > 0) parts.push(`${t.abstain} abstain`);
  parts.push(`${Math.max(0, t.eligible - cast)} not voted`);
  return parts.join(', ');
}

/**
 * The tally of a motion from its ballots against the world it was decided in: what the rules
 * counted (src/governance/tally.ts), for a motion whose answer carries no tally.
 * @param {Change[]} changes
 * @param {Record<string, Ballot>} ballots latest ballot per member
 * @param {World} parent
 * @returns {Tally}
 */
export function tallyOf(changes, ballots, parent) {
  const policyChange = changes.some((c) => c.type === 'change-policy');
  const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [String(c.member)] : [])));
  let voting = parent.members.filter((m) => m.status === 'voting').map((m) => m.name);
  // A removal needs the removal threshold; where even every other member could not reach it,
  // removing one member needs every other member's yes (charter §7).
  const removal = parent.policy.removalThreshold ?? { num: 3, den: 4 };
  const kept = voting.filter((n) => !removed.has(n)).length;
  const unanimous = removed.size === 1 && !(kept * removal.den > removal.num * voting.length);
  if (unanimous) voting = voting.filter((n) => !removed.has(n));
  const eligible = new Set(voting.filter((n) => !removed.has(n)));
  const threshold = unanimous
    ? { num: Math.max(0, voting.length - 1), den: Math.max(1, voting.length) }
    : removed.size > 0
      ? removal
      : policyChange
        ? parent.policy.policyChangeThreshold
        : parent.policy.approvalThreshold;
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const [name, b] of Object.entries(ballots)) if (eligible.has(name)) counts[b.choice]++;
  const needed = Math.floor((threshold.num * voting.length) / threshold.den) + 1;
  const passes = voting.length > 0 && counts.yes * threshold.den > threshold.num * voting.length;
  return { ...counts, voting: voting.length, eligible: eligible.size, threshold, needed, passes };
}

/**
 * One change of a motion in words.
 * @param {Change} c
 * @param {World} world the world in force, to say what a policy change changes
 */
export function describeChange(c, world) {
  switch (c.type) {
    case 'admit': {
      const d = /** @type {{ name?: string, organisation?: string, jurisdiction?: string }} */ (
        c.candidate ?? {}
      );
      return `admit ${d.name} (${d.organisation}, ${country(String(d.jurisdiction))})`;
    }
    case 'remove':
      return `remove ${c.member}`;
    case 'reinstate':
      return `reinstate ${c.member}`;
    case 'update-member': {
      const what = [];
      if (c.organisation !== undefined) what.push(`organisation to “${c.organisation}”`);
      if (c.jurisdiction !== undefined) what.push(`country to ${country(String(c.jurisdiction))}`);
      if (c.endpoints !== undefined) what.push('endpoints');
      return `update ${c.member}: ${what.join(', ') || 'no field'}`;
    }
    case 'replace-governance-key':
      return `replace ${c.member}'s governance key`;
    case 'probation':
      return `put ${c.member} in probation`;
    case 'change-policy': {
      const diff = policyDiff(world.policy, /** @type {Policy} */ (c.policy));
      return `change the policy: ${diff.join('; ') || 'no field changes'}`;
    }
    default:
      return c.type;
  }
}

/**
 * What changed from one world to the next, one line each.
 * @param {World | null} before null for the genesis world
 * @param {World} after
 */
export function worldDiff(before, after) {
  if (before === null) {
    return [`founded by ${after.members.map((m) => `${m.name} (${m.organisation})`).join(', ')}`];
  }
  const out = [];
  const old = new Map(before.members.map((m) => [m.name, m]));
  for (const m of after.members) {
    const was = old.get(m.name);
    if (was === undefined) {
      out.push(`${m.name} (${m.organisation}, ${country(m.jurisdiction)}) joined, in ${m.status}`);
      continue;
    }
    if (was.status !== m.status) out.push(`${m.name}: ${was.status} → ${m.status}`);
    if (was.notice === undefined && m.notice !== undefined)
      out.push(`${m.name}: notice, below on ${m.notice.duties.join(', ')}`);
    if (was.notice !== undefined && m.notice === undefined) out.push(`${m.name}: notice lifted`);
    if (was.organisation !== m.organisation) out.push(`${m.name}: organisation “${m.organisation}”`);
    if (was.jurisdiction !== m.jurisdiction) out.push(`${m.name}: country ${country(m.jurisdiction)}`);
    if (JSON.stringify(was.endpoints) !== JSON.stringify(m.endpoints)) out.push(`${m.name}: new endpoints`);
    if (was.nodeKey !== m.nodeKey) out.push(`${m.name}: new node key`);
    if (was.governanceKey !== m.governanceKey) out.push(`${m.name}: new governance key`);
  }
  const kept = new Set(after.members.map((m) => m.name));
  for (const m of before.members) if (!kept.has(m.name)) out.push(`${m.name} left`);
  for (const line of policyDiff(before.policy, after.policy)) out.push(`policy ${line}`);
  return out;
}

/**
 * Policy fields that differ: "probationPeriodMs 30 days → 10 days".
 * @param {Record<string, unknown>} a
 * @param {Record<string, unknown>} b
 * @param {string} [prefix]
 * @returns {string[]}
 */
export function policyDiff(a, b, prefix = '') {
  const out = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const [x, y] = [a[key], b[key]];
    if (isRecord(x) && isRecord(y)) out.push(...policyDiff(x, y, `${prefix}${key}.`));
    else if (JSON.stringify(x) !== JSON.stringify(y))
      out.push(`${prefix}${key} ${policyValue(key, x)} → ${policyValue(key, y)}`);
  }
  return out;
}

/** @param {unknown} x @returns {x is Record<string, unknown>} */
function isRecord(x) {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * @param {string} key
 * @param {unknown} v
 */
function policyValue(key, v) {
  if (v === undefined) return 'unset';
  if (typeof v === 'number' && key.endsWith('Ms')) return duration(v);
  if (isRecord(v) && 'num' in v && 'den' in v) return `${v.num}/${v.den}`;
  return String(v);
}
