// `npm run bench [-- <id>...] [--quick] [--summary]`: runs benchmarks, prints them, and records
// each in bench/RESULTS.md. With no ids, runs all of them in order — except with --summary alone,
// which runs nothing and writes the table of every recorded figure (lib/summary.ts).
import { type BenchResult, printResult, RESULTS_FILE, recordResult } from '../src/sim/results.ts';
import { writeSummary } from './lib/summary.ts';

export type BenchOptions = { quick: boolean };
type BenchModule = { run: (options: BenchOptions) => Promise<BenchResult> };

/** Benchmarks in the order they run; each id is a file bench/<id>.ts. */
const BENCHES: readonly string[] = [
  'ledger-append',
  'merkle-tiles',
  'tiles-serving',
  'world-serving',
  'consensus',
  'relay',
  'rendezvous',
  'netlab',
  'partitions',
  'audit',
  'root-commit',
  'root-throughput',
  'root-memory',
  'frost',
  'ml-dsa',
  'fuzz',
  'saturation',
  'sigkill',
];

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`usage: npm run bench [-- <id>...] [--quick] [--summary]

Benchmarks (each prints a ratio against a baseline measured in the same run):
${BENCHES.map((b) => `  ${b}`).join('\n')}

--quick   smaller sizes, for a smoke test; figures are still recorded.
--summary one table of every figure recorded in bench/RESULTS.md (baseline, ratio, goal, met),
          printed and written at the top of the file with the machine and load average; runs
          no benchmark unless ids are given (then after them).`);
  process.exit(0);
}
const quick = args.includes('--quick');
const summary = args.includes('--summary');
const wanted = args.filter((a) => !a.startsWith('--'));
for (const flag of args.filter((a) => a.startsWith('--'))) {
  if (!['--quick', '--summary'].includes(flag)) {
    console.error(`unknown option "${flag}"; see --help`);
    process.exit(2);
  }
}
for (const id of wanted) {
  if (!(BENCHES as readonly string[]).includes(id)) {
    console.error(`unknown benchmark "${id}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
}
for (const id of wanted.length > 0 ? wanted : summary ? [] : BENCHES) {
  const mod = (await import(`./${id}.ts`)) as BenchModule;
  console.log(`running ${id}${quick ? ' (quick)' : ''} …`);
  const result = await mod.run({ quick });
  printResult(result);
  recordResult(result);
}
if (summary) writeSummary(RESULTS_FILE);
