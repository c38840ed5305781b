// Partitions of five real `witan start` roots in the network lab (test/netlab/splits.ts), cut
// with ip6tables and healed: a 2|3 split (no side holds the quorum of 4: neither commits) and a
// 1|4 split (the four commit, the isolated root does not). Recorded: how long the four take to
// commit while cut off, and how long after the heal every root serves one checkpoint again and
// every ballot of the cut is committed everywhere. Needs root (network namespaces, ip6tables).

import { loadavg } from 'node:os';
import type { LabRoot } from '../test/netlab/federation.ts';
import { createSplitLab, type SplitReport, splitAndHeal } from '../test/netlab/splits.ts';
import type { BenchResult, Figure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 5;

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

export async function run(_options: BenchOptions): Promise<BenchResult> {
  const load = loadavg()[0] as number;
  const { pl, motionId } = await createSplitLab(ROOTS);
  try {
    const [r0, r1, r2, r3, r4] = pl.roots as [LabRoot, LabRoot, LabRoot, LabRoot, LabRoot];
    const split = checked(
      '2|3',
      await splitAndHeal(
        pl,
        [
          [r0, r1],
          [r2, r3, r4],
        ],
        motionId,
      ),
    );
    const isolated = checked('1|4', await splitAndHeal(pl, [[r4], [r1, r0, r2, r3]], motionId));
    const four = isolated.sides[1] as SplitReport['sides'][number];
    const figures: Figure[] = [
      {
        name: '1|4: the four commit a ballot while cut off (from the cut)',
        value: four.committedAfterMs as number,
        unit: 'ms',
      },
      {
        name: '1|4: after the heal, the isolated root serves the four’s checkpoint',
        value: isolated.sameCheckpointAfterMs,
        unit: 'ms',
      },
      {
        name: '1|4: after the heal, both ballots committed at every root, one checkpoint',
        value: isolated.convergedAfterMs,
        unit: 'ms',
      },
      {
        name: '2|3: after the heal, both ballots committed at every root, one checkpoint',
        value: split.convergedAfterMs,
        unit: 'ms',
      },
    ];
    return {
      id: 'partitions',
      title: 'Resilience: partitions of real roots (network lab)',
      figures,
      notes: [
        `${ROOTS} \`witan start\` roots, each in its own network namespace on one machine (2 shared cores; load average ${load.toFixed(1)} at the start); a cut drops, on input, every packet one side's roots send the other's (ip6tables), so TCP connections stay open and retransmit once healed`,
        `2|3 cut for ${split.cutMs} ms, 1|4 cut for ${isolated.cutMs} ms (the watch: sides without a quorum must commit nothing); one abstaining ballot submitted on each side at the cut`,
        'after the heal, what the cut dropped arrives when TCP retransmits it (its backed-off timer grows with the length of the cut), then consensus resumes at the round it had reached; the isolated root of 1|4 catches up on the decisions over HTTP and serves the cosigned checkpoint once the others’ cosignatures reach it',
        'every look compared the roots’ ledgers: no two entries at one index, no two root hashes at one size, in either split (a run that saw one fails)',
      ],
    };
  } finally {
    await pl.close();
  }
}
