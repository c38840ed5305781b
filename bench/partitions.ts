// Partitions of five real `witan start` roots in the network lab (test/netlab/splits.ts), cut
// with ip6tables and healed: a 2|3 split (no side holds the quorum of 4: neither commits) and a
// 1|4 split (the four commit, the isolated root does not), a few rounds of each on one
// federation. Recorded: how long the four take to commit while cut off, and how long after the
// heal every root serves one checkpoint again and every ballot of the cut is committed
// everywhere. Needs root (network namespaces, ip6tables).

import { loadavg } from 'node:os';
import type { LabRoot } from '../test/netlab/federation.ts';
import { createSplitLab, openMotion, type SplitReport, splitAndHeal } from '../test/netlab/splits.ts';
import { type BenchResult, type Figure, median } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 5;
/** Rounds of both splits; each round opens a motion of its own for its ballots. */
const ROUNDS = 3;
const QUICK_ROUNDS = 1;

/** Refuses a run whose roots did not behave: its times would measure something else. */
function checked(name: string, r: SplitReport): SplitReport {
  if (r.divergences.length > 0) throw new Error(`${name}: the roots diverged: ${r.divergences.join('; ')}`);
  for (const s of r.sides)
    if ((s.committedAfterMs !== null) !== s.hasQuorum)
      throw new Error(
        `${name}: ${s.roots.join('+')} ${s.hasQuorum ? 'did not commit' : 'committed without a quorum'}`,
      );
  return r;
}

/** The median and the max of one measure over the rounds. */
function spread(name: string, xs: number[]): Figure[] {
  return [
    { name: `${name} (median of ${xs.length})`, value: median(xs), unit: 'ms' },
    { name: `${name} (max)`, value: Math.max(...xs), unit: 'ms' },
  ];
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const rounds = options.quick ? QUICK_ROUNDS : ROUNDS;
  const load = loadavg()[0] as number;
  const { pl, motionId } = await createSplitLab(ROOTS);
  try {
    const splits: SplitReport[] = [];
    const isolations: SplitReport[] = [];
    for (let round = 0; round < rounds; round++) {
      const motion = round === 0 ? motionId : await openMotion(pl, pl.roots[round % ROOTS] as LabRoot);
      const [r0, r1, r2, r3, r4] = pl.roots as [LabRoot, LabRoot, LabRoot, LabRoot, LabRoot];
      splits.push(
        checked(
          '2|3',
          await splitAndHeal(
            pl,
            [
              [r0, r1],
              [r2, r3, r4],
            ],
            motion,
          ),
        ),
      );
      isolations.push(checked('1|4', await splitAndHeal(pl, [[r4], [r1, r0, r2, r3]], motion)));
    }
    const cuts = [...splits, ...isolations].map((r) => r.cutMs);
    return {
      id: 'partitions',
      title: 'Resilience: partitions of real roots (network lab)',
      figures: [
        ...spread(
          'one root cut off: the other four commit a ballot, from the cut',
          isolations.map((r) => (r.sides[1] as SplitReport['sides'][number]).committedAfterMs as number),
        ),
        ...spread(
          'one root cut off: it answers /ready 503 (quorum unreachable), from the cut',
          isolations.map((r) => (r.sides[0] as SplitReport['sides'][number]).notReadyAfterMs as number),
        ),
        ...spread(
          'two against three: every root answers /ready 503, from the cut',
          splits.map((r) => Math.max(...r.sides.map((s) => s.notReadyAfterMs as number))),
        ),
        ...spread(
          'one root cut off, healed: it serves the four’s checkpoint',
          isolations.map((r) => r.sameCheckpointAfterMs),
        ),
        ...spread(
          'one root cut off, healed: both ballots committed at every root, one checkpoint',
          isolations.map((r) => r.convergedAfterMs),
        ),
        ...spread(
          'two against three, healed: both ballots committed at every root, one checkpoint',
          splits.map((r) => r.convergedAfterMs),
        ),
      ],
      notes: [
        `loaded: load average ${load.toFixed(1)} at the start on 2 shared cores; ${ROOTS} \`witan start\` roots, each in its own network namespace on one machine`,
        `a cut drops, on input, every packet one side's roots send the other's (ip6tables), so no connection is closed by it: roots find it by pinging each validator every 5 s and hang up on one silent for 5 s; cuts lasted ${Math.min(...cuts)}–${Math.max(...cuts)} ms (the watch: sides without a quorum must commit nothing); one abstaining ballot submitted on each side at the cut`,
        'after the heal, roots dial each other afresh within 3 s (the member dialler), share their checkpoint notes and pending statements with the member that rejoins, and consensus resumes at the round it had reached; a root cut off alone catches up on the decisions over HTTP',
        'every look compared the roots’ ledgers: no two entries at one index, no two root hashes at one size, in any split (a run that saw one fails)',
      ],
    };
  } finally {
    await pl.close();
  }
}
