// The audit report (docs/auditing.md §"Report"): one JSON shape (`--json`), the source of
// truth, rendered as a text summary for people (here) and as a self-contained HTML page
// (report-html.ts). Exit codes: 0 everything verified, 1 a violation found, 2 could not complete.

import type { RootReport, Violation } from './audit.ts';
import type { ReplayHistory, ReplaySummary } from './replay.ts';
import {
  age,
  diffWords,
  INCOMPLETE_TODO,
  motionStateWords,
  motionTitle,
  ROOT_VERDICT_WORDS,
  short,
  utc,
  VERDICT_WORDS,
  VIOLATION_WORDS,
  worldChangeWords,
} from './report-words.ts';
import { type TimelineMotion, timelineItems } from './timeline.ts';

export const REPORT_FORMAT = 'witan-audit-report/v1';

export type AuditResult = 'verified' | 'violations' | 'incomplete';

export type AuditReport = {
  format: typeof REPORT_FORMAT;
  federation: string;
  genesisWorldHash: string;
  startedAtMs: number;
  finishedAtMs: number;
  /**
   * The clock every time check used (freshness, cosignatures from the future): ms since the
   * epoch, whether it is this machine's clock or was given, and how far ahead of it a
   * cosignature may be dated.
   */
  clock: { nowMs: number; source: 'system' | 'given'; skewMs: number };
  result: AuditResult;
  exitCode: 0 | 1 | 2;
  roots: RootReport[];
  tree: { size: number; rootHash: string; source: string; fromSize: number; entriesFetched: number } | null;
  /** How every root's tiles and bundles were compared with the verified tree (null: no tree verified). */
  dataCheck: { bundles: 'all' | 'sample'; sampleBundles?: number; seed: string } | null;
  governance:
    | (ReplaySummary &
        /** Absent when no tree verified and an earlier audit's state did not hold them. */
        Partial<ReplayHistory> & {
          members: {
            name: string;
            organisation: string;
            jurisdiction: string;
            status: string;
            since: number;
          }[];
          openMotions: number;
        })
    | null;
  violations: Violation[];
  incomplete: string[];
  witness: {
    name: string;
    vkey: string;
    submitted: { root: string; status: number; body: string }[];
    refused?: string;
  } | null;
  stats: { durationMs: number; entriesPerSecond: number; bytesFetched: number; statePath: string | null };
};

export function resultOf(
  violations: number,
  incomplete: number,
): { result: AuditResult; exitCode: 0 | 1 | 2 } {
  if (violations > 0) return { result: 'violations', exitCode: 1 };
  if (incomplete > 0) return { result: 'incomplete', exitCode: 2 };
  return { result: 'verified', exitCode: 0 };
}

const percent = (p: number) => `${(p * 100).toFixed(p >= 0.995 || p === 0 ? 0 : 2)} %`;

/** One row of a root's table. `status` lets a page mark the value; the words never need it. */
export type RootRow = { label: string; value: string; status?: 'ok' | 'bad' | 'unknown' };

const agreement = (agree: boolean | null): Pick<RootRow, 'value' | 'status'> =>
  agree === true
    ? { value: 'agree', status: 'ok' }
    : agree === false
      ? { value: 'DISAGREE', status: 'bad' }
      : { value: 'not all compared', status: 'unknown' };

const rootStatus = { verified: 'ok', violation: 'bad', incomplete: 'unknown' } as const;

/**
 * One root as labelled rows — verdict, size, checkpoint, cosigners, freshness, tiles, bundles,
 * world —, the same in the text and HTML reports. A new per-root check adds its row here.
 */
