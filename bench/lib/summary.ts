// `npm run bench -- --summary`: one table of every figure recorded in bench/RESULTS.md — each
// with its baseline, ratio, goal and whether it is met, and when its section was measured —
// read from the recorded sections (nothing is re-run), printed and written at the top of the
// file with the machine and its load average at the time of writing.

import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { formatResultsFile, machine } from '../../src/sim/results.ts';

/** Marks the summary in the results file; sections use the same form with their id. */
export const SUMMARY_ID = 'summary';

/**
 * Sections that gather, in a table of their own shape, figures recorded in other sections
 * (the resilience table repeats saturation, sigkill and fuzz): not read, so no figure is counted twice.
 */
export const GATHERING_SECTIONS: readonly string[] = ['resilience'];

/** One row of a recorded section's table, as written there. */
export type SummaryRow = {
  section: string;
  title: string;
  /** "2026-11-29 11:14 UTC", from the section's "Measured … on …" line. */
  measured: string;
  /** The machine of that line ("2 × …, 24 GiB, Node v24.9.0, linux"). */
  machine: string;
  measure: string;
  value: string;
  baseline: string;
  baselineValue: string;
  ratio: string;
  goal: string;
  met: string;
};

const SECTION = /<!-- bench:([a-z0-9-]+) -->([\s\S]*?)<!-- \/bench:\1 -->/g;
const MEASURED = /^Measured (.+? UTC) on (.+?)\.?$/m;

/** The cells of a Markdown table row, trimmed; undefined for a line that is not a row. */
function cells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith('|') || !t.endsWith('|')) return undefined;
  return t
    .slice(1, -1)
    .split('|')
    .map((c) => c.trim());
}

/** Every figure of every recorded section, in file order (the summary itself excluded). */
export function readFigures(text: string): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const match of text.matchAll(SECTION)) {
    const [, section, body] = match as unknown as [string, string, string];
    if (section === SUMMARY_ID || GATHERING_SECTIONS.includes(section)) continue;
    const title = /^### (.+)$/m.exec(body)?.[1]?.trim() ?? section;
    const line = MEASURED.exec(body);
    const measured = line?.[1] ?? '';
    const machine = line?.[2] ?? '';
    const table = body.split('\n').map(cells);
    // The header row, the separator row, then one row per figure (src/sim/results.ts).
    for (const row of table.slice(table.findIndex((c) => c !== undefined) + 2)) {
      if (row === undefined || row.length !== 7) continue;
      const [measure, value, baseline, baselineValue, ratio, goal, met] = row as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      rows.push({
        section,
        title,
        measured,
        machine,
        measure,
        value,
        baseline,
        baselineValue,
        ratio,
        goal,
        met,
      });
    }
  }
  return rows;
}

const escapeBars = (s: string) => s.replaceAll('|', '\\|');

/** The summary section: one table, every figure, where each comes from. */
export function renderSummary(
  rows: readonly SummaryRow[],
  when: Date,
  load: readonly number[],
  here = machine(),
): string {
  const withGoal = rows.filter((r) => r.goal !== '' && r.met !== '');
  const met = withGoal.filter((r) => r.met === 'yes').length;
  // A ratio holds for the machine it was measured on: one from another machine says which.
  const fromElsewhere = (r: SummaryRow) => r.machine !== '' && r.machine !== here;
  const elsewhere = rows.filter(fromElsewhere).length;
  const measuredCell = (r: SummaryRow) => (fromElsewhere(r) ? `${r.measured} on ${r.machine}` : r.measured);
  const lines = [
    `<!-- bench:${SUMMARY_ID} -->`,
    '### Summary: every figure',
    '',
    `Written ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}, load average ${load.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min), from the sections below (each measured when its section says${elsewhere > 0 ? `; ${elsewhere} ${elsewhere === 1 ? 'figure was' : 'figures were'} measured on another machine, named beside ${elsewhere === 1 ? 'it' : 'them'}` : ''}); ${met} of ${withGoal.length} goals met.`,
    '',
    '| benchmark | measure | value | baseline (same run) | baseline value | ratio | goal | met | measured |',
    '|---|---|---:|---|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.section} | ${escapeBars(r.measure)} | ${r.value} | ${escapeBars(r.baseline)} | ${r.baselineValue} | ${r.ratio} | ${r.goal} | ${r.met} | ${measuredCell(r)} |`,
    );
  }
  lines.push(`<!-- /bench:${SUMMARY_ID} -->`);
  return lines.join('\n');
}

/** Puts `summary` at the top of the results text, after its header, replacing an older one. */
export function placeSummary(text: string, summary: string): string {
  const old = new RegExp(`<!-- bench:${SUMMARY_ID} -->[\\s\\S]*?<!-- /bench:${SUMMARY_ID} -->\\n*`);
  const rest = text.replace(old, '');
  const first = rest.indexOf('<!-- bench:');
  if (first < 0) return `${rest.trimEnd()}\n\n${summary}\n`;
  return `${rest.slice(0, first)}${summary}\n\n${rest.slice(first)}`;
}

/** Reads `file`, prints the summary table and writes it at the top of the file. */
export function writeSummary(file: string, now = new Date()): SummaryRow[] {
  const text = readFileSync(file, 'utf8');
  const rows = readFigures(text);
  const summary = renderSummary(rows, now, loadavg());
  writeFileSync(file, placeSummary(text, summary));
  formatResultsFile(file);
  console.log(summary.split('\n').slice(1, -1).join('\n'));
  return rows;
}
