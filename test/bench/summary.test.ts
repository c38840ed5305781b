import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  GATHERING_SECTIONS,
  placeSummary,
  readFigures,
  renderSummary,
  SUMMARY_ID,
} from '../../bench/lib/summary.ts';
import { type BenchResult, renderSection } from '../../src/sim/results.ts';

const when = new Date('2026-12-01T10:00:00Z');

const append: BenchResult = {
  id: 'ledger-append',
  title: 'Ledger: durable appends',
  figures: [
    {
      name: 'durable appends, batch 256',
      value: 100_560,
      unit: 'entries/s',
      baseline: 'raw LevelDB sync batch, same bytes',
      baselineValue: 138_684,
      ratio: 0.725,
      goal: '≥ 0.8',
      met: false,
    },
    { name: 'a figure without baseline', value: 3, unit: 's' },
  ],
  notes: ['a note | with a bar'],
};
const relay: BenchResult = {
  id: 'relay',
  title: 'P2P: circuit relay on a root',
  figures: [
    {
      name: 'relayed throughput',
      value: 40,
      unit: 'MiB/s',
      baseline: 'direct',
      baselineValue: 60,
      ratio: 0.667,
      goal: '≥ 0.5',
      met: true,
    },
  ],
};
const file = `# Benchmark results\n\nHeader text.\n\n${renderSection(append, when)}\n\nNotes between sections.\n\n${renderSection(relay, when)}\n`;

test('every figure of every section is read, with its section and when it was measured', () => {
  const rows = readFigures(file);
  assert.deepEqual(
    rows.map((r) => [r.section, r.measure, r.value, r.baselineValue, r.ratio, r.goal, r.met, r.measured]),
    [
      [
        'ledger-append',
        'durable appends, batch 256',
        '100,560 entries/s',
        '138,684',
        '0.725',
        '≥ 0.8',
        'no',
        '2026-12-01 10:00 UTC',
      ],
      ['ledger-append', 'a figure without baseline', '3.000 s', '', '', '', '', '2026-12-01 10:00 UTC'],
      ['relay', 'relayed throughput', '40.0 MiB/s', '60.0', '0.667', '≥ 0.5', 'yes', '2026-12-01 10:00 UTC'],
    ],
  );
});

test('the summary goes at the top, replaces the previous one, and is not read back as figures', () => {
  const rows = readFigures(file);
  const summary = renderSummary(rows, when, [12.5, 10, 8.25]);
  assert.match(summary, /load average 12\.50 \/ 10\.00 \/ 8\.25/);
  assert.match(summary, /1 of 2 goals met/);
  const once = placeSummary(file, summary);
  assert.ok(once.startsWith('# Benchmark results\n\nHeader text.\n\n<!-- bench:summary -->'));
  assert.ok(once.indexOf(`<!-- /bench:${SUMMARY_ID} -->`) < once.indexOf('<!-- bench:ledger-append -->'));
  assert.deepEqual(readFigures(once), rows);
  const twice = placeSummary(once, renderSummary(readFigures(once), when, [1, 2, 3]));
  assert.equal(twice.match(/<!-- bench:summary -->/g)?.length, 1);
  assert.match(twice, /load average 1\.00 \/ 2\.00 \/ 3\.00/);
  assert.equal(twice.replace(/<!-- bench:summary -->[\s\S]*?<!-- \/bench:summary -->\n*/, ''), file);
});

test('a figure measured on another machine names it in the summary; one measured here does not', () => {
  const rows = readFigures(file);
  const here = rows[0]!.machine;
  assert.notEqual(here, '');
  const elsewhere = file.replace(
    /(<!-- bench:relay -->[\s\S]*?Measured .+? UTC on )[^\n]+/,
    (_, head: string) => `${head}2 × Another CPU, 8 GiB, Node v24.9.0, linux.`,
  );
  const summary = renderSummary(readFigures(elsewhere), when, [1, 1, 1], here);
  assert.match(summary, /\| 2026-12-01 10:00 UTC on 2 × Another CPU, 8 GiB, Node v24\.9\.0, linux \|/);
  assert.match(summary, /\| durable appends, batch 256 \|[^\n]*\| 2026-12-01 10:00 UTC \|/);
  assert.match(summary, /1 figure was measured on another machine, named beside it/);
  assert.doesNotMatch(renderSummary(rows, when, [1, 1, 1], here), /another machine/);
});

test('the recorded results file yields a row for every table row of its sections', () => {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'bench', 'RESULTS.md'), 'utf8');
  const rows = readFigures(text);
  const sections = [...text.matchAll(/<!-- bench:([a-z0-9-]+) -->/g)]
    .map((m) => m[1])
    .filter((s) => s !== SUMMARY_ID && !GATHERING_SECTIONS.includes(s as string));
  assert.deepEqual([...new Set(rows.map((r) => r.section))], sections);
  for (const r of rows) assert.notEqual(r.measured, '', `${r.section}: no "Measured" line`);
});
