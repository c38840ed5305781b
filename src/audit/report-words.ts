// The audit report in words, shared by its text and HTML forms: the verdict, what each kind of
// violation means and what to do about it, what changed between worlds and what a motion asks,
// and times. Pure: everything comes from the report object.

import { outcomeWords, valueWords } from '../api/outcome-words.ts';
import type { Json } from '../codec/index.ts';
import type { ChangeDiff, FieldChange, WorldChange } from '../governance/index.ts';
import type { EvidenceKind } from './evidence.ts';
import type { TimelineMotion } from './timeline.ts';

/** The verdict: a symbol and a word that do not need colour, and what it means. */
export const VERDICT_WORDS: Record<
  'verified' | 'violations' | 'incomplete',
  { symbol: string; word: string; means: string }
> = {
  verified: {
    symbol: '✓',
    word: 'Verified',
    means:
      'Every check passed: every root serves the same quorum-cosigned history, every batch follows the written rules, and every world was committed by a quorum.',
  },
  violations: {
    symbol: '✗',
    word: 'Violations found',
    means:
      'At least one root served something that contradicts what the federation signed, or the ledger breaks its rules. Each violation below names its evidence file.',
  },
  incomplete: {
    symbol: '!',
    word: 'Incomplete',
    means:
      'The audit could not check everything (see "What could not be checked"). It found no violation in what it checked, which proves nothing about the rest.',
  },
};

/** A root's verdict with its symbol. */
export const ROOT_VERDICT_WORDS: Record<'verified' | 'violation' | 'incomplete', string> = {
  verified: '✓ verified',
  violation: '✗ violation',
  incomplete: '! incomplete',
};

/** What an incomplete audit asks of the person reading it. */
export const INCOMPLETE_TODO =
  'Run the audit again once the roots answer (a longer --timeout-ms helps on slow links); until then, trust nothing the audit could not check.';