export function rootRows(r: RootReport): RootRow[] {
  const rows: RootRow[] = [
    { label: 'verdict', value: ROOT_VERDICT_WORDS[r.verdict], status: rootStatus[r.verdict] },
  ];
  if (!r.reachable) return [...rows, { label: 'unreachable', value: r.error ?? '', status: 'bad' }];
  const c = r.checkpoint;
  if (c === undefined)
    return [...rows, { label: 'checkpoint', value: r.error ?? 'not checked', status: 'bad' }];
  const consistent =
    c.consistent === true
      ? 'in the verified tree'
      : c.consistent === false
        ? 'NOT in the verified tree'
        : 'not compared';
  rows.push(
    { label: 'size', value: `${c.size} entries` },
    {
      label: 'checkpoint',
      value: `root ${short(c.rootHash)}…, ${consistent}; ${c.committed ? 'committed' : 'NOT committed'} (quorum ${c.quorum} of ${c.validatorCount} validators${c.quorumWorld !== undefined ? ` of world v${c.quorumWorld.version}` : ''}), log signature by ${c.logSigner ?? 'no member'}`,
      status: c.consistent === false || !c.committed ? 'bad' : c.consistent === null ? 'unknown' : 'ok',
    },
    {
      label: 'cosigners',
      value: `${c.cosigners.map((x) => x.name).join(', ') || 'none'}${c.unknownSigners.length > 0 ? `; others: ${c.unknownSigners.join(', ')}` : ''}`,
    },
    {
      label: 'ML-DSA-44',
      value: c.mlDsaCosigners.length > 0 ? c.mlDsaCosigners.join(', ') : 'no ML-DSA-44 cosignature',
    },
    {
      label: 'federation',
      value: c.federationSigned ? 'signed by the federation key' : 'no federation line',
    },
    c.quorumAgeMs === undefined
      ? { label: 'freshness', value: 'no quorum of cosignatures', status: 'bad' }
      : {
          label: 'freshness',
          value: `newest quorum ${age(c.quorumAgeMs)} old (${c.fresh ? 'fresh' : 'STALE'})`,
          status: c.fresh ? 'ok' : 'bad',
        },
  );
  const d = r.data;
  if (d !== undefined) {
    if (d.skipped !== undefined)
      rows.push({ label: 'data', value: `not compared: ${d.skipped}`, status: 'unknown' });
    else {
      const b = d.bundles;
      const how = b.sampled
        ? `a random sample; a root altering ≥ 1 bundle is caught with probability ${percent(b.detectionProbability)}`
        : 'all';
      const tiles = agreement(d.tiles.agree);
      const bundles = agreement(b.agree);
      rows.push(
        { label: 'tiles', ...tiles, value: `${d.tiles.checked} compared, ${tiles.value}` },
        {
          label: 'bundles',
          ...bundles,
          value: `${b.verified} of ${b.total} verified (${how}), ${bundles.value}`,
        },
      );
      if (d.error !== undefined)
        rows.push({ label: 'data', value: `comparison stopped: ${d.error}`, status: 'unknown' });
    }
  }
  if (r.world !== undefined)
    rows.push({
      label: 'world',
      value: `${r.world.status}${r.world.version !== undefined ? ` v${r.world.version}` : ''}`,
      status: r.world.status === 'current' ? 'ok' : r.world.status === 'superseded' ? 'unknown' : 'bad',
    });
  return rows;
}

/** The ledger, and how every root's data was compared. */
export function ledgerLines(report: AuditReport): string[] {
  if (report.tree === null) return ['no tree could be verified'];
  const t = report.tree;
  const lines = [
    `${report.federation}: ${t.size} entries, root ${short(t.rootHash)}…, read from ${t.source}`,
    `fetched ${t.entriesFetched} entries (from size ${t.fromSize}), ${report.stats.entriesPerSecond.toFixed(0)} entries/s`,
  ];
  const dc = report.dataCheck;
  if (dc !== null)
    lines.push(
      `every root's hash tiles compared; bundles: ${dc.bundles === 'all' ? 'all' : `a sample of ${dc.sampleBundles} per root`} (seed ${dc.seed})`,
    );
  return lines;
}

export function clockLine(report: AuditReport): string {
  const c = report.clock;
  return `${new Date(c.nowMs).toISOString()} (${c.source === 'system' ? "this machine's clock" : 'given'}); cosignatures may be dated at most ${c.skewMs / 1000} s ahead of it`;
}

/** What the timeline leaves out, in words (empty when nothing). */
export function omittedLines(t: NonNullable<ReplayHistory['timeline']>): string[] {
  const out: string[] = [];
  if (t.worldsOmitted > 0)
    out.push(
      `${t.worldsOmitted} earlier world versions are not detailed (the report details the newest ${t.limits.worlds}).`,
    );
  if (t.motionsOmitted > 0)
    out.push(
      `${t.motionsOmitted} earlier decided motions are not detailed (the report details the newest ${t.limits.motions}; governance.motions lists them).`,
    );
  return out;
}

function timelineLines(t: NonNullable<ReplayHistory['timeline']>): string[] {
  const motionLines = (m: TimelineMotion, prefix: string, indent: string) => [
    `${indent}${prefix}${motionTitle(m)}: ${motionStateWords(m)}; ${m.decided === undefined ? 'so far ' : ''}${tallyShort(m)}`,
    ...diffWords(m.diff).map((l) => `${indent}  asks: ${l}`),
    ...m.ballots.map(
      (b) => `${indent}  ${b.member} ${b.choice}${b.reason !== undefined ? ` — ${b.reason}` : ''}`,
    ),
  ];
  const items = timelineItems(t).flatMap((item) => {
    if (item.kind === 'motion') return motionLines(item.motion, '', '');
    const w = item.world;
    const causes =
      w.version === 1
        ? []
        : item.causes.length === 0
          ? ['  by the rules at batch time (a probation ending)']
          : item.causes.flatMap(({ cause: c, motion }) =>
              motion !== undefined
                ? motionLines(motion, 'by ', '  ')
                : [`  by ${c.kind} ${short(c.id)}${c.author !== undefined ? ` of ${c.author}` : ''}`],
            );
    return [
      `world v${w.version}  ${w.version === 1 ? 'genesis' : utc(w.timeMs)}  entry ${w.entryIndex}`,
      ...w.changes.map((c) => `  ${worldChangeWords(c)}`),
      ...causes,
    ];
  });
  return [...omittedLines(t), ...items];
}

