// The world chain cache (src/node/world-chain.ts) over a real LevelDB ledger: a world proven
// under a note of a size the tree has grown past (its own batch's, or the first kept while its
// validators committed) is never read again; a world with no note kept but the latest, once the
// next world's batch is past, only has its inclusion proof read again for a new checkpoint;
// and whatever it keeps, its answer is the one a cache that keeps nothing makes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ballot, encodeEntry, ledgerOrigin, motion, verifyWorldChain } from '../../src/governance/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { LedgerIndex } from '../../src/node/ledger-index.ts';
import { WorldChainCache } from '../../src/node/world-chain.ts';
import { checkpoint } from '../api/root-fixture.ts';
import { admit, FEDERATION, makeGenesis, sign, statementId, T0, TestLedger } from '../governance/fixtures.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { countingChainStore } from './fixtures/chain-reads.ts';

/** A motion by m00 passed by m00, m01, m02 at `timeMs`: one batch, ending with the new world. */
function passed(ledger: TestLedger, change: Parameters<typeof motion>[2], timeMs: number): void {
  const m = sign(motion(ledger.state, 'm00', change, timeMs));
  const yes = ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(m), 'yes', timeMs)));
  assert.deepEqual(ledger.run([m, ...yes], timeMs).rejected, []);
}

test('a new checkpoint re-reads only the proofs of worlds proven under the latest note; the answer is the uncached one', async (t) => {
  const ledger = new TestLedger(makeGenesis(4));
  passed(ledger, [admit('n00', 'PT')], T0);
  const worldTwoEnd = ledger.entries.length + 1;
  passed(ledger, [{ type: 'remove', member: 'm03' }], T0 + 1000);
  const worldThreeEnd = ledger.entries.length + 1;
  assert.equal(ledger.state.world.version, 3);
  // A batch with an open motion: the tree grows past world 3's batch.
  assert.deepEqual(
    ledger.run([sign(motion(ledger.state, 'm01', [admit('n01', 'JP')], T0 + 2000))]).rejected,
    [],
  );

  const dir = makeTempDir('world-chain');
  const store = await LedgerStore.open(dir, { origin: ledgerOrigin(ledger.genesis.world) });
  t.after(async () => {
    await store.close();
    removeDir(dir);
  });
  const index = new LedgerIndex();
  const append = async (entries: Uint8Array[]) => {
    const first = store.size();
    await store.append(entries);
    for (const [i, e] of entries.entries()) index.add(first + i, e);
  };
  await append([encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries]);
  // Kept: world 3's own batch's note (also the first while world 2's validators committed),
  // and the latest. None while the genesis members committed, before world 2.
  assert.ok(worldTwoEnd < worldThreeEnd);
  await store.saveCheckpoint(worldThreeEnd, await checkpoint(store, worldThreeEnd));
  await store.saveCheckpoint(store.size(), await checkpoint(store, store.size()));

  const counted = countingChainStore(store);
  const cache = new WorldChainCache(counted.store, index);
  const first = await cache.chain();
  assert.deepEqual(
    first.steps.map((s) => [s.world.version, s.proof.treeSize]),
    [
      [1, store.size()],
      [2, worldThreeEnd],
      [3, worldThreeEnd],
    ],
  );
  assert.deepEqual(first, await new WorldChainCache(store, index).chain());

  // One more batch and its checkpoint.
  assert.deepEqual(
    ledger.run([sign(motion(ledger.state, 'm02', [admit('n02', 'BR')], T0 + 3000))]).rejected,
    [],
  );
  await append(ledger.entries.slice(store.size() - 1));
  await store.saveCheckpoint(store.size(), await checkpoint(store, store.size(), T0 / 1000 + 4));
  const before = { ...counted.reads, total: counted.reads.total };
  const second = await cache.chain();
  assert.deepEqual(
    second,
    await new WorldChainCache(store, index).chain(),
    'the same answer as without a cache',
  );
  assert.deepEqual(
    second.steps.map((s) => [s.world.version, s.proof.treeSize]),
    [
      [1, store.size()],
      [2, worldThreeEnd],
      [3, worldThreeEnd],
    ],
  );
  assert.deepEqual(
    {
      entry: counted.reads.entry - before.entry,
      checkpointNote: counted.reads.checkpointNote - before.checkpointNote,
      firstCheckpointNote: counted.reads.firstCheckpointNote - before.firstCheckpointNote,
      inclusionProof: counted.reads.inclusionProof - before.inclusionProof,
    },
    { entry: 0, checkpointNote: 0, firstCheckpointNote: 0, inclusionProof: 2 },
    "the genesis step's proof and the head's, nothing else",
  );
  const walked = verifyWorldChain(ledger.genesis, second.steps, {
    nowMs: T0 + 10_000,
    ...(second.head === null ? {} : { head: second.head }),
  });
  assert.deepEqual(walked.ok && walked.world.version, 3, JSON.stringify(walked));
});
