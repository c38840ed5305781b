// `npm run sim -- --seeds 100000 [--n 4,7,10] [--seed S] [--start K] [--mutation M] [--hunt | --flood] [--trace] [--record] [--json]`
// Runs seeded simulations of the consensus core and prints runs, faults injected and violations.
// A failing run prints the command that reproduces it. Exit code 1 when any violation was found.

import type { UnsafeMutation } from '../consensus/index.ts';
import { floodPlan, MUTATIONS, mutationHuntPlan, randomPlan } from './plan.ts';
import { recordResult } from './results.ts';
import { type Faults, type RunResult, runSimulation } from './world.ts';

const USAGE = `usage: npm run sim -- [--seeds COUNT] [--n 4,7,10] [--seed S] [--start K] [--mutation ${MUTATIONS.join('|')}] [--hunt | --flood] [--json]
  --seeds COUNT  run seeds K..K+COUNT-1 (default 100), cycling through the --n sizes
  --seed S       run exactly seed S (with each --n size) and print its result
  --hunt         use the mutation-hunting plans (one double-voter, lossy links, six heights)
  --flood        use the flooding plans (f roots flood valid-looking messages all run long)
  --trace        with --seed: print every step of every root
  --record       write this campaign into bench/RESULTS.md (section sim-campaign, -flood or -hunt)
  --json         print one JSON summary instead of text`;

