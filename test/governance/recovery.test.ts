// Recovery when members vanish for good (charter §20): executed as a batch of its own whose
// time is the recovery's time plus the time lock, replayed from the ledger (the root it names
// checked against the tree), re-basing open motions; the recovered federation commits again; a
// client walking the world chain accepts it only with every recovered validator's cosignature
// and after the time lock. And exhaustively: the rules allow a recovery exactly when neither
// the vanished nor the remaining members could commit alone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quorumSize } from '../../src/base/index.ts';
import { cosignatureSigner, ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import {
  ballot,
  checkRecovery,
  decodeEntry,
  encodeEntry,
  executeBatch,
  executeRecovery,
  type GovernanceError,
  motion,
  recoveryId,
  replay,
  verifyWorldChain,
  type WorldStep,
} from '../../src/governance/index.ts';
import { formatCheckpoint, inclusionProof, leafHash, rootOf } from '../../src/ledger/index.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  memberName,
  sign,
  statementId,
  T0,
  TestLedger,
} from './fixtures.ts';
import {
  ledgerHead,
  recoveryOf,
  SILENCE_MS,
  signed,
  TIME_LOCK_MS,
  WITNESSED_POLICY,
} from './recovery-fixtures.ts';

/** Four founders; m00 and m01 vanish after a batch that leaves two motions open. */
function vanished() {
  const ledger = new TestLedger(makeGenesis(4, WITNESSED_POLICY));
  const admitting = sign(motion(ledger.state, 'm02', [admit('n00', 'US')], T0));
  const removing = sign(motion(ledger.state, 'm03', [{ type: 'remove', member: 'm01' }], T0));
  ledger.run([
    admitting,
    removing,
    sign(ballot(FEDERATION, 'm00', statementId(admitting), 'yes', T0)),
    sign(ballot(FEDERATION, 'm02', statementId(admitting), 'yes', T0)),
  ]);
  return { ledger, admitting: statementId(admitting), removing: statementId(removing) };
}

test('a recovery is a batch of its own at its time plus the time lock; the recovered federation commits again', () => {
  const { ledger, admitting, removing } = vanished();
  const at = T0 + SILENCE_MS + 1000;
  const r = signed(ledger.state, recoveryOf(ledger, ['m00', 'm01'], at));
  const head = ledgerHead(ledger.genesis, ledger.entries);
  const result = executeRecovery(ledger.state, r, head);
  const kinds = result.entries.map((e) => decodeEntry(e).kind);
  // The recovery, the motion re-basing could not keep (it removes m01, who is gone), the world.
  assert.deepEqual(kinds, ['recovery', 'outcome', 'world']);
  assert.deepEqual(decodeEntry(result.entries[1]!), {
    kind: 'outcome',
    motion: removing,
    result: 'rejected',
    reason: 'UNKNOWN_MEMBER',
  });
  const world = decodeEntry(result.entries[2]!);
  assert.equal(world.kind, 'world');
  if (world.kind === 'world') assert.deepEqual(world.causes, [recoveryId(r)]);
  assert.deepEqual(
    result.state.world.members.map((m) => m.name),
    ['m02', 'm03'],
  );
  assert.equal(result.state.height, 2);
  assert.equal(result.state.timeMs, at + TIME_LOCK_MS, 'the time lock is the batch time');
  // The admission motion is kept, without the ballot of m00, who is gone.
  assert.deepEqual(Object.keys(result.state.openMotions.find((m) => m.id === admitting)!.ballots), ['m02']);
  ledger.state = result.state;
  ledger.entries.push(...result.entries);
  // Nothing can be committed inside the time lock: ledger time never goes back.
  assert.throws(
    () =>
      executeBatch(ledger.state, {
        height: 3,
        timeMs: at + TIME_LOCK_MS - 1,
        proposer: 'm02',
        statements: [],
      }),
    (e: GovernanceError) => e.code === 'BAD_BATCH',
  );
  // Two validators now, a quorum of two: they commit between themselves. The admission motion,
  // past its deadline during the silence, expires at the first batch after the recovery.
  const t = at + TIME_LOCK_MS;
  const again = sign(motion(ledger.state, 'm02', [admit('n00', 'US')], t));
  const next = ledger.run(
    [again, ...['m02', 'm03'].map((a) => sign(ballot(FEDERATION, a, statementId(again), 'yes', t)))],
    t,
  );
  assert.deepEqual(next.rejected, []);
  assert.ok(
    next.entries
      .map((e) => decodeEntry(e))
      .some((e) => e.kind === 'outcome' && e.motion === admitting && e.result === 'expired'),
  );
  assert.ok(ledger.state.world.members.some((m) => m.name === 'n00'));
  // The ledger replays, the recovery included, with its root checked against the tree.
  const replayed = replay(ledger.genesis, ledger.entries);
  assert.equal(replayed.state.worldHash, ledger.state.worldHash);
  assert.equal(replayed.worlds.length, 3);
});

