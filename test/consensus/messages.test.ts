// Wire messages and signed block proposals: round trips, tampering, and bounded decoding that
// turns any bad input into a typed error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, toBase64 } from '../../src/codec/index.ts';
import {
  ConsensusError,
  decodeConsensusMessage,
  encodeConsensusMessage,
  parseSignedProposal,
  verifyProposal,
} from '../../src/consensus/index.ts';
import { makeValidators, proposal, value, vote } from './helpers.ts';

const [a, b] = makeValidators(2) as [
  ReturnType<typeof makeValidators>[0],
  ReturnType<typeof makeValidators>[0],
];

test('messages round-trip through their canonical bytes', () => {
  for (const m of [
    proposal(a, 3, 1, value('x')),
    vote(b, 3, 1, 'precommit', null),
    vote(b, 2, 0, 'prevote', value('y')),
  ]) {
    assert.deepEqual(decodeConsensusMessage(encodeConsensusMessage(m)), m);
  }
});

test('a signed proposal verifies; a changed value, round or signer does not', () => {
  const m = proposal(a, 3, 1, value('x'));
  assert.ok(m.kind === 'proposal' && verifyProposal(m.proposal));
  if (m.kind !== 'proposal') return;
  const other = value('z');
  assert.equal(verifyProposal({ ...m.proposal, value: toBase64(other) }), false);
  assert.equal(verifyProposal({ ...m.proposal, round: 2 }), false);
  assert.equal(verifyProposal({ ...m.proposal, proposer: b.id }), false);
});

test('proposal shapes are checked: validRound below round, exact keys', () => {
  const m = proposal(a, 3, 1, value('x'));
  if (m.kind !== 'proposal') return assert.fail();
  assert.throws(() => parseSignedProposal({ ...m.proposal, validRound: 1 }));
  assert.throws(() => parseSignedProposal({ ...m.proposal, extra: 1 }));
  assert.throws(() => parseSignedProposal({ ...m.proposal, height: 0 }));
});

test('a proof of lock may hold only prevotes of the proposal validRound', () => {
  const pv = vote(b, 3, 0, 'precommit', value('x'));
  if (pv.kind !== 'vote') return assert.fail();
  const m = proposal(a, 3, 1, value('x'), 0, [pv.vote]);
  assert.throws(
    () => decodeConsensusMessage(encodeConsensusMessage(m)),
    (e: unknown) => e instanceof ConsensusError && e.code === 'BAD_MESSAGE',
  );
});

test('any bytes decode to a message or a BAD_MESSAGE error, never anything else', () => {
  const sample = encodeConsensusMessage(vote(b, 3, 1, 'prevote', null));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(sample.length), (noise, at) => {
      for (const bytes of [
        noise,
        Uint8Array.from([...sample.slice(0, at), ...noise.slice(0, 3), ...sample.slice(at + 3)]),
      ]) {
        try {
          decodeConsensusMessage(bytes);
        } catch (e) {
          assert.ok(e instanceof ConsensusError && e.code === 'BAD_MESSAGE', String(e));
        }
      }
    }),
    { numRuns: 500 },
  );
  assert.throws(
    () => decodeConsensusMessage(canonicalBytes({ kind: 'vote' })),
    (e: unknown) => e instanceof ConsensusError && e.code === 'BAD_MESSAGE',
  );
});
