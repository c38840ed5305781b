import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ballot, motion, replay, validatorsOf } from '../../src/governance/index.ts';
import { admit, DAY_MS, FEDERATION, makeGenesis, sign, statementId, T0, TestLedger } from './fixtures.ts';

test('smoke: admit by vote, probation, then voting', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const m = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  let r = ledger.run([m]);
  assert.deepEqual(r.rejected, []);
  const id = statementId(m);
  const ballots = ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, id, 'yes', T0 + 1000)));
  r = ledger.run(ballots, T0 + 2000);
  assert.deepEqual(r.rejected, []);
  assert.equal(ledger.state.world.version, 2);
  assert.equal(ledger.state.world.members.find((x) => x.name === 'n00')?.status, 'probation');
  assert.equal(validatorsOf(ledger.state).length, 4);
  ledger.run([], T0 + 31 * DAY_MS);
  assert.equal(ledger.state.world.version, 3);
  assert.equal(validatorsOf(ledger.state).length, 5);
  const replayed = replay(ledger.genesis, ledger.entries);
  assert.deepEqual(replayed.state, ledger.state);
  assert.equal(replayed.worlds.length, 3);
});