interface Args {
  seeds: number;
  start: number;
  sizes: number[];
  seed?: number;
  mutation?: UnsafeMutation;
  hunt: boolean;
  flood: boolean;
  json: boolean;
  trace: boolean;
  record: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seeds: 100,
    start: 1,
    sizes: [4, 7, 10],
    hunt: false,
    flood: false,
    json: false,
    trace: false,
    record: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    const int = (v: string): number => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) fail(`${a} needs a non-negative integer, got ${v}`);
      return n;
    };
    if (a === '--seeds') args.seeds = int(next());
    else if (a === '--start') args.start = int(next());
    else if (a === '--seed') args.seed = int(next());
    else if (a === '--n') args.sizes = next().split(',').map(int);
    else if (a === '--json') args.json = true;
    else if (a === '--hunt') args.hunt = true;
    else if (a === '--flood') args.flood = true;
    else if (a === '--trace') args.trace = true;
    else if (a === '--record') args.record = true;
    else if (a === '--mutation') {
      const name = next();
      const m = MUTATIONS.find((x) => x === name);
      if (m === undefined) fail(`--mutation is one of ${MUTATIONS.join(', ')}`);
      args.mutation = m;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  for (const n of args.sizes) if (n < 1 || n > 64) fail('--n sizes must be 1..64');
  if (args.hunt && args.flood) fail('--hunt and --flood are different plans: pick one');
  return args;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function run(seed: number, n: number, args: Args): RunResult {
  const options = args.mutation ? { mutation: args.mutation } : {};
  const plan = args.hunt
    ? mutationHuntPlan(seed, n, args.mutation)
    : args.flood
      ? floodPlan(seed, n, options)
      : randomPlan(seed, n, options);
  return runSimulation(plan, args.trace ? (line) => console.log(line) : undefined);
}

function reproduce(seed: number, n: number, args: Args): string {
  const extra = `${args.hunt ? ' --hunt' : ''}${args.flood ? ' --flood' : ''}${args.mutation ? ` --mutation ${args.mutation}` : ''}`;
  return `npm run sim -- --seed ${seed} --n ${n}${extra}`;
}

const args = parseArgs(process.argv.slice(2));
const totals: Faults = {
  lost: 0,
  duplicated: 0,
  partitioned: 0,
  crashes: 0,
  tornCrashes: 0,
  byzantineMessages: 0,
  flooded: 0,
  forgedCatchUps: 0,
};
const failures: { seed: number; n: number; kind: string; message: string; reproduce: string }[] = [];
let runs = 0;
let heights = 0;
let events = 0;
let evidence = 0;
let sendsMax = 0;
const started = performance.now();
let lastProgress = started;
const seeds =
  args.seed !== undefined ? [args.seed] : Array.from({ length: args.seeds }, (_, i) => args.start + i);

for (const seed of seeds) {
  const sizes = args.seed !== undefined ? args.sizes : [args.sizes[seed % args.sizes.length]!];
  for (const n of sizes) {
    const r = run(seed, n, args);
    runs++;
    heights += r.heights;
    events += r.events;
    evidence += r.evidence;
    sendsMax = Math.max(sendsMax, r.honestSendsPerWindowMax);
    for (const k of Object.keys(totals) as (keyof Faults)[]) totals[k] += r.faults[k];
    for (const v of r.violations) {
      failures.push({ seed, n, kind: v.kind, message: v.message, reproduce: reproduce(seed, n, args) });
      if (!args.json)
        console.log(
          `VIOLATION seed ${seed} n ${n}: ${v.kind}: ${v.message}\n  reproduce: ${reproduce(seed, n, args)}`,
        );
    }
    if (args.seed !== undefined && !args.json) {
      console.log(
        `seed ${seed} n ${n}: ${r.heights} heights, max round ${r.maxRound}, ${r.events} events, ${Math.round(r.virtualMs)} virtual ms, at most ${r.honestSendsPerWindowMax} sends per honest root per second, faults ${JSON.stringify(r.faults)}`,
      );
    }
  }
  const now = performance.now();
  if (!args.json && process.stderr.isTTY !== false && now - lastProgress > 1000) {
    lastProgress = now;
    const rate = runs / ((now - started) / 1000);
    process.stderr.write(
      `\r${runs}/${seeds.length} runs, ${failures.length} violations, ${rate.toFixed(0)} runs/s   `,
    );
  }
}

const seconds = (performance.now() - started) / 1000;
const faultsInjected = Object.values(totals).reduce((a, b) => a + b, 0);
const summary = {
  runs,
  sizes: args.sizes,
  mutation: args.mutation ?? null,
  heightsCommitted: heights,
  events,
  faultsInjected,
  faults: totals,
  evidenceRaised: evidence,
  honestSendsPerSecondMax: sendsMax,
  violations: failures.length,
  failures: failures.slice(0, 20),
  seconds: Number(seconds.toFixed(1)),
};
if (args.json) console.log(JSON.stringify(summary, null, 2));
else {
  process.stderr.write('\n');
  console.log(
    `${runs} runs (n = ${args.sizes.join(', ')}${args.mutation ? `, mutation ${args.mutation}` : ''}) in ${seconds.toFixed(1)} s: ${heights} heights committed, ${events} events, ${faultsInjected} faults injected ${JSON.stringify(totals)}, ${evidence} evidence raised, at most ${sendsMax} sends per honest root per second, ${failures.length} violations`,
  );
}
if (args.record) {
  recordResult({
    // One section per kind of plan, so a flooding or hunting campaign does not replace the random one.
    id: args.flood ? 'sim-campaign-flood' : args.hunt ? 'sim-campaign-hunt' : 'sim-campaign',
    title: `Consensus simulator: largest recorded campaign${args.flood ? ' of flooding plans' : args.hunt ? ' of mutation-hunting plans' : ''}`,
    figures: [
      { name: 'runs', value: runs, unit: 'runs' },
      { name: 'heights committed', value: heights, unit: 'heights' },
      { name: 'faults injected', value: faultsInjected, unit: 'faults' },
      { name: 'evidence raised by honest roots', value: evidence, unit: 'evidence' },
      {
        name: 'most messages one honest root sent in one second',
        value: sendsMax,
        unit: 'messages',
        goal: 'within the bound for n',
        met: !failures.some((f) => f.kind === 'send-rate'),
      },
      {
        name: 'violations',
        value: failures.length,
        unit: 'violations',
        goal: '= 0',
        met: failures.length === 0,
      },
    ],
    notes: [
      `command: npm run sim -- --seeds ${args.seeds} --start ${args.start} --n ${args.sizes.join(',')}${args.mutation ? ` --mutation ${args.mutation}` : ''}${args.hunt ? ' --hunt' : ''}${args.flood ? ' --flood' : ''} --record`,
      `faults: ${JSON.stringify(totals)}`,
      `${events} events in ${seconds.toFixed(0)} s of real time`,
    ],
  });
}
process.exitCode = failures.length > 0 ? 1 : 0;
