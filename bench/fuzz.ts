// Fuzzing every decoder and route a root exposes to the world (`npm run bench -- fuzz`): at
// least 100,000 inputs each from one seed — random bytes, mutations of valid inputs and
// structure-aware cases — against the decoders in this process and against a live root (its
// own process) over HTTP and libp2p streams. Goals: 0 crashes (every refusal a typed error) and
// 0 state changes. test/resilience/fuzz.test.ts runs the same targets with fewer inputs.

import { decoderTargets } from './lib/fuzz/decoders.ts';
import { fixtures } from './lib/fuzz/fixtures.ts';
import { routeTargets, startLiveRoot, streamClient, streamTargets } from './lib/fuzz/live.ts';
import { type FuzzReport, fuzz } from './lib/fuzz/run.ts';
import { type BenchResult, type Figure, sizeOverride } from './lib/harness.ts';
import { recordResilience } from './lib/resilience.ts';
import type { BenchOptions } from './run.ts';

/** Inputs per target: the goal is at least 100,000 each. */
export const FUZZ_INPUTS = 100_000;
const QUICK_INPUTS = 2_000;
/** The seed of every run; a crash names the index that replays it. */
export const FUZZ_SEED = 20_261_204;

/** Every target: the decoders, then a live root's routes and streams. */
export async function fuzzAll(
  count: number,
  log: (line: string) => void = () => undefined,
): Promise<{
  reports: FuzzReport[];
  rootErrors: string[];
}> {
  const f = await fixtures();
  const reports: FuzzReport[] = [];
  const run = async (t: Parameters<typeof fuzz>[0]) => {
    const r = await fuzz(t, count, FUZZ_SEED);
    log(
      `${r.name}: ${r.inputs} inputs, ${r.accepted} accepted, ${r.refused} refused, ${r.crashes} crashes, ${r.stateChanges} state changes (${Math.round(r.ms)} ms)${r.examples.map((e) => `\n  ${e}`).join('')}`,
    );
    reports.push(r);
  };
  for (const t of await decoderTargets(f)) await run(t);
  const live = await startLiveRoot();
  try {
    for (const t of routeTargets(live, f)) await run(t as Parameters<typeof fuzz>[0]);
    const node = await streamClient(live);
    try {
      for (const t of await streamTargets(node, live, f)) await run(t);
    } finally {
      await node.stop();
    }
    return { reports, rootErrors: live.errors() };
  } finally {
    await live.stop();
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  // WITAN_BENCH_FUZZ_INPUTS overrides the count (for a machine where 100,000 per target does not fit).
  const override = sizeOverride('WITAN_BENCH_FUZZ_INPUTS');
  const count = override ?? (options.quick ? QUICK_INPUTS : FUZZ_INPUTS);
  const goal = options.quick ? QUICK_INPUTS : FUZZ_INPUTS;
  const { reports, rootErrors } = await fuzzAll(count, (line) => console.log(`  ${line}`));
  const figures: Figure[] = reports.map((r) => ({
    name: `${r.name} (${r.inputs.toLocaleString('en-US')} inputs: ${r.accepted.toLocaleString('en-US')} accepted, ${r.refused.toLocaleString('en-US')} refused)`,
    value: r.crashes + r.stateChanges,
    unit: 'crashes + state changes',
    goal: '= 0',
    met: r.crashes + r.stateChanges === 0 && r.inputs >= goal,
  }));
  figures.push({
    name: 'error lines in the live root’s log',
    value: rootErrors.length,
    unit: 'lines',
    goal: '= 0',
    met: rootErrors.length === 0,
  });
  const env = override === undefined ? '' : `WITAN_BENCH_FUZZ_INPUTS=${override} `;
  const command = `${env}npm run bench -- fuzz${options.quick ? ' --quick' : ''}`;
  const crashes = reports.reduce((n, r) => n + r.crashes, 0);
  const changes = reports.reduce((n, r) => n + r.stateChanges, 0);
  recordResilience(
    'fuzz',
    reports.map((r) => ({
      what: r.name,
      amount: `${r.inputs.toLocaleString('en-US')} inputs`,
      result: `${r.crashes} crashes, ${r.stateChanges} state changes (${r.refused.toLocaleString('en-US')} refused with a typed error)`,
      goal: `≥ ${goal.toLocaleString('en-US')} inputs, 0 crashes, 0 state changes`,
      met: r.crashes === 0 && r.stateChanges === 0 && r.inputs >= goal,
    })),
    command,
    [
      `seed ${FUZZ_SEED}; inputs: a third random bytes, a third mutations of valid inputs, a third structure-aware (valid JSON with one node replaced, lines and path segments edited)`,
      `decoders in the benchmark's process; routes over HTTP (24 requests in flight) and rendezvous/relay frames over libp2p streams against one live root process; ${crashes} crashes and ${changes} state changes in all; ${rootErrors.length} error lines in the root's log`,
      'a crash is an error that is not one of the typed ones (CodedError; for the relay frames, the protobuf reader’s own refusals), a 5xx other than 503, an answer without {code, message}, or a root that stops answering',
    ],
  );
  return {
    id: 'fuzz',
    title: 'Resilience: every decoder and route fuzzed',
    figures,
    notes: [`${count.toLocaleString('en-US')} inputs per target from seed ${FUZZ_SEED}; command: ${command}`],
  };
}
