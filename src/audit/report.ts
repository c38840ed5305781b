// The audit report (docs/auditing.md §"Report"): one JSON shape (`--json`), a text summary
// for people, and a self-contained HTML page (`--html <file>`, no external resources, every
// value escaped). Exit codes: 0 everything verified, 1 a violation found, 2 could not complete.

import type { RootReport, Violation } from './audit.ts';
import type { ReplaySummary } from './replay.ts';

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
  governance:
    | (ReplaySummary & {
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

const iso = (ms: number) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : '—');

/** Cosigner coverage of one root's checkpoint: "3/4 validators (quorum 3), log by m00". */
function coverage(r: RootReport): string {
  if (!r.reachable) return `unreachable: ${r.error}`;
  const c = r.checkpoint;
  if (c === undefined) return r.error ?? 'no checkpoint checked';
  const names = c.cosigners.map((x) => x.name).join(', ') || 'none';
  const outside = c.unknownSigners.length > 0 ? `; others: ${c.unknownSigners.join(', ')}` : '';
  const world = c.quorumWorld !== undefined ? ` of world v${c.quorumWorld.version}` : '';
  const pq =
    c.mlDsaCosigners.length > 0
      ? `; ML-DSA-44 by ${c.mlDsaCosigners.join(', ')}`
      : '; no ML-DSA-44 cosignature';
  const federation = c.federationSigned ? '; signed by the federation key' : '';
  return `size ${c.size}, ${c.committed ? 'committed' : 'NOT committed'}: cosigned by ${names} (quorum ${c.quorum} of ${c.validatorCount} validators${world})${pq}${federation}, log by ${c.logSigner ?? 'nobody known'}${outside}`;
}

type Section = { title: string; lines: string[] };

function sections(report: AuditReport): Section[] {
  const out: Section[] = [];
  const g = report.governance;
  out.push({
    title: 'Ledger',
    lines: report.tree
      ? [
          `${report.federation}: ${report.tree.size} entries, root ${report.tree.rootHash.slice(0, 16)}…, read from ${report.tree.source}`,
          `fetched ${report.tree.entriesFetched} entries (from size ${report.tree.fromSize}), ${report.stats.entriesPerSecond.toFixed(0)} entries/s`,
        ]
      : ['no tree could be verified'],
  });
  out.push({
    title: 'Clock',
    lines: [
      `${iso(report.clock.nowMs)} (${report.clock.source === 'system' ? "this machine's clock" : 'given'}); cosignatures may be dated at most ${report.clock.skewMs / 1000} s ahead of it`,
    ],
  });
  if (g !== null) {
    out.push({
      title: `Members (${g.members.length})`,
      lines: g.members.map(
        (m) => `${m.name}  ${m.organisation} (${m.jurisdiction})  ${m.status} since ${iso(m.since)}`,
      ),
    });
    out.push({
      title: `Worlds over time (${g.worlds.length})`,
      lines: g.worlds.map(
        (w) =>
          `v${w.version}  ${w.worldHash.slice(0, 16)}…  entry ${w.entryIndex}  ${iso(w.timeMs)}  ${w.voting}/${w.members} voting`,
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
      title: `Motions (${g.motions.length + g.motionsDropped}) and ballots per member`,
      lines: [
        ...g.motions.slice(-50).map((m) => {
          const votes = Object.entries(m.ballots)
            .map(([who, c]) => `${who}:${c}`)
            .join(' ');
          return `${m.id.slice(0, 12)}… by ${m.author} ${iso(m.createdMs)} → ${m.result ?? 'open'}  ${votes}`;
        }),
        ...Object.entries(g.perMember).map(
          ([name, p]) => `${name}: ${p.motions} motions, ${p.yes} yes, ${p.no} no, ${p.abstain} abstain`,
        ),
      ],
    });
  }
  out.push({
    title: 'Cosigner coverage per root',
    lines: report.roots.map(
      (r) =>
        `${r.url}: ${coverage(r)}${r.world ? `; /world ${r.world.status}${r.world.version ? ` v${r.world.version}` : ''}` : ''}`,
    ),
  });
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
  out.push({
    title: `Violations (${report.violations.length})`,
    lines:
      report.violations.length === 0
        ? ['none']
        : report.violations.map(
            (v) =>
              `[${v.kind}] ${v.message}${v.evidenceFile ? `\n    evidence: ${v.evidenceFile}` : ''}${v.unprovable ? `\n    no evidence file: ${v.unprovable}` : ''}`,
          ),
  });
  if (report.incomplete.length > 0) out.push({ title: 'Could not complete', lines: report.incomplete });
  return out;
}

const VERDICT: Record<AuditResult, string> = {
  verified: 'VERIFIED: every check passed',
  violations: 'VIOLATIONS FOUND',
  incomplete: 'INCOMPLETE: the audit could not check everything',
};

export function formatText(report: AuditReport): string {
  const body = sections(report).map((s) => `${s.title}\n${s.lines.map((l) => `  ${l}`).join('\n')}`);
  return `${VERDICT[report.result]} (${report.federation}, ${iso(report.finishedAtMs)})\n\n${body.join('\n\n')}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatHtml(report: AuditReport): string {
  const body = sections(report)
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2><ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></section>`,
    )
    .join('\n');
  const color =
    report.result === 'verified' ? '#1a7f37' : report.result === 'violations' ? '#cf222e' : '#9a6700';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Witan audit — ${escapeHtml(report.federation)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}
h1{color:${color}}li{font-family:ui-monospace,monospace;font-size:13px;white-space:pre-wrap}</style></head>
<body><h1>${escapeHtml(VERDICT[report.result])}</h1>
<p>${escapeHtml(report.federation)} · genesis world ${escapeHtml(report.genesisWorldHash)} · ${escapeHtml(iso(report.finishedAtMs))}</p>
${body}
<details><summary>JSON report</summary><pre>${escapeHtml(JSON.stringify(report, null, 2))}</pre></details>
</body></html>
`;
}
