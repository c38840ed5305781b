// SIGKILL cycles of a root during commits (`npm run bench -- sigkill`): four root processes,
// ballots arriving all the while, 100 cycles that each kill one root (in turn) a random moment
// after a ballot and start it again. Goals: 0 committed entries lost, 0 double votes, every
// ballot an alive root took committed. test/resilience/sigkill.test.ts runs a few cycles.

import { createFederation, startAll } from '../test/node/fixtures/federation.ts';
import { type BenchResult, sizeOverride } from './lib/harness.ts';
import { recordResilience } from './lib/resilience.ts';
import { sigkillCycles } from './lib/sigkill-cycles.ts';
import type { BenchOptions } from './run.ts';

export const SIGKILL_CYCLES = 100;
const QUICK_CYCLES = 8;

export async function run(options: BenchOptions): Promise<BenchResult> {
  // WITAN_BENCH_SIGKILL_CYCLES overrides the count (for a machine where 100 cycles do not fit).
  const override = sizeOverride('WITAN_BENCH_SIGKILL_CYCLES');
  const cycles = override ?? (options.quick ? QUICK_CYCLES : SIGKILL_CYCLES);
  const goal = options.quick ? QUICK_CYCLES : SIGKILL_CYCLES;
  const fed = await createFederation({ members: 4, logLevel: 'warn' });
  try {
    await startAll(fed);
    const started = performance.now();
    const r = await sigkillCycles(fed, cycles, (line) => console.log(`  ${line}`));
    const minutes = (performance.now() - started) / 60_000;
    const restart = [...r.restartMs].sort((a, b) => a - b);
    const p50 = restart[Math.floor(restart.length / 2)] ?? 0;
    const env = override === undefined ? '' : `WITAN_BENCH_SIGKILL_CYCLES=${override} `;
    const command = `${env}npm run bench -- sigkill${options.quick ? ' --quick' : ''}`;
    const ok = r.cycles >= goal && r.lostEntries === 0 && r.doubleVotes === 0 && r.lostBallots === 0;
    recordResilience(
      'sigkill',
      [
        {
          what: 'a root SIGKILLed during commits, restarted from its folder (each of 4 in turn)',
          amount: `${r.cycles} cycles (${r.midCommit} while it was deciding or appending a batch), ${r.ballots} ballots, ${minutes.toFixed(1)} min`,
          result: `${r.lostEntries} committed entries lost, ${r.doubleVotes} double votes, ${r.lostBallots} ballots lost`,
          goal: `${goal} cycles, 0 lost, 0 double votes`,
          met: ok,
        },
      ],
      command,
      [
        `4 root processes on 127.0.0.1; before each kill the victim's committed size and published checkpoint are read; after its restart its tree at both sizes must be unchanged and equal to an alive root's; double votes: evidence any root found, and suspended members; restart to healthy p50 ${Math.round(p50)} ms`,
      ],
    );
    return {
      id: 'sigkill',
      title: 'Resilience: SIGKILL cycles of a root during commits',
      figures: [
        { name: 'cycles', value: r.cycles, unit: 'cycles', goal: `≥ ${goal}`, met: r.cycles >= goal },
        {
          name: 'committed entries lost',
          value: r.lostEntries,
          unit: 'entries',
          goal: '= 0',
          met: r.lostEntries === 0,
        },
        {
          name: 'double votes (evidence, suspensions)',
          value: r.doubleVotes,
          unit: 'votes',
          goal: '= 0',
          met: r.doubleVotes === 0,
        },
        {
          name: 'ballots taken and not committed',
          value: r.lostBallots,
          unit: 'ballots',
          goal: '= 0',
          met: r.lostBallots === 0,
        },
        { name: 'restart to healthy, p50', value: p50, unit: 'ms' },
      ],
      notes: [
        `${r.ballots} ballots; ${r.midCommit} kills while the root was deciding or appending a batch; command: ${command}`,
      ],
    };
  } finally {
    await fed.close();
  }
}
