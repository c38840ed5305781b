// Charter §3: the same statement is accepted once. The ids the rules remember to refuse
// duplicates cover the longest age any policy may allow, so a policy change that widens
// statementAgeMaxMs does not readmit a statement accepted — and forgotten — before it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ballot, DEFAULT_POLICY, motion, selfUpdate } from '../../src/governance/index.ts';
import { DAY_MS, FEDERATION, makeGenesis, sign, statementId, T0, TestLedger } from './fixtures.ts';

test('a statement accepted under a one-day age window is still a duplicate after the window widens to a week', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const endpoints = { p2p: ['/dns4/m01.example.net/tcp/4001'], http: ['https://m01.example.net/'] };
  const update = sign(selfUpdate(FEDERATION, 'm01', T0, { endpoints }));
  assert.deepEqual(ledger.run([update], T0).rejected, []);
  // Two days later, under the default one-day window, the update would be stale anyway.
  ledger.run([], T0 + 2 * DAY_MS);
  const t = T0 + 2 * DAY_MS + 1000;
  const wider = sign(
    motion(
      ledger.state,
      'm00',
      [{ type: 'change-policy', policy: { ...DEFAULT_POLICY, statementAgeMaxMs: 7 * DAY_MS } }],
      t,
    ),
  );
  const yes = ['m00', 'm01', 'm02', 'm03'].map((a) =>
    sign(ballot(FEDERATION, a, statementId(wider), 'yes', t)),
  );
  assert.deepEqual(ledger.run([wider, ...yes], t).rejected, []);
  assert.equal(ledger.state.world.policy.statementAgeMaxMs, 7 * DAY_MS);
  // Three days after it was signed the update is inside the new window: not stale, but seen.
  const again = ledger.run([update], T0 + 3 * DAY_MS);
  assert.deepEqual(
    again.rejected.map((r) => r.code),
    ['DUPLICATE_STATEMENT'],
  );
  assert.equal(again.entries.length, 1, 'only the batch header is appended');
});
