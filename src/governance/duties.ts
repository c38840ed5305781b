// Duties, measured and enforced (governance/CHARTER.md §21). Roots probe each other and each
// voting root commits one signed report per duty epoch; at the first batch of a later epoch the
// rules judge every member on every duty from those reports, give a notice to a member below a
// duty's minimum, lift it when the member meets them all again, and open a motion to sanction
// a member still below after the grace — probation for a voting member, removal for one
// already in probation. Pure: the batch time is the only clock.
//
// The verdict on one duty of one member T, with n voting members in the world in force and
// q = quorumSize(n):
//   accusers   = reports by voting members other than T whose probes of T on the duty
//                succeeded less often than the minimum;
//   supporters = such reports at or above the minimum, plus T itself when T votes;
//   below  ⇔ accusers ≥ n − q + 1,   met ⇔ supporters ≥ q,   otherwise no verdict.
// Equivalently: line up one slot per voting member — T's own slot a pass, a silent member's
// slot a pass for `below` and a fail for `met` —; the duty is below when the q-th best slot
// fails, met when it passes. Fewer than n/3 members, whatever they report or withhold, can
// neither make an honest root below (it takes n − q + 1 > n/3 accusers) nor a failing one met
// (it takes q > 2n/3 supporters); the charter proves it, test/governance/duties.test.ts checks it.

import { quorumSize } from '../base/index.ts';
import { canonicalBytes, type Json, toHex } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import { SYSTEM_AUTHOR } from './constants.ts';
import type { LedgerEntry, VerdictAction } from './entry.ts';
import { type Rejection, reject } from './errors.ts';
import type { Member, World } from './model.ts';
import { DUTIES, type Duty, dutiesOf, type Fraction } from './policy.ts';
import type { DutyReports, OpenMotion } from './state.ts';
import type { Change, DutyReportStatement, Observation, ProbeCount } from './statement-types.ts';

export type DutyVerdict = 'below' | 'met' | 'none';

/** Did these probes succeed at least as often as `min` asks? Exact: succeeded/attempted ≥ num/den. */
export function meetsMinimum(c: ProbeCount, min: Fraction): boolean {
  return c.succeeded * min.den >= min.num * c.attempted;
}

/**
 * The verdict on one duty of one member. `voters`: voting members of the world in force;
 * `targetVotes`: whether the member judged is one of them; `counts`: the probes of the member on
 * the duty, one per report by another voting member (a report without probes of it is silence).
 */
export function dutyVerdict(v: {
  voters: number;
  targetVotes: boolean;
  counts: readonly ProbeCount[];
  min: Fraction;
}): DutyVerdict {
  const q = quorumSize(v.voters);
  let accusers = 0;
  let supporters = v.targetVotes ? 1 : 0;
  for (const c of v.counts) {
    if (c.attempted === 0) continue;
    if (meetsMinimum(c, v.min)) supporters++;
    else accusers++;
  }
  if (accusers >= v.voters - q + 1) return 'below';
  if (supporters >= q) return 'met';
  return 'none';
}

/** The duty epoch of a time, by a world's policy: floor(timeMs / duties.epochMs). */
export function dutyEpochOf(timeMs: number, world: World): number {
  return Math.floor(timeMs / dutiesOf(world.policy).epochMs);
}

/**
 * The id of the motion the rules open against `member` after the verdicts on `epoch`: lowercase
 * hex SHA-256 of the canonical bytes of {"epoch","federation","kind":"duty-motion","member"}. At
 * most one per member and epoch, and never a statement id (those hash a signed statement).
 */
export function dutyMotionId(federation: string, epoch: number, member: string): string {
  return toHex(sha256(canonicalBytes({ epoch, federation, kind: 'duty-motion', member } as Json)));
}

/** Does an open motion the rules opened name this member (a duty motion, or a removal after evidence)? */
function systemMotionOn(motions: Iterable<OpenMotion>, name: string): boolean {
  for (const m of motions) {
    if (m.author !== SYSTEM_AUTHOR) continue;
    if (m.changes.some((c) => c.type !== 'admit' && c.type !== 'change-policy' && c.member === name))
      return true;
  }
  return false;
}

export interface DutySettlement {
  /** The working world with notices given and lifted. */
  world: World;
  /** Motions opened, in member name order. */
  motions: OpenMotion[];
  /** Verdict entries, in member name order. */
  entries: LedgerEntry[];
}

/**
 * Judges the epoch of `reports` (charter §21) and applies the verdicts to a copy of `working`.
 * `inForce` is the world in force when the batch began: its voting members are the ones whose
 * reports count, and its policy is read. Members are judged when voting or in probation since
 * before the epoch began (a member admitted during the epoch had no root to probe yet).
 */
