// Results files: a run's figures written as one Markdown section of bench/RESULTS.md, replaced
// in place when the same run is recorded again. Used by the benchmarks (bench/) and by the
// simulator's `--record`; it lives here so that src/ never imports bench/.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** bench/RESULTS.md, from this file's folder. */
export const RESULTS_FILE = join(import.meta.dirname, '..', '..', 'bench', 'RESULTS.md');

export type Figure = {
  /** What was measured, e.g. "durable appends, batch 256". */
  name: string;
  value: number;
  unit: string;
  /** Baseline run side by side, e.g. "raw LevelDB batch, same bytes". */
  baseline?: string;
  baselineValue?: number;
  /** ratio = value / baselineValue, or its inverse when lower is better (see higherIsBetter). */
  ratio?: number;
  /** The goal the figure is held to, e.g. ">= 0.8". */
  goal?: string;
  met?: boolean;
};

export type BenchResult = { id: string; title: string; figures: Figure[]; notes?: string[] };

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

export function renderSection(result: BenchResult, when: Date): string {
  const lines = [
    `<!-- bench:${result.id} -->`,
    `### ${result.title}`,
    '',
    `Measured ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}.`,
    '',
    '| measure | value | baseline (same run) | baseline value | ratio | goal | met |',
    '|---|---:|---|---:|---:|---|---|',
  ];
  for (const f of result.figures) {
    lines.push(
      `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.baseline ?? ''} | ${fmt(f.baselineValue)} | ${fmt(f.ratio)} | ${f.goal ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : 'no'} |`,
    );
  }
  if (result.notes?.length) lines.push('', ...result.notes.map((n) => `- ${n}`));
  lines.push(`<!-- /bench:${result.id} -->`);
  return lines.join('\n');
}

export function printResult(result: BenchResult): void {
  console.log(`\n${result.title}`);
  for (const f of result.figures) {
    const ratio =
      f.ratio === undefined
        ? ''
        : `  ratio ${fmt(f.ratio)}${f.goal ? ` (goal ${f.goal}: ${f.met ? 'met' : 'NOT met'})` : ''}`;
    const base = f.baseline ? `  vs ${f.baseline} ${fmt(f.baselineValue)}` : '';
    console.log(`  ${f.name}: ${fmt(f.value)} ${f.unit}${base}${ratio}`);
  }
}

const HEADER = `# Benchmark results

Written by \`npm run bench\` (all) or \`npm run bench -- <id>\` (one). Each figure is a ratio
against a baseline run in the same invocation on the same machine. Sections are replaced in
place when their benchmark runs again.
`;

export function recordResult(result: BenchResult, file = RESULTS_FILE): void {
  writeSection(result.id, renderSection(result, new Date()), file);
}

/** The text of section `id` (between its markers), or undefined when the file has none. */
export function readSection(id: string, file = RESULTS_FILE): string | undefined {
  if (!existsSync(file)) return undefined;
  return sectionPattern(id).exec(readFileSync(file, 'utf8'))?.[0];
}

function sectionPattern(id: string): RegExp {
  return new RegExp(`<!-- bench:${id} -->[\\s\\S]*?<!-- /bench:${id} -->`);
}

/** Replaces section `id` (a whole `<!-- bench:id -->…<!-- /bench:id -->` block) or appends it. */
export function writeSection(id: string, section: string, file = RESULTS_FILE): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const pattern = sectionPattern(id);
  text = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
  formatResultsFile(file);
}

/** `npm test` runs `biome check .`, which also formats Markdown tables: keep the file as it wants. */
export function formatResultsFile(file = RESULTS_FILE): void {
  const biome = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) spawnSync(biome, ['format', '--write', file], { stdio: 'ignore' });
}
