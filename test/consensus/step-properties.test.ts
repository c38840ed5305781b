// Properties of the pure core over random input sequences (fast-check): step never changes the
// state it was given (copy on write), is a function of its inputs, and whatever order real and
// forged votes arrive in, only verified votes are ever counted, persisted, re-sent or used as proof.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type ConsensusMessage,
  type CoreState,
  certificateValid,
  FUTURE_ROUNDS_MAX,
  type Input,
  type Output,
  retransmission,
  step,
  valueIdOf,
} from '../../src/consensus/index.ts';
import { type SignedVote, verifyVote, votesConflict } from '../../src/wire/index.ts';
import { config, FED, Harness, makeValidators, proposal, value, vote } from './helpers.ts';

const V = makeValidators(4);
const me = V[0]!;
const VALUES = [value('x'), value('y'), null] as const;
const TYPES = ['prevote', 'precommit'] as const;
const ROUNDS_MAX = 3;

/** Every vote of validators 1..3 for rounds 0..2 at height 1, signed once. */
const VOTES: SignedVote[] = [];
for (let by = 1; by < 4; by++)
  for (let round = 0; round < ROUNDS_MAX; round++)
    for (const type of TYPES)
      for (const v of VALUES) {
        const m = vote(V[by]!, 1, round, type, v);
        if (m.kind === 'vote') VOTES.push(m.vote);
      }

function voteInput(index: number, forgedFrom: number | null, height: number): Input {
  const real = VOTES[index]!;
  const v = forgedFrom === null ? real : { ...real, signature: VOTES[forgedFrom]!.signature };
  const msg: ConsensusMessage = { kind: 'vote', vote: height === 1 ? v : { ...v, height } };
  return { kind: 'message', msg };
}

/** A proposal of round 0..2 by its proposer; a later round's may carry the round before's prevotes for it. */
function proposalInput(round: number, valueIndex: number, withPol: boolean): Input {
  const v = VALUES[valueIndex]!;
  const proposer = V[(1 + round) % 4]!;
  if (!withPol || round === 0) return { kind: 'message', msg: proposal(proposer, 1, round, v) };
  const validRound = round - 1;
  const pol = VOTES.filter(
    (x) => x.type === 'prevote' && x.round === validRound && x.valueId === valueIdOf(v),
  );
  return { kind: 'message', msg: proposal(proposer, 1, round, v, validRound, pol) };
}

const input: fc.Arbitrary<Input> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.nat(VOTES.length - 1),
        fc.option(fc.nat(VOTES.length - 1), { freq: 4 }),
        fc.constantFrom(1, 1, 1, 2),
      )
      .map(([i, forged, height]) => voteInput(i, forged !== null && forged !== i ? forged : null, height)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(ROUNDS_MAX - 1), fc.nat(1), fc.boolean())
      .map(([round, v, pol]) => proposalInput(round, v, pol)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('propose', 'prevote', 'precommit'), fc.nat(ROUNDS_MAX - 1))
      .map(([timer, round]): Input => ({ kind: 'timeout', timer, height: 1, round })),
  },
  { weight: 1, arbitrary: fc.constant<Input>({ kind: 'value-ready', height: 1, value: value('x') }) },
);

/** The state without its config (functions), as a deep copy. */
function snapshot(s: CoreState): unknown {
  const { config: _config, ...rest } = s;
  return structuredClone(rest);
}

function recount(votes: Iterable<SignedVote>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of votes) {
    for (const id of [v.valueId ?? 'nil', '*']) {
      const key = `${v.round}/${v.type}/${id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The core's counts as `round/type/value` → count ('*': any value, 'nil': null), zeros left out. */
function flatten(tally: CoreState['tally']): Map<string, number> {
  const flat = new Map<string, number>();
  for (const [round, counts] of tally) {
    for (const type of TYPES) {
      const c = counts[type];
      if (c.all > 0) flat.set(`${round}/${type}/*`, c.all);
      for (const [id, n] of c.byValue) if (n > 0) flat.set(`${round}/${type}/${id ?? 'nil'}`, n);
    }
  }
  return flat;
}

function checkOutput(out: Output): void {
  const s = out.state;
  for (const v of s.votes.values()) assert.ok(verifyVote(v), 'only verified votes are stored');
  assert.deepEqual(
    flatten(s.tally),
    recount(s.votes.values()),
    'the tally counts the stored votes, nothing else',
  );
  assert.deepEqual(flatten(s.unverifiedTally), recount(s.unverified.values()));
  for (const key of s.unverified.keys())
    assert.ok(!s.votes.has(key), 'a slot is verified or waiting, not both');
  for (const v of s.unverified.values()) assert.ok(v.round <= s.round);
  const slots = s.validators.length * TYPES.length * (s.round + 1 + FUTURE_ROUNDS_MAX);
  assert.ok(s.votes.size + s.unverified.size <= slots, 'one vote per slot, verified or not');
  for (const e of out.evidence) assert.ok(verifyVote(e.a) && verifyVote(e.b) && votesConflict(e.a, e.b));
  for (const d of out.decisions) assert.ok(certificateValid(d, V, FED));
  for (const pol of s.pols.values()) assert.ok(pol.every(verifyVote));
  for (const v of out.toPersist?.validPol ?? [])
    assert.ok(verifyVote(v), 'only verified votes are persisted');
  for (const m of [...out.messages, ...retransmission(s)]) {
    if (m.kind === 'vote') assert.ok(verifyVote(m.vote), 'only verified votes are sent');
    else assert.ok(m.pol.every(verifyVote));
  }
}

test('step never changes its input state, is a function of its input, and counts only verified votes', () => {
  fc.assert(
    fc.property(fc.array(input, { minLength: 1, maxLength: 40 }), (inputs) => {
      const h = new Harness(config(me));
      h.feed({ kind: 'start-height', height: 1, validators: V });
      for (const i of inputs) {
        const before = h.state;
        const copy = snapshot(before);
        const out = step(before, i);
        assert.deepEqual(snapshot(before), copy, 'the input state is unchanged');
        const again = step(before, i);
        assert.deepEqual(snapshot(again.state), snapshot(out.state), 'same state and input, same state out');
        assert.deepEqual(
          { ...again, state: null },
          { ...out, state: null },
          'same state and input, same effects',
        );
        checkOutput(out);
        h.state = out.state;
      }
    }),
    { numRuns: 60 },
  );
});
