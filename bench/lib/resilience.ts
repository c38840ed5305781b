// The "resilience" table of bench/RESULTS.md: one table for the fault figures, filled by the
// benchmarks that measure them (fuzz, saturation, sigkill), each replacing only its own rows.
// What each part recorded (rows, command, machine, load) is kept as JSON in a comment inside the
// section, so a part that runs again re-renders the table with the others' rows unchanged.

import { availableParallelism, loadavg } from 'node:os';
import { machine, readSection, writeSection } from '../../src/sim/results.ts';

export const RESILIENCE_SECTION = 'resilience';

export type ResilienceRow = {
  /** What was exercised, e.g. "decoder: statements". */
  what: string;
  /** How much: inputs, duration, cycles. */
  amount: string;
  /** What happened, e.g. "0 crashes, 0 state changes". */
  result: string;
  goal: string;
  met: boolean;
};

export type ResiliencePart = {
  rows: ResilienceRow[];
  /** The command that measured these rows. */
  command: string;
  notes: string[];
  measured: string;
};

type Parts = Record<string, ResiliencePart>;

const DATA = /<!-- resilience-data (.*?) -->/s;

function partsOnFile(): Parts {
  const section = readSection(RESILIENCE_SECTION);
  const json = section === undefined ? undefined : DATA.exec(section)?.[1];
  return json === undefined ? {} : (JSON.parse(json) as Parts);
}

/** Replaces the rows of `part` in the resilience table and writes it. */
export function recordResilience(
  part: string,
  rows: ResilienceRow[],
  command: string,
  notes: string[] = [],
): void {
  const parts = partsOnFile();
  const averages = loadavg();
  const load = averages.map((l) => l.toFixed(1)).join(', ');
  // More runnable work than cores over the last one or five minutes: the figures are loaded.
  const loaded = Math.max(averages[0]!, averages[1]!) >= availableParallelism() ? '(loaded) ' : '';
  parts[part] = {
    rows,
    command,
    notes,
    measured: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}, ${loaded}load average ${load}`,
  };
  const lines = [
    `<!-- bench:${RESILIENCE_SECTION} -->`,
    '### Resilience: fuzzing, saturation, SIGKILL cycles',
    '',
    'Every decoder and route fuzzed, the federation under saturated HTTP and relay load while it',
    'commits, and a root SIGKILLed during commits, again and again. Each part lists its command,',
    'when and where it ran, and the load the machine was under.',
    '',
    '| part | what | amount | result | goal | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, p] of Object.entries(parts)) {
    for (const r of p.rows)
      lines.push(`| ${name} | ${r.what} | ${r.amount} | ${r.result} | ${r.goal} | ${r.met ? 'yes' : 'no'} |`);
  }
  lines.push('');
  for (const [name, p] of Object.entries(parts)) {
    lines.push(`- ${name}: \`${p.command}\`, measured ${p.measured}`);
    for (const n of p.notes) lines.push(`  - ${n}`);
  }
  lines.push(`<!-- resilience-data ${JSON.stringify(parts)} -->`, `<!-- /bench:${RESILIENCE_SECTION} -->`);
  writeSection(RESILIENCE_SECTION, lines.join('\n'));
}
