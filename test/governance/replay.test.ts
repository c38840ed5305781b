// Replay for auditors: a ledger that the rules produced replays to the same state; any
// tampering — a changed world, a dropped or extra statement, a statement the rules reject, a
// reordered batch, time going back — is refused with the index of the offending entry.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalBytes, type Json } from '../../src/codec/index.ts';
import {
  type BatchGroup,
  BatchGrouper,
  ballot,
  decodeEntry,
  encodeEntry,
  GovernanceError,
  genesisState,
  type LedgerEntry,
  motion,
  replay,
} from '../../src/governance/index.ts';
import { admit, DAY_MS, FEDERATION, makeGenesis, sign, statementId, T0, TestLedger } from './fixtures.ts';

const ledger = new TestLedger(makeGenesis(4));
const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
ledger.run([mo]);
ledger.run(
  ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(mo), 'yes', T0 + 1000))),
  T0 + 1000,
);
ledger.run([], T0 + 31 * DAY_MS);
const entries = ledger.entries;
const kinds = entries.map((e) => decodeEntry(e).kind);

function refused(list: Uint8Array[], code: string, index: number): void {
  assert.throws(
    () => replay(ledger.genesis, list),
    (e: GovernanceError) => e instanceof GovernanceError && e.code === code && e.entryIndex === index,
  );
}

test('the untouched ledger replays to the incremental state', () => {
  assert.deepEqual(kinds, [
    'batch',
    'statement',
    'batch',
    'statement',
    'statement',
    'statement',
    'outcome',
    'world',
    'batch',
    'world',
  ]);
  const r = replay(ledger.genesis, entries);
  assert.deepEqual(r.state, ledger.state);
  assert.deepEqual(
    r.worlds.map((w) => w.version),
    [1, 2, 3],
  );
});

test('the batch grouper closes a batch at the next header, with its statements and what it produced', () => {
  const grouper = new BatchGrouper();
  const groups: BatchGroup[] = [];
  entries.forEach((bytes, i) => {
    const closed = grouper.add(i + 1, bytes, decodeEntry(bytes));
    if (closed !== null) groups.push(closed);
    assert.equal(grouper.open?.raw.at(-1), bytes);
  });
  groups.push(grouper.take()!);
  assert.equal(grouper.take(), null);
  assert.deepEqual(
    groups.map((g) => [g.start, g.raw.length, g.statements.length, g.producing]),
    [
      [1, 2, 1, false],
      [3, 6, 3, true],
      [9, 2, 0, true],
    ],
  );
  assert.deepEqual(
    groups.flatMap((g) => g.raw),
    entries,
  );
});

test('the batch grouper refuses an entry before any header and a statement after the outcomes', () => {
  const statement = decodeEntry(entries[1]!);
  assert.throws(
    () => new BatchGrouper().add(1, entries[1]!, statement),
    (e: unknown) => e instanceof GovernanceError && e.code === 'REPLAY_MISMATCH' && e.entryIndex === 1,
  );
  const grouper = new BatchGrouper();
  for (const i of [2, 3, 4, 5, 6]) grouper.add(i + 1, entries[i]!, decodeEntry(entries[i]!));
  assert.throws(
    () => grouper.add(8, entries[1]!, statement),
    (e: unknown) => e instanceof GovernanceError && e.code === 'REPLAY_MISMATCH' && e.entryIndex === 8,
  );
});

test('replay also returns the state the last batch started from (the genesis state before any batch)', () => {
  const lastHeader = kinds.lastIndexOf('batch');
  assert.deepEqual(
    replay(ledger.genesis, entries).stateBeforeLastBatch,
    replay(ledger.genesis, entries.slice(0, lastHeader)).state,
  );
  assert.deepEqual(replay(ledger.genesis, []).stateBeforeLastBatch, genesisState(ledger.genesis));
});

test('a changed world entry is refused at its index', () => {
  const i = kinds.indexOf('world');
  const e = decodeEntry(entries[i]!) as Extract<LedgerEntry, { kind: 'world' }>;
  e.world.members[0]!.organisation = 'Someone Else';
  const copy = [...entries];
  copy[i] = encodeEntry(e);
  refused(copy, 'REPLAY_MISMATCH', i + 1);
});

test('a dropped ballot, a missing world, an entry out of place are refused', () => {
  refused(entries.toSpliced(4, 1), 'REPLAY_MISMATCH', 6); // the outcome now comes where the rules produce none
  refused(entries.slice(0, 7).concat(entries.slice(8)), 'REPLAY_MISMATCH', 8); // world 2 missing
  refused([entries[1]!, ...entries], 'REPLAY_MISMATCH', 1); // a statement before any batch header
});

test('a statement the rules reject, and time going back, are refused with the rule', () => {
  const copy = [...entries];
  copy.splice(2, 0, entries[1]!); // the motion again, in the same batch: a duplicate
  refused(copy, 'REPLAY_MISMATCH', 3);
  const header = decodeEntry(entries[2]!) as Extract<LedgerEntry, { kind: 'batch' }>;
  const back = [...entries];
  back[2] = encodeEntry({ ...header, timeMs: T0 - 1 });
  refused(back, 'BAD_BATCH', 3);
});

test('bytes that are not an entry are refused as BAD_ENTRY at their index', () => {
  const copy = [...entries];
  copy[3] = canonicalBytes({ kind: 'nonsense' } as Json);
  refused(copy, 'BAD_ENTRY', 4);
});
