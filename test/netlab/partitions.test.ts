// Partitions of five real `witan start` roots in the network lab, cut with ip6tables
// (partition-lab.ts) and healed: a quorum of five validators is four (src/base), so in a 2|3
// split neither side may commit, and in a 1|4 split the four commit and the isolated root does
// not. A side that cannot commit says so: its roots answer /ready 503 (QUORUM_UNREACHABLE)
// although the cut drops packets without closing a connection. After healing, every ballot submitted during the cut is committed at every root and every
// root serves the same checkpoint (size and root hash); the ledgers are compared at every look,
// and no root ever holds another entry at an index or another root hash at a size. The times
// are printed; bench/partitions.ts records them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { quorumSize } from '../../src/base/index.ts';
import { FEDERATION_READY_MS, type LabRoot } from './federation.ts';
import type { PartitionLab } from './partition-lab.ts';
import {
  createSplitLab,
  HEAL_CONVERGE_BOUND_MS,
  PARTITION_COMMIT_BOUND_MS,
  PARTITION_WATCH_MS,
  type SplitReport,
  splitAndHeal,
} from './splits.ts';

const ROOTS = 5;
/** One scenario: the watch, a commit on the side with a quorum, and the convergence after healing. */
const SCENARIO_TIMEOUT_MS = PARTITION_WATCH_MS + PARTITION_COMMIT_BOUND_MS + 2 * HEAL_CONVERGE_BOUND_MS;

let pl: PartitionLab;
/** The motion every ballot of the scenarios abstains on. */
let motionId: string;

before(
  async () => {
    ({ pl, motionId } = await createSplitLab(ROOTS));
  },
  { timeout: 2 * FEDERATION_READY_MS },
);

after(async () => {
  await pl?.close();
});

function print(name: string, r: SplitReport): void {
  const sides = r.sides
    .map(
      (s) =>
        `${s.roots.join('+')} ${s.committedAfterMs === null ? `committed nothing, not ready after ${s.notReadyAfterMs} ms` : `committed after ${s.committedAfterMs} ms`}`,
    )
    .join(', ');
  console.log(
    `${name}: ${sides}; cut for ${r.cutMs} ms; after the heal, one checkpoint after ${r.sameCheckpointAfterMs} ms, every ballot committed everywhere after ${r.convergedAfterMs} ms (size ${r.sizeBefore} → ${r.final.size})`,
  );
}

/** What every scenario ends with: every root on one ledger, grown by every ballot, never forked. */
function assertConverged(r: SplitReport): void {
  assert.deepEqual(r.divergences, [], 'no root ever served another ledger');
  assert.ok(r.final.size >= r.sizeBefore + r.sides.length, 'every ballot of the cut appended after the heal');
}

test('2|3: no side holds a quorum of 4, neither commits; after healing both ballots commit and every root serves one checkpoint', {
  timeout: SCENARIO_TIMEOUT_MS,
}, async () => {
  assert.equal(quorumSize(ROOTS), 4);
  const [r0, r1, r2, r3, r4] = pl.roots as [LabRoot, LabRoot, LabRoot, LabRoot, LabRoot];
  const r = await splitAndHeal(
    pl,
    [
      [r0, r1],
      [r2, r3, r4],
    ],
    motionId,
  );
  print('2|3', r);
  for (const side of r.sides) {
    assert.equal(side.hasQuorum, false);
    assert.equal(side.committedAfterMs, null);
    assert.ok(side.notReadyAfterMs !== null, `${side.roots.join('+')} turned not ready (QUORUM_UNREACHABLE)`);
    for (const at of side.atWatchEnd) {
      assert.equal(at.checkpointSize, r.sizeBefore, `${at.root} committed nothing while cut`);
      assert.equal(at.ballot, 'pending', `${at.root} holds its side's ballot, uncommitted`);
    }
    assert.ok(
      side.elsewhereAtWatchEnd.every((s) => s === 'unknown'),
      'the other side never saw the ballot',
    );
  }
  assertConverged(r);
});

test('1|4: the four commit while cut off, the isolated root commits nothing, then catches up and its ballot commits', {
  timeout: SCENARIO_TIMEOUT_MS,
}, async () => {
  const [r0, r1, r2, r3, r4] = pl.roots as [LabRoot, LabRoot, LabRoot, LabRoot, LabRoot];
  // Authors who have not voted yet: the first root of each side signs that side's ballot.
  const r = await splitAndHeal(pl, [[r4], [r1, r0, r2, r3]], motionId);
  print('1|4', r);
  const [isolated, four] = r.sides as [SplitReport['sides'][number], SplitReport['sides'][number]];
  assert.equal(four.hasQuorum, true);
  assert.ok(four.committedAfterMs !== null, 'the four committed their ballot');
  for (const at of four.atWatchEnd) {
    assert.ok(at.checkpointSize > r.sizeBefore, `${at.root} committed while cut off`);
    assert.equal(at.ballot, 'committed');
  }
  assert.equal(isolated.hasQuorum, false);
  assert.equal(isolated.committedAfterMs, null);
  assert.ok(isolated.notReadyAfterMs !== null, 'the isolated root turned not ready (QUORUM_UNREACHABLE)');
  const [alone] = isolated.atWatchEnd;
  assert.equal(alone?.checkpointSize, r.sizeBefore, 'the isolated root committed nothing');
  assert.equal(alone?.ballot, 'pending');
  assert.ok(
    isolated.elsewhereAtWatchEnd.every((s) => s === 'unknown'),
    'the four never saw its ballot',
  );
  assert.ok(
    four.elsewhereAtWatchEnd.every((s) => s === 'unknown'),
    'the isolated root never saw theirs',
  );
  assertConverged(r);
});
