// PendingDraft: statements applied one after another on a state, as in one batch, so that a
// statement the rules refuse only together with the pending ones is told at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatement, motion, PendingDraft } from '../../src/governance/index.ts';
import { makeGenesis, sign, T0, TestLedger } from './fixtures.ts';

test('a pending draft refuses the ninth open motion of one author, which alone would pass, and changes nothing', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const before = structuredClone(ledger.state);
  const draft = new PendingDraft(ledger.state, ledger.timeMs);
  const remove = (member: string) => [{ type: 'remove' as const, member }];
  for (let i = 0; i < 8; i++)
    assert.equal(draft.add(sign(motion(ledger.state, 'm00', remove('m01'), T0 + i))), null);
  const ninth = sign(motion(ledger.state, 'm00', remove('m02'), T0 + 100));
  assert.equal(checkStatement(ledger.state, ninth, { timeMs: ledger.timeMs }), null, 'alone it passes');
  assert.equal(draft.add(ninth)?.code, 'TOO_MANY_OPEN_MOTIONS');
  // The refusal left the draft as it was: another author's motion, and the same one again, pass.
  assert.equal(draft.add(sign(motion(ledger.state, 'm01', remove('m02'), T0 + 101))), null);
  assert.equal(draft.add(ninth)?.code, 'TOO_MANY_OPEN_MOTIONS');
  assert.deepEqual(ledger.state, before, 'the state is never changed');
});