const tallyShort = (m: { tally: { yes: number; needed: number; no: number; abstain: number } }) =>
  `yes ${m.tally.yes} of ${m.tally.needed} needed, ${m.tally.no} no${m.tally.abstain > 0 ? `, ${m.tally.abstain} abstained` : ''}`;

/** The ledger-growth series in one line. */
export function growthLine(g: NonNullable<ReplayHistory['growth']>): string {
  const first = g.points[0];
  const last = g.points.at(-1);
  if (first === undefined || last === undefined) return 'no batch yet';
  return `${first.entries} entries at ${utc(first.timeMs)} → ${last.entries} at ${utc(last.timeMs)} (${g.points.length} points, one per ${g.batchesPerPoint === 1 ? 'batch' : `${g.batchesPerPoint} batches`})`;
}

/** A titled part of the text report: lines, and tables of label/value rows (one per root). */
type Section = { title: string; lines: string[]; tables?: { caption: string; rows: RootRow[] }[] };

function sections(report: AuditReport): Section[] {
  const out: Section[] = [];
  const g = report.governance;
  if (report.violations.length > 0)
    out.push({
      title: `Violations (${report.violations.length})`,
      lines: report.violations.flatMap((v) => [
        `[${v.kind}] ${v.message}`,
        `    means: ${VIOLATION_WORDS[v.kind].means}`,
        `    to do: ${VIOLATION_WORDS[v.kind].todo}`,
        ...(v.evidenceFile ? [`    evidence: ${v.evidenceFile}`] : []),
        ...(v.unprovable ? [`    no evidence file: ${v.unprovable}`] : []),
      ]),
    });
  if (report.incomplete.length > 0)
    out.push({ title: 'Could not complete', lines: [...report.incomplete, `to do: ${INCOMPLETE_TODO}`] });
  out.push({ title: 'Ledger', lines: ledgerLines(report) });
  out.push({ title: 'Clock', lines: [clockLine(report)] });
  out.push({
    title: `Roots (${report.roots.length})`,
    lines: [],
    tables: report.roots.map((r) => ({ caption: r.url, rows: rootRows(r) })),
  });
  if (g !== null) {
    if (g.growth !== undefined) out.push({ title: 'Ledger growth', lines: [growthLine(g.growth)] });
    out.push({
      title: `Members (${g.members.length})`,
      lines: g.members.map(
        (m) =>
          `${m.name}  ${m.organisation} (${m.jurisdiction})  ${m.status} ${m.since > 0 ? `since ${utc(m.since)}` : '(founding member)'}`,
      ),
    });
    out.push({
      title: `Worlds (${g.worlds.length}) and motions (${g.motions.length + g.motionsDropped})`,
      lines:
        g.timeline !== undefined
          ? timelineLines(g.timeline)
          : g.worlds.map(
              (w) => `v${w.version}  ${short(w.worldHash)}…  entry ${w.entryIndex}  ${utc(w.timeMs)}`,
            ),
    });
    out.push({
      title: `Federation keys (${g.federationKeys.length}), each recomputed from its DKG transcript`,
      lines: [
        ...g.federationKeys.map(
          (k) =>
            `v${k.version}  ${k.publicKey}  ${k.threshold} of ${k.participants.length} (${k.participants.join(', ')})  session ${k.session.slice(0, 12)}…`,
        ),
        ...g.ceremonyExclusions.map(
          (x) =>
            `left out: ${x.member} (${x.reason}) at entry ${x.entryIndex}, session ${x.session.slice(0, 12)}…`,
        ),
        `${g.worldsSigned} worlds carry the federation's signatures in the ledger`,
      ],
    });
    out.push({
      title: 'Ballots per member',
      lines: Object.entries(g.perMember).map(
        ([name, p]) => `${name}: ${p.motions} motions, ${p.yes} yes, ${p.no} no, ${p.abstain} abstain`,
      ),
    });
  }
  if (report.witness !== null) {
    out.push({
      title: `Witness ${report.witness.name}`,
      lines: [
        report.witness.vkey,
        ...(report.witness.refused ? [`refused: ${report.witness.refused}`] : []),
        ...report.witness.submitted.map((s) => `${s.root}: ${s.status} ${s.body.trim().slice(0, 120)}`),
      ],
    });
  }
  if (report.violations.length === 0) out.push({ title: 'Violations (0)', lines: ['none'] });
  return out;
}

function textTable(t: { caption: string; rows: RootRow[] }): string[] {
  const width = Math.max(...t.rows.map((r) => r.label.length));
  return [t.caption, ...t.rows.map((r) => `  ${r.label.padEnd(width)}  ${r.value}`)];
}

/** The text report: the verdict first, then every section. */
export function formatText(report: AuditReport): string {
  const v = VERDICT_WORDS[report.result];
  const body = sections(report).map((s) => {
    const lines = [...s.lines, ...(s.tables ?? []).flatMap(textTable)];
    return `${s.title}\n${lines.map((l) => `  ${l}`).join('\n')}`;
  });
  return `${v.symbol} ${v.word.toUpperCase()} (${report.federation}, ${utc(report.finishedAtMs)})\n${v.means}\n\n${body.join('\n\n')}\n`;
}