/** Per kind of violation: one sentence on what it means, one on what to do. */
export const VIOLATION_WORDS: Record<EvidenceKind, { means: string; todo: string }> = {
  'split-view': {
    means:
      'Two signed checkpoints of this ledger cannot both be true: roots show different people different histories.',
    todo: 'Send the evidence file to every member; anyone can confirm it with `witan audit verify-evidence`. The members who cosigned both sides equivocated.',
  },
  rollback: {
    means:
      'The root now serves a smaller ledger than it signed before: it lost or rewrote committed history.',
    todo: "Ask the root's operator what happened (a restore from an old backup?) and compare with the other roots; keep the evidence file.",
  },
  'insufficient-cosignatures': {
    means:
      'The root serves a checkpoint that fewer than a quorum of validators cosigned: the federation did not commit it.',
    todo: "Do not rely on that checkpoint; ask the root's operator why it serves one that is not committed.",
  },
  'bad-signature': {
    means: "A signature by a member's key on the checkpoint does not verify: the note was altered or forged.",
    todo: 'Treat what that root serves as untrustworthy until its operator explains; keep the evidence file.',
  },
  'stale-checkpoint': {
    means:
      "The newest quorum of cosignatures is older than the federation's freshness policy allows: the root may hide newer history, or the federation stalled.",
    todo: "Check whether the other roots are fresh; if they are, ask this root's operator; if none is, ask the members whether consensus stopped.",
  },
  'future-cosignature': {
    means:
      "A cosignature is dated further ahead of the auditor's clock than the allowed skew: a cosigner's clock is wrong, or it dates cosignatures ahead to look fresh.",
    todo: "Check this machine's clock first; if it is right, tell the cosigning member to fix its clock.",
  },
  'entry-altered': {
    means:
      'The root serves ledger entries that do not hash to the verified, quorum-signed tree: it altered history.',
    todo: "Do not use that root's data; send the evidence file to the members and to the root's operator.",
  },
  'entries-swapped': {
    means: 'The root serves ledger entries in another order than the verified, quorum-signed tree.',
    todo: "Do not use that root's data; send the evidence file to the members and to the root's operator.",
  },
  'tile-altered': {
    means: 'The root serves hash tiles that differ from the verified, quorum-signed tree.',
    todo: "Do not use that root's proofs; send the evidence file to the members and to the root's operator.",
  },
  'tree-mismatch': {
    means:
      'The entries served do not give the root hash the checkpoint signs: the data and its signature disagree.',
    todo: 'Audit again against every root; if the mismatch stays, send the evidence file to the members.',
  },
  'rule-violation': {
    means:
      'A batch in the ledger breaks the written rules: a quorum committed something the charter forbids.',
    todo: 'This concerns the whole federation: every member should confirm it with `witan audit verify-evidence` and stop trusting worlds from that entry on.',
  },
  'uncommitted-world': {
    means:
      'The root serves, as its world, one the ledger never committed: peers that trust it would use roots and rules nobody voted for.',
    todo: "Ask the root's operator; overlay peers must check a world against the ledger before using it.",
  },
};

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "2026-12-18 14:02 UTC"; "—" for no time. */
export function utc(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "45 s", "12 min", "3.5 h". */
export function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 120) return `${s} s`;
  if (Math.abs(s) < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** The first 12 hex digits of an id or hash, as people quote them. */
export const short = (hex: string) => hex.slice(0, 12);

const KEY_FIELDS = new Set(['nodeKey', 'governanceKey']);

/** A field's value; keys shortened (the JSON report has them whole). */
function fieldValue(field: string, v: Json): string {
  if (KEY_FIELDS.has(field) && typeof v === 'string') return `${v.slice(0, 12)}…`;
  return valueWords(v);
}

/** "status: probation → voting"; a field that appears or goes says only its one value. */
export function fieldWords(f: FieldChange): string {
  if (f.old === null) return `${f.field}: ${fieldValue(f.field, f.new)}`;
  if (f.new === null) return `${f.field}: was ${fieldValue(f.field, f.old)}`;
  return `${f.field}: ${fieldValue(f.field, f.old)} → ${fieldValue(f.field, f.new)}`;
}

const field = (c: WorldChange, name: string) => c.fields.find((f) => f.field === name);

/** One line per member or policy that changed between two worlds. */
export function worldChangeWords(c: WorldChange): string {
  if (c.change === 'joined') {
    const v = (name: string) => valueWords(field(c, name)?.new ?? null);
    return `${c.member} joined: ${v('organisation')} (${v('jurisdiction')}), ${v('status')}`;
  }
  if (c.change === 'left') return `${c.member} left`;
  const what = c.fields.map(fieldWords).join('; ');
  return c.change === 'policy' ? `policy: ${what}` : `${c.member}: ${what}`;
}

/** A change a motion asks, as a heading: "admit epsilon", "change the policy". */
export function changeHeading(d: ChangeDiff): string {
  switch (d.type) {
    case 'admit':
      return `admit ${d.member}`;
    case 'remove':
      return `remove ${d.member}`;
    case 'update-member':
      return `update ${d.member}`;
    case 'replace-governance-key':
      return `replace ${d.member}'s governance key`;
    case 'change-policy':
      return 'change the policy';
    case 'reinstate':
      return `reinstate ${d.member}`;
    case 'probation':
      return `put ${d.member} in probation`;
  }
}

/** What a motion asks, one line per change: "update epsilon: organisation: A → B". */
export function diffWords(diff: readonly ChangeDiff[]): string[] {
  return diff.map((d) => {
    const fields = d.fields.map(fieldWords).join('; ');
    return `${changeHeading(d)}: ${fields === '' ? 'no field changes' : fields}`;
  });
}

/** "open until …" or "passed at height 9, world v2". */
export function motionStateWords(m: TimelineMotion): string {
  if (m.decided === undefined || m.status === 'open') return `open until ${utc(m.deadlineMs)}`;
  return outcomeWords({
    result: m.status,
    ...(m.reason !== undefined ? { reason: m.reason } : {}),
    height: m.decided.height,
    worldVersion: m.decided.worldVersion,
  });
}

/** "motion 0123456789ab “admit epsilon” by alpha". */
export function motionTitle(m: Pick<TimelineMotion, 'id' | 'author' | 'summary'>): string {
  const summary = m.summary === undefined ? '' : ` “${m.summary}”`;
  return `motion ${short(m.id)}${summary} by ${m.author}`;
}
