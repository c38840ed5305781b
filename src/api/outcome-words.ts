// Motions said to people, the same at the API, in the CLI and in the audit report: a decided
// motion's outcome ("passed at height 9, world v2", "rejected (ADMISSION_RATE) at height 12,
// world v4"), a tally in full, a changed field's value.

import type { Json } from '../codec/index.ts';
import type { MotionOutcome, TallyView } from './root-view.ts';

export function outcomeWords(o: Omit<MotionOutcome, 'id' | 'index' | 'decidedMs'>): string {
  const reason = o.reason === undefined ? '' : ` (${o.reason})`;
  return `${o.result}${reason} at height ${o.height}, world v${o.worldVersion}`;
}

/**
 * "yes 3 of 4 needed (more than 2/3 of 5 voting members), 1 no, 1 not voted": the threshold and
 * the denominator are the rules' own (seasoned members only for a policy change or a removal;
 * every other member for a removal in a federation of three or fewer).
 */
export function tallyWords(t: TallyView): string {
  const members = `${t.seasonedOnly ? 'seasoned ' : ''}voting member${t.voting === 1 ? '' : 's'}`;
  const share =
    t.rule === 'removal-unanimous'
      ? `every other voting member, ${t.voting}`
      : `more than ${t.threshold.num}/${t.threshold.den} of ${t.voting} ${members}`;
  const parts = [`yes ${t.yes} of ${t.needed} needed (${share})`, `${t.no} no`];
  if (t.abstain > 0) parts.push(`${t.abstain} abstained`);
  parts.push(`${t.notVoted} not voted`);
  const barred = t.voting - t.eligible;
  if (barred > 0) parts.push(`${barred} may not vote on ${barred === 1 ? 'its' : 'their'} own removal`);
  return parts.join(', ');
}

/** A field's value as people read it: "(none)", "2/3", a list joined by commas. */
export function valueWords(v: Json): string {
  if (v === null) return '(none)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(valueWords).join(', ');
  if (typeof v === 'object') {
    if (typeof v.num === 'number' && typeof v.den === 'number' && Object.keys(v).length === 2)
      return `${v.num}/${v.den}`;
    return JSON.stringify(v);
  }
  return String(v);
}
