// An open batch (the proposer's pending batch) gives exactly what executeBatch gives for the
// statements it accepted, after every statement added; a result taken earlier never changes when
// more statements come; a rejected statement changes nothing; a statement the rules refuse only
// together with the ones already in (an author's ninth open motion) is refused at once; the
// policy's batch size is a bound.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ballot,
  checkStatement,
  DEFAULT_POLICY,
  executeBatch,
  GovernanceError,
  motion,
  openBatch,
  type SignedStatement,
  selfUpdate,
} from '../../src/governance/index.ts';
import { DKG_POLICY, Dkg } from './ceremony-fixtures.ts';
import {
  DAY_MS,
  FEDERATION,
  makeGenesis,
  memberName,
  sign,
  statementId,
  T0,
  TestLedger,
} from './fixtures.ts';

const MEMBERS = 5;

type Step =
  | { t: 'motion'; author: number; target: number }
  | { t: 'ballot'; author: number; motion: number; choice: 'yes' | 'no' | 'abstain'; back: number }
  | { t: 'self'; author: number; variant: number; back: number }
  | { t: 'commit'; ms: number };

const member = fc.nat({ max: MEMBERS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('motion' as const), author: member, target: member }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant('ballot' as const),
      author: member,
      motion: fc.nat({ max: 3 }),
      choice: fc.constantFrom('yes' as const, 'yes' as const, 'no' as const, 'abstain' as const),
      back: fc.nat({ max: 3 }),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('self' as const),
      author: member,
      variant: fc.nat({ max: 2 }),
      back: fc.nat({ max: 3 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ t: fc.constant('commit' as const), ms: fc.constantFrom(1000, DAY_MS) }),
    weight: 1,
  },
);

test('after every statement, an open batch equals executeBatch of the statements it accepted; earlier results never change', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      const ledger = new TestLedger(makeGenesis(MEMBERS));
      let time = T0;
      let open = openBatch(ledger.state, { height: 1, timeMs: time, proposer: ledger.proposer });
      let motions: string[] = [];
      const snapshots: { result: ReturnType<typeof open.result>; frozen: string }[] = [];
      for (const s of steps) {
        if (s.t === 'commit') {
          const result = open.result();
          ledger.state = result.state;
          time += s.ms;
          open = openBatch(ledger.state, {
            height: ledger.state.height + 1,
            timeMs: time,
            proposer: ledger.proposer,
          });
          motions = ledger.state.openMotions.map((m) => m.id);
          snapshots.length = 0;
          continue;
        }
        const author = memberName(s.author);
        let signed: SignedStatement | undefined;
        if (s.t === 'motion') {
          const target = memberName(s.target);
          signed = sign(
            motion(
              ledger.state,
              author,
              [{ type: 'update-member', member: target, organisation: `Org ${target} ${time}` }],
              time,
            ),
          );
          motions.push(statementId(signed));
        } else if (s.t === 'ballot') {
          const id = motions[s.motion % Math.max(1, motions.length)];
          if (id !== undefined) signed = sign(ballot(FEDERATION, author, id, s.choice, time - s.back));
        } else {
          const endpoints = {
            p2p: [`/dns4/${author}-${s.variant}.example/tcp/1`],
            http: [`https://${author}.example/`],
          };
          signed = sign(selfUpdate(FEDERATION, author, time - s.back, { endpoints }));
        }
        if (signed === undefined) continue;
        const before = open.result();
        const rejection = open.add(signed);
        const after = open.result();
        if (rejection !== null) assert.deepStrictEqual(after, before, 'a rejected statement changes nothing');
        const expected = executeBatch(ledger.state, { ...open.header, statements: [...open.statements] });
        assert.deepStrictEqual(after, expected);
        snapshots.push({ result: after, frozen: JSON.stringify(after.state) });
        for (const snap of snapshots) assert.equal(JSON.stringify(snap.result.state), snap.frozen);
      }
    }),
    { numRuns: 60 },
  );
});