export function settleDuties(s: {
  reports: DutyReports;
  inForce: World;
  inForceHash: string;
  working: World;
  openMotions: Iterable<OpenMotion>;
  timeMs: number;
}): DutySettlement {
  const duties = dutiesOf(s.inForce.policy);
  const epoch = s.reports.epoch;
  const epochStartMs = epoch * duties.epochMs;
  const voters = new Set(s.inForce.members.filter((m) => m.status === 'voting').map((m) => m.name));
  const reports = Object.entries(s.reports.by).filter(([author]) => voters.has(author));
  const world = structuredClone(s.working);
  const open = [...s.openMotions];
  const motions: OpenMotion[] = [];
  const entries: LedgerEntry[] = [];
  for (const m of world.members) {
    if (m.status === 'suspended' || m.since > epochStartMs) continue;
    const seen = reports
      .filter(([author]) => author !== m.name)
      .map(([, obs]) => obs.find((o) => o.member === m.name));
    const verdicts = DUTIES.map((d) =>
      dutyVerdict({
        voters: voters.size,
        targetVotes: voters.has(m.name),
        counts: seen.flatMap((o) => (o === undefined ? [] : [o[d]])),
        min: duties.successMin[d],
      }),
    );
    const below = DUTIES.filter((_, i) => verdicts[i] === 'below');
    const entry = (action: VerdictAction, motion?: string) =>
      entries.push({
        kind: 'verdict',
        epoch,
        member: m.name,
        below,
        action,
        ...(motion === undefined ? {} : { motion }),
      });
    if (below.length === 0) {
      if (m.notice !== undefined && verdicts.every((v) => v === 'met')) {
        delete m.notice;
        entry('lifted');
      }
      continue;
    }
    if (m.notice === undefined) {
      m.notice = { epoch, duties: below };
      entry('notice');
    } else if (
      epoch >= m.notice.epoch + duties.graceEpochs &&
      !systemMotionOn([...open, ...motions], m.name)
    ) {
      const motion = sanction(s, m, epoch);
      motions.push(motion);
      entry('motion', motion.id);
    } else {
      entry('standing');
    }
  }
  return { world, motions, entries };
}

/** The motion after the grace: probation for a voting member, removal for one in probation. */
function sanction(s: { inForce: World; inForceHash: string; timeMs: number }, m: Member, epoch: number) {
  const change: Change =
    m.status === 'voting' ? { type: 'probation', member: m.name } : { type: 'remove', member: m.name };
  return {
    id: dutyMotionId(s.inForce.federation, epoch, m.name),
    author: SYSTEM_AUTHOR,
    changes: [change],
    createdMs: s.timeMs,
    deadlineMs: s.timeMs + s.inForce.policy.motionTtlMs,
    parent: s.inForceHash,
    ballots: {},
  } satisfies OpenMotion;
}

/**
 * Why a duty report cannot be accepted in a batch at `timeMs`, or null (charter §21): its
 * author must vote in the world in force, it must be about the epoch that just ended, and the
 * author may report once per epoch.
 */
export function reportRejection(
  inForce: World,
  timeMs: number,
  s: DutyReportStatement,
  pending: DutyReports | null,
): Rejection | null {
  if (inForce.members.find((m) => m.name === s.author)?.status !== 'voting') {
    return reject(
      'REPORT_NOT_VOTING',
      `"${s.author}" is not a voting member, so its duty reports do not count; it reports again once it votes.`,
    );
  }
  const last = dutyEpochOf(timeMs, inForce) - 1;
  if (s.epoch !== last) {
    return reject(
      'REPORT_WRONG_EPOCH',
      `The report is about duty epoch ${s.epoch}; a batch at this time takes reports about epoch ${last} only (the one that just ended).`,
    );
  }
  if (pending?.epoch === s.epoch && pending.by[s.author] !== undefined) {
    return reject('REPORT_DUPLICATE', `"${s.author}" already reported on duty epoch ${s.epoch}.`);
  }
  return null;
}

/** The pending reports with `s` added (a copy: the state a batch began with is never changed). */
export function withReport(pending: DutyReports | null, s: DutyReportStatement): DutyReports {
  const by = pending?.epoch === s.epoch ? pending.by : {};
  return { epoch: s.epoch, by: { ...by, [s.author]: s.observations } };
}

/** A duty report (sign it with the author's node key). */
export function dutyReport(
  federation: string,
  author: string,
  epoch: number,
  observations: Observation[],
  createdMs: number,
): DutyReportStatement {
  return { kind: 'duty-report', federation, author, createdMs, epoch, observations };
}

/** An observation with every duty's counts, zero where not given. */
export function observation(member: string, counts: Partial<Record<Duty, ProbeCount>>): Observation {
  const none = { attempted: 0, succeeded: 0 };
  return {
    member,
    http: counts.http ?? none,
    p2p: counts.p2p ?? none,
    relay: counts.relay ?? none,
    rendezvous: counts.rendezvous ?? none,
  };
}
