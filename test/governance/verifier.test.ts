// executeBatch options (src/governance/verifier.ts, batch.ts ExecuteOptions) and the bucketed
// replay memory (seen.ts): injected or pre-verified signatures and already-decoded statements
// give exactly the default verdicts, entries and state; the replay memory stays bounded by the
// age window, still refuses duplicates, and a batch never mutates the state it started from.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ballot,
  decodeEntry,
  encodeEntry,
  executeBatch,
  type KnownStatement,
  motion,
  POLICY_RANGES,
  type PreVerified,
  preVerified,
  replay,
  SEEN_BUCKET_MS,
  type SignedStatement,
} from '../../src/governance/index.ts';
import { admit, DAY_MS, FEDERATION, makeGenesis, sign, statementId, T0, TestLedger } from './fixtures.ts';

/** A small ledger: one motion, then ballots across `days` days (one batch a day). */
function build(days: number): TestLedger {
  const ledger = new TestLedger(makeGenesis(4));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  ledger.run([mo], T0);
  for (let day = 1; day <= days; day++) {
    const t = T0 + day * (DAY_MS / 4);
    ledger.run(
      ['m01', 'm02'].map((a, i) => sign(ballot(FEDERATION, a, statementId(mo), 'no', t + i))),
      t,
    );
  }
  return ledger;
}

test('replay with pre-verified signatures and known statements gives the same state and worlds', () => {
  const ledger = build(12);
  const plain = replay(ledger.genesis, ledger.entries);
  const results = new Map<string, PreVerified>();
  const known = new Map<SignedStatement, KnownStatement>();
  const decoded = ledger.entries.map((bytes) => {
    const e = decodeEntry(bytes);
    if (e.kind === 'statement') {
      const id = statementId(e.statement);
      const key = ledger.state.world.members.find((m) => m.name === e.statement.statement.author)!;
      results.set(id, { signerKey: key.governanceKey, ok: true });
      known.set(e.statement, { id, entry: bytes });
    }
    return e;
  });
  assert.ok(decoded.some((e) => e.kind === 'statement'));
  const fast = replay(ledger.genesis, ledger.entries, { verify: preVerified(results) });
  assert.deepEqual(fast, plain);
  assert.deepEqual(fast.state, ledger.state);
  // Statements decoded from their entries and passed as known: the same entries, byte for byte.
  const t = ledger.timeMs + 1;
  const mo = ledger.state.openMotions[0]!.id;
  const statements = ['m00', 'm01', 'm02'].map((a) => {
    const s = sign(ballot(FEDERATION, a, mo, 'yes', t + 5)); // after the last 'no' ballots
    const bytes = encodeEntry({ kind: 'statement', statement: s });
    const e = decodeEntry(bytes) as { statement: SignedStatement };
    known.set(e.statement, { id: statementId(s), entry: bytes });
    return e.statement;
  });
  const batch = { height: ledger.state.height + 1, timeMs: t, proposer: 'm00', statements };
  const withKnown = executeBatch(ledger.state, batch, { known });
  assert.deepEqual(withKnown, executeBatch(ledger.state, batch));
  assert.deepEqual(withKnown.rejected, []);
  assert.ok(withKnown.world !== null, 'the admission passed with the known ballots');
});

test('an injected verifier decides BAD_SIGNATURE; preVerified trusts only a positive result for the same key', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const good = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  const forged: SignedStatement = {
    ...good,
    signature: sign(ballot(FEDERATION, 'm00', 'ab'.repeat(32), 'yes', T0)).signature,
  };
  const batch = { height: 1, timeMs: T0, proposer: 'm00', statements: [forged] };
  const key = ledger.state.world.members[0]!.governanceKey;
  let calls = 0;
  const counting = executeBatch(ledger.state, batch, {
    verify: () => {
      calls++;
      return true;
    },
  });
  assert.equal(calls, 1);
  assert.deepEqual(counting.rejected, [], 'the injected verifier is what decides');
  // The default, a negative pre-verified result, or a result for another key: verified on the spot.
  const id = statementId(forged);
  for (const results of [
    new Map<string, PreVerified>(),
    new Map([[id, { signerKey: key, ok: false }]]),
    new Map([[id, { signerKey: ledger.state.world.members[1]!.governanceKey, ok: true }]]),
  ]) {
    const r = executeBatch(ledger.state, batch, { verify: preVerified(results) });
    assert.equal(r.rejected[0]?.code, 'BAD_SIGNATURE');
  }
  assert.equal(executeBatch(ledger.state, batch).rejected[0]?.code, 'BAD_SIGNATURE');
});

test('replay memory: bounded by the widest age window in buckets, duplicates refused, the old state untouched', () => {
  const ledger = build(40); // ten days of ballots, four batches a day
  const buckets = Object.keys(ledger.state.seen);
  // The longest statementAgeMaxMs any policy allows (charter §3: widening it readmits nothing).
  const ageMs = POLICY_RANGES.statementAgeMaxMs[1];
  const window = Math.ceil(ageMs / SEEN_BUCKET_MS) + 1;
  assert.ok(buckets.length > 0 && buckets.length <= window, `${buckets.length} buckets`);
  for (const b of buckets) assert.ok((Number(b) + 1) * SEEN_BUCKET_MS > ledger.timeMs - ageMs);
  // The last ballots are remembered: sending one again is a duplicate.
  const last = decodeEntry(ledger.entries.findLast((e) => decodeEntry(e).kind === 'statement')!);
  assert.equal(last.kind, 'statement');
  const before = structuredClone(ledger.state);
  const again = executeBatch(ledger.state, {
    height: ledger.state.height + 1,
    timeMs: ledger.timeMs + 1,
    proposer: 'm00',
    statements: [(last as { statement: SignedStatement }).statement],
  });
  assert.equal(again.rejected[0]?.code, 'DUPLICATE_STATEMENT');
  // A batch that accepts statements does not touch the state it started from.
  const mo = ledger.state.openMotions[0]!.id;
  const t = ledger.timeMs + 2;
  const fresh = executeBatch(ledger.state, {
    height: ledger.state.height + 1,
    timeMs: t,
    proposer: 'm00',
    statements: [sign(ballot(FEDERATION, 'm03', mo, 'no', t))],
  });
  assert.deepEqual(fresh.rejected, []);
  assert.deepEqual(ledger.state, before);
  assert.notDeepEqual(fresh.state.seen, before.seen);
});
