// Motions in words for the `witan motions` and `witan motion` commands: tallies that say what
// they mean, changes as "field: old → new" lines, times in local time and relative to the
// root's clock ("in 2 days", "3 hours ago"). Pure: the clock and the time zone come in.

import { outcomeWords, tallyWords, valueWords } from '../api/outcome-words.ts';
import type { BallotView, MotionView } from '../api/root-view.ts';
import type { Change, ChangeDiff } from '../governance/index.ts';

export { tallyWords, valueWords };

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Units of a relative time, largest first, with the span from which each is used. */
const UNITS: [name: string, ms: number, fromMs: number][] = [
  ['day', DAY_MS, 2 * DAY_MS],
  ['hour', HOUR_MS, 2 * HOUR_MS],
  ['minute', MINUTE_MS, 2 * MINUTE_MS],
  ['second', SECOND_MS, 0],
];

/** "in 2 days", "3 hours ago", "now": `ms` against `nowMs`, rounded to the largest fitting unit. */
export function relativeTime(ms: number, nowMs: number): string {
  const delta = ms - nowMs;
  const span = Math.abs(delta);
  if (span < SECOND_MS) return 'now';
  const [name, unitMs] = UNITS.find(([, , fromMs]) => span >= fromMs)!;
  const n = Math.round(span / unitMs);
  const amount = `${n} ${name}${n === 1 ? '' : 's'}`;
  return delta > 0 ? `in ${amount}` : `${amount} ago`;
}

/** "2026-12-18 14:02 CET": local time, to the minute, with the zone's short name. */
export function localTime(ms: number, timeZone?: string): string {
  const d = new Date(ms);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A time both ways: "2026-12-18 14:02 CET (in 13 days)". */
export function when(ms: number, nowMs: number, timeZone?: string): string {
  return `${localTime(ms, timeZone)} (${relativeTime(ms, nowMs)})`;
}

/** One change as a short phrase: "admit epsilon", "remove delta", "update alpha", "change the policy". */
export function changeWords(c: Change): string {
  switch (c.type) {
    case 'admit':
      return `admit ${c.candidate.name}`;
    case 'remove':
      return `remove ${c.member}`;
    case 'reinstate':
      return `reinstate ${c.member}`;
    case 'update-member':
      return `update ${c.member}`;
    case 'replace-governance-key':
      return `replace ${c.member}'s governance key`;
    case 'change-policy':
      return 'change the policy';
    case 'probation':
      return `put ${c.member} in probation`;
  }
}

/** The diff as indented lines: a heading per change, then "field: old → new" per field. */
export function diffLines(diff: readonly ChangeDiff[], changes: readonly Change[]): string[] {
  const lines: string[] = [];
  diff.forEach((d, i) => {
    lines.push(changes[i] === undefined ? d.type : changeWords(changes[i]!));
    if (d.fields.length === 0) lines.push('  (no field changes)');
    const width = Math.max(0, ...d.fields.map((f) => f.field.length));
    for (const f of d.fields)
      lines.push(`  ${`${f.field}:`.padEnd(width + 1)} ${valueWords(f.old)} → ${valueWords(f.new)}`);
  });
  return lines;
}

/** What happened to a motion, or that it is open: "open", "passed at height 9, world v2". */
export function stateWords(m: MotionView): string {
  return m.status === 'open' ? 'open' : outcomeWords(m);
}

/** A ballot on one line: "alpha    yes  2026-12-04 18:50 UTC (2 hours ago)  — meets §3". */
export function ballotLine(name: string, b: BallotView, nowMs: number, width: number): string {
  const reason = b.reason === undefined ? '' : `  — ${b.reason}`;
  return `${name.padEnd(width)} ${b.choice.padEnd(7)} ${when(b.createdMs, nowMs)}${reason}`;
}

/** `witan motion`: the motion in full. */
export function motionLines(m: MotionView, nowMs: number): string[] {
  const title = m.summary === undefined ? '' : ` — ${m.summary}`;
  const lines = [`Motion ${m.shortId} (${stateWords(m)})${title}`, `  id:       ${m.id}`];
  lines.push(`  moved by: ${m.author}, ${when(m.createdMs, nowMs)}`);
  if (m.status === 'open') lines.push(`  deadline: ${when(m.deadlineMs, nowMs)}`);
  else lines.push(`  decided:  ${when(m.decidedMs, nowMs)}, deadline was ${localTime(m.deadlineMs)}`);
  lines.push(`  tally:    ${tallyWords(m.tally)}`);
  lines.push(`  changes against world v${m.against.version}:`);
  for (const line of diffLines(m.diff, m.changes)) lines.push(`    ${line}`);
  const ballots = Object.entries(m.ballots);
  lines.push(`  ballots (${ballots.length}):`);
  const width = Math.max(0, ...ballots.map(([name]) => name.length));
  for (const [name, b] of ballots) lines.push(`    ${ballotLine(name, b, nowMs, width)}`);
  return lines;
}

/** `witan motions`: one motion in three lines under its short id. */
export function motionListLines(m: MotionView, nowMs: number): string[] {
  const what = m.changes.map(changeWords).join(', ');
  const summary = m.summary === undefined ? '' : ` — ${m.summary}`;
  const indent = ' '.repeat(m.shortId.length + 2);
  if (m.status === 'open') {
    return [
      `  ${m.shortId}  ${what}${summary}`,
      `  ${indent}by ${m.author}; deadline ${when(m.deadlineMs, nowMs)}`,
      `  ${indent}${tallyWords(m.tally)}`,
    ];
  }
  return [
    `  ${m.shortId}  ${outcomeWords(m)}: ${what}${summary}`,
    `  ${indent}by ${m.author}; decided ${when(m.decidedMs, nowMs)}`,
    `  ${indent}${tallyWords(m.tally)}`,
  ];
}