test('a replay refuses a recovery that names another tree, another world or the wrong time', () => {
  const { ledger } = vanished();
  const at = T0 + SILENCE_MS;
  const good = signed(ledger.state, recoveryOf(ledger, ['m00', 'm01'], at));
  const head = ledgerHead(ledger.genesis, ledger.entries);
  const result = executeRecovery(ledger.state, good, head);
  const tampered = (r: typeof good) => [
    ...ledger.entries,
    encodeEntry({ kind: 'recovery', recovery: r }),
    ...result.entries.slice(1),
  ];
  const otherRoot = signed(ledger.state, {
    ...good.recovery,
    base: { ...good.recovery.base, rootHash: 'cd'.repeat(32) },
  });
  assert.throws(
    () => replay(ledger.genesis, tampered(otherRoot)),
    (e: GovernanceError) => e.code === 'BAD_RECOVERY' && e.rejection?.code === 'RECOVERY_WRONG_BASE',
  );
  assert.throws(
    () => replay(ledger.genesis, tampered(signed(ledger.state, { ...good.recovery, timeMs: at - 1 }))),
    (e: GovernanceError) => e.code === 'BAD_RECOVERY' && e.rejection?.code === 'RECOVERY_TOO_EARLY',
  );
  // A statement slipped into a recovery's batch is not what the rules produce.
  const slipped = [...ledger.entries, result.entries[0]!, ledger.entries[1]!, ...result.entries.slice(1)];
  assert.throws(
    () => replay(ledger.genesis, slipped),
    (e: GovernanceError) => e.code === 'REPLAY_MISMATCH',
  );
  assert.equal(replay(ledger.genesis, [...ledger.entries, ...result.entries]).worlds.length, 2);
});

test('a client accepts the recovered world only with every recovered validator cosigning, after the time lock', async () => {
  const { ledger } = vanished();
  const at = T0 + SILENCE_MS;
  const r = signed(ledger.state, recoveryOf(ledger, ['m00', 'm01'], at));
  const result = executeRecovery(ledger.state, r, ledgerHead(ledger.genesis, ledger.entries));
  const all = [
    encodeEntry({ kind: 'genesis', genesis: ledger.genesis }),
    ...ledger.entries,
    ...result.entries,
  ];
  const leaves = all.map(leafHash);
  const reader = {
    readHashes: async (ids: { height: number; index: number }[]) =>
      ids.map((id) => rootOf(leaves.slice(id.index * 2 ** id.height, (id.index + 1) * 2 ** id.height))),
  };
  const effectiveS = Math.floor((at + TIME_LOCK_MS) / 1000);
  const note = (signers: string[], size: number) =>
    signNote(
      formatCheckpoint({ origin: FEDERATION, size, rootHash: rootOf(leaves.slice(0, size)), extensions: [] }),
      [
        ed25519NoteSigner(FEDERATION, keysFor('m02').node.secretKey),
        ...signers.map((n) => cosignatureSigner(n, keysFor(n).node.secretKey, effectiveS + 60)),
      ],
    );
  const steps = async (signers: string[], recovery = r): Promise<WorldStep[]> => {
    const genesisStep: WorldStep = {
      world: ledger.genesis.world,
      causes: [],
      proof: {
        checkpointNote: note(['m00', 'm01', 'm02'], 1),
        inclusionProof: [],
        entryIndex: 0,
        treeSize: 1,
      },
    };
    const index = all.length - 1;
    const world = decodeEntry(all[index]!);
    assert.equal(world.kind, 'world');
    const proof = (await inclusionProof(index, all.length, reader)).map((h) =>
      Buffer.from(h).toString('base64'),
    );
    return [
      genesisStep,
      {
        world: world.kind === 'world' ? world.world : ledger.genesis.world,
        causes: world.kind === 'world' ? world.causes : [],
        recovery,
        proof: {
          checkpointNote: note(signers, all.length),
          inclusionProof: proof,
          entryIndex: index,
          treeSize: all.length,
        },
      },
    ];
  };
  const nowMs = at + TIME_LOCK_MS + 120_000;
  const ok = verifyWorldChain(ledger.genesis, await steps(['m02', 'm03']), { nowMs });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  // One of two recovered validators is a quorum of two, but a recovery needs them all.
  const one = verifyWorldChain(ledger.genesis, await steps(['m02']), { nowMs });
  assert.deepEqual([one.ok, !one.ok && one.code], [false, 'NO_QUORUM']);
  const early = verifyWorldChain(ledger.genesis, await steps(['m02', 'm03']), {
    nowMs: at + TIME_LOCK_MS - 1,
  });
  assert.deepEqual([early.ok, !early.ok && early.code], [false, 'TIME_LOCKED']);
  const unwitnessed = signed(ledger.state, r.recovery, { witnesses: ['w1.example.org'] });
  const bad = verifyWorldChain(ledger.genesis, await steps(['m02', 'm03'], unwitnessed), { nowMs });
  assert.deepEqual([bad.ok, !bad.ok && bad.code], [false, 'BAD_RECOVERY']);
  // Without the recovery, the step needs a quorum of the world before, which is gone.
  const plain = (await steps(['m02', 'm03'])).map(({ recovery: _, ...s }) => s);
  const gone = verifyWorldChain(ledger.genesis, plain, { nowMs });
  assert.deepEqual([gone.ok, !gone.ok && gone.code], [false, 'NO_QUORUM']);
});

test('for every federation of 1 to 10 validators and every number vanished, a recovery is allowed exactly when neither side holds a quorum', () => {
  for (let n = 1; n <= 10; n++) {
    const ledger = new TestLedger(makeGenesis(n, WITNESSED_POLICY));
    ledger.run([], T0);
    const head = ledgerHead(ledger.genesis, ledger.entries);
    const q = quorumSize(n);
    for (let k = 1; k < n; k++) {
      const remove = Array.from({ length: k }, (_, i) => memberName(i));
      const verdict = checkRecovery(
        ledger.state,
        signed(ledger.state, recoveryOf(ledger, remove, T0 + SILENCE_MS)),
        head,
      );
      const vanishedCommit = k >= q;
      const remainingCommit = n - k >= q;
      const allowed = !vanishedCommit && !remainingCommit;
      assert.equal(verdict === null, allowed, `n=${n} k=${k}: ${verdict?.code}`);
      if (vanishedCommit) assert.equal(verdict?.code, 'RECOVERY_VANISHED_QUORUM');
      else if (remainingCommit) assert.equal(verdict?.code, 'RECOVERY_NOT_NEEDED');
    }
  }
});