test('an open batch refuses a statement past the policy batch size, and a header that cannot follow', () => {
  const ledger = new TestLedger(makeGenesis(4, { ...DEFAULT_POLICY, batchStatementsMax: 2 }));
  const open = openBatch(ledger.state, { height: 1, timeMs: T0, proposer: ledger.proposer });
  for (let i = 0; i < 2; i++) {
    const endpoints = { p2p: [`/dns4/m${i}.example/tcp/1`], http: ['https://m.example/'] };
    assert.equal(open.add(sign(selfUpdate(FEDERATION, memberName(i), T0, { endpoints }))), null);
  }
  const third = sign(
    selfUpdate(FEDERATION, memberName(2), T0, {
      endpoints: { p2p: ['/dns4/x/tcp/1'], http: ['https://x/'] },
    }),
  );
  assert.throws(
    () => open.add(third),
    (e) => e instanceof GovernanceError && e.code === 'BAD_BATCH',
  );
  assert.equal(open.statements.length, 2);
  assert.throws(
    () => openBatch(ledger.state, { height: 2, timeMs: T0, proposer: ledger.proposer }),
    (e) => e instanceof GovernanceError && e.code === 'BAD_BATCH',
  );
});

test('an open batch refuses the ninth open motion of one author, which alone would pass, and changes nothing', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const before = structuredClone(ledger.state);
  const open = openBatch(ledger.state, { height: 1, timeMs: ledger.timeMs, proposer: ledger.proposer });
  const remove = (member: string) => [{ type: 'remove' as const, member }];
  for (let i = 0; i < 8; i++)
    assert.equal(open.add(sign(motion(ledger.state, 'm00', remove('m01'), T0 + i))), null);
  const ninth = sign(motion(ledger.state, 'm00', remove('m02'), T0 + 100));
  assert.equal(checkStatement(ledger.state, ninth, { timeMs: ledger.timeMs }), null, 'alone it passes');
  assert.equal(open.add(ninth)?.code, 'TOO_MANY_OPEN_MOTIONS');
  // The refusal left the batch as it was: another author's motion, and the same one again, pass.
  assert.equal(open.add(sign(motion(ledger.state, 'm01', remove('m02'), T0 + 101))), null);
  assert.equal(open.add(ninth)?.code, 'TOO_MANY_OPEN_MOTIONS');
  assert.equal(open.statements.length, 9);
  assert.deepEqual(ledger.state, before, 'the state is never changed');
});

test('an open batch through a DKG: results taken between the parts of one phase never change, and each equals executeBatch', () => {
  const ledger = new TestLedger(makeGenesis(7, DKG_POLICY));
  const dkg = new Dkg(ledger);
  const names = dkg.ceremony.participants;
  const phases = [
    (n: string) => dkg.commitment(n, ledger.timeMs),
    (n: string) => dkg.shares(n, ledger.timeMs),
    (n: string) => dkg.confirmation(n, ledger.timeMs).signed,
  ];
  for (const part of phases) {
    const header = { height: ledger.state.height + 1, timeMs: ledger.timeMs, proposer: ledger.proposer };
    const open = openBatch(ledger.state, header);
    const snapshots: { result: ReturnType<typeof open.result>; frozen: string }[] = [];
    for (const name of names) {
      assert.equal(open.add(part(name)), null);
      const result = open.result();
      assert.deepStrictEqual(
        result,
        executeBatch(ledger.state, { ...header, statements: [...open.statements] }),
      );
      snapshots.push({ result, frozen: JSON.stringify(result.state) });
      for (const snap of snapshots) assert.equal(JSON.stringify(snap.result.state), snap.frozen);
    }
    ledger.run([...open.statements], ledger.timeMs);
  }
  assert.equal(ledger.state.world.federationKey?.threshold, 5, 'the ceremony completed');
});
