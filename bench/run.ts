// `npm run bench [-- <id>...] [--quick]`: runs benchmarks, prints them, and records each in
// bench/RESULTS.md. With no ids, runs all of them in order.
import { type BenchResult, printResult, recordResult } from '../src/sim/results.ts';

export type BenchOptions = { quick: boolean };
type BenchModule = { run: (options: BenchOptions) => Promise<BenchResult> };

/** Benchmarks in the order they run; each id is a file bench/<id>.ts. */
const BENCHES: readonly string[] = [
  'ledger-append',
  'merkle-tiles',
  'tiles-serving',
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
  console.log(`usage: npm run bench [-- <id>...] [--quick]

Benchmarks (each prints a ratio against a baseline measured in the same run):
${BENCHES.map((b) => `  ${b}`).join('\n')}

--quick   smaller sizes, for a smoke test; figures are still recorded.`);
  process.exit(0);
}
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));
for (const id of wanted) {
  if (!(BENCHES as readonly string[]).includes(id)) {
    console.error(`unknown benchmark "${id}"; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
}
for (const id of wanted.length > 0 ? wanted : BENCHES) {
  const mod = (await import(`./${id}.ts`)) as BenchModule;
  console.log(`running ${id}${quick ? ' (quick)' : ''} …`);
  const result = await mod.run({ quick });
  printResult(result);
  recordResult(result);
}
