// Lazy vote verification in the pure core: a peer's vote of our round or an earlier one waits
// unverified until a rule could count it, a different vote for its slot arrives, or a proof of lock
// names it. These tests count the verifier's calls and check what an unverified vote may never do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ConsensusMessage,
  certificateValid,
  persistRecord,
  retransmission,
  storedVote,
  unverifiedVote,
  valueIdOf,
  verifyProposal,
  voteCount,
} from '../../src/consensus/index.ts';
import { type SignedVote, verifyVote } from '../../src/wire/index.ts';
import { config, FED, Harness, makeValidators, proposal, value, vote } from './helpers.ts';

// Seven validators: quorum 5. Validator 0 is us; the round-0 proposer at height 1 is V[1].
const V = makeValidators(7);
const me = V[0]!;
const X = value('x');

/** A core for validator 0 whose verifier records every vote it checks. */
function counted(): { h: Harness; checked: SignedVote[] } {
  const checked: SignedVote[] = [];
  const h = new Harness(
    config(me, {
      verifier: {
        vote: (v: SignedVote) => {
          checked.push(v);
          return verifyVote(v);
        },
        proposal: verifyProposal,
      },
    }),
  );
  h.feed({ kind: 'start-height', height: 1, validators: V });
  return { h, checked };
}

function signed(m: ConsensusMessage): SignedVote {
  return m.kind === 'vote' ? m.vote : assert.fail('not a vote');
}

/** The vote `by` would sign, carrying the signature of another vote: a forgery that parses. */
function forged(by: number, type: 'prevote' | 'precommit', v: Uint8Array | null): ConsensusMessage {
  const real = signed(vote(V[by]!, 1, 0, type, v));
  const other = signed(vote(V[by]!, 1, 0, type, value('other')));
  return { kind: 'vote', vote: { ...real, signature: other.signature } };
}

/** Proposal of X, then prevotes of X from V1..V4: with ours, a quorum, so we precommit X. */
function precommitted(): { h: Harness; checked: SignedVote[] } {
  const r = counted();
  r.h.msg(proposal(V[1]!, 1, 0, X));
  r.h.msg(...[1, 2, 3, 4].map((i) => vote(V[i]!, 1, 0, 'prevote', X)));
  assert.equal(r.h.state.step, 'precommit');
  return r;
}

test('prevotes that arrive after our precommit are kept unverified and count toward nothing', () => {
  const { h, checked } = precommitted();
  const before = checked.length;
  h.msg(vote(V[5]!, 1, 0, 'prevote', X), vote(V[6]!, 1, 0, 'prevote', X));
  assert.equal(checked.length, before, 'no late prevote was verified');
  assert.equal(h.state.unverified.size, 2);
  assert.equal(voteCount(h.state, 0, 'prevote', valueIdOf(X)), 5, 'the verified quorum only');
  assert.equal(h.state.votes.size, 6, 'five prevotes and our precommit');
  const record = persistRecord(h.state);
  assert.deepEqual(
    record.validPol?.map((v) => v.validator).sort(),
    V.slice(0, 5)
      .map((v) => v.id)
      .sort(),
  );
  const sent = retransmission(h.state).flatMap((m) => (m.kind === 'vote' ? [m.vote.validator] : []));
  assert.ok(!sent.includes(V[5]!.id) && !sent.includes(V[6]!.id), 'never re-sent unverified');
});

test('our own votes count without verifying our own signature', () => {
  const { checked } = precommitted();
  assert.equal(checked.filter((v) => v.validator === me.id).length, 0);
  assert.equal(checked.length, 4, 'the four prevotes the quorum needed');
});

test('a late vote that conflicts with a waiting one is verified with it and yields evidence', () => {
  const { h } = precommitted();
  const late = signed(vote(V[5]!, 1, 0, 'prevote', X));
  h.msg({ kind: 'vote', vote: late });
  const o = h.msg(vote(V[5]!, 1, 0, 'prevote', null));
  assert.equal(o.evidence.length, 1);
  assert.equal(o.evidence[0]!.a, late);
  assert.equal(o.evidence[0]!.b.valueId, null);
  assert.ok(verifyVote(o.evidence[0]!.a) && verifyVote(o.evidence[0]!.b));
  assert.equal(unverifiedVote(h.state, 0, 'prevote', V[5]!.id), undefined);
  const again = h.msg(vote(V[5]!, 1, 0, 'prevote', value('third')));
  assert.equal(again.evidence.length, 0, 'once per slot');
});

test('a forged late vote never yields evidence and does not mask the real vote', () => {
  const { h } = precommitted();
  h.msg(forged(5, 'prevote', null));
  assert.ok(unverifiedVote(h.state, 0, 'prevote', V[5]!.id));
  const real = signed(vote(V[5]!, 1, 0, 'prevote', X));
  const o = h.msg({ kind: 'vote', vote: real });
  assert.equal(o.evidence.length, 0, 'the forgery is dropped, not taken for an equivocation');
  assert.equal(unverifiedVote(h.state, 0, 'prevote', V[5]!.id), real, 'the real vote has the slot');
  const e = h.msg(vote(V[5]!, 1, 0, 'prevote', null));
  assert.equal(e.evidence.length, 1, 'and the real vote still makes evidence against a conflicting one');
  assert.equal(e.evidence[0]!.a, real);
});

test('forged precommits never complete a quorum; the real ones then decide with a verified certificate', () => {
  const { h } = precommitted();
  h.msg(...[1, 2, 3].map((i) => vote(V[i]!, 1, 0, 'precommit', X)));
  const o = h.msg(forged(4, 'precommit', X), forged(5, 'precommit', X), forged(6, 'precommit', X));
  assert.equal(o.decisions.length, 0);
  assert.equal(h.state.decided, false);
  assert.equal(
    h.state.unverified.size,
    0,
    'each forgery was verified (and dropped) as it could complete the quorum',
  );
  const d = h.msg(vote(V[6]!, 1, 0, 'precommit', X));
  assert.equal(d.decisions.length, 1);
  const decision = d.decisions[0]!;
  assert.equal(decision.certificate.length, 5);
  assert.ok(decision.certificate.every(verifyVote));
  assert.ok(certificateValid(decision, V, FED));
});

test('forged prevotes never make us lock or precommit', () => {
  const { h } = counted();
  h.msg(proposal(V[1]!, 1, 0, X));
  h.msg(vote(V[1]!, 1, 0, 'prevote', X), vote(V[2]!, 1, 0, 'prevote', X), vote(V[3]!, 1, 0, 'prevote', X));
  const o = h.msg(forged(4, 'prevote', X), forged(5, 'prevote', X), forged(6, 'prevote', X));
  assert.equal(o.messages.length, 0);
  assert.equal(h.state.step, 'prevote');
  assert.equal(h.state.lockedRound, -1);
  assert.equal(h.state.unverified.size, 0);
});

test('leaving a round verifies the votes still waiting in it', () => {
  const { h, checked } = precommitted();
  h.msg(vote(V[5]!, 1, 0, 'prevote', X), vote(V[6]!, 1, 0, 'prevote', X));
  const before = checked.length;
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  assert.equal(h.state.round, 1);
  assert.equal(checked.length - before, 2);
  assert.equal(h.state.unverified.size, 0);
  assert.ok(storedVote(h.state, 0, 'prevote', V[5]!.id) && storedVote(h.state, 0, 'prevote', V[6]!.id));
  assert.equal(
    persistRecord(h.state).validPol?.length,
    7,
    'a later proof of lock carries every prevote received',
  );
  h.msg(vote(V[6]!, 1, 0, 'precommit', X));
  assert.ok(
    storedVote(h.state, 0, 'precommit', V[6]!.id),
    'a vote of an earlier round is verified on arrival',
  );
});

test('a waiting vote a proof of lock names is verified once, not again for the proof', () => {
  const { h, checked } = counted();
  // Round 0 ends without a lock: nil precommits from a quorum, then the precommit timeout.
  h.feed({ kind: 'value-ready', height: 1, value: X });
  h.msg(...[1, 2, 3, 4].map((i) => vote(V[i]!, 1, 0, 'precommit', null)));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  assert.equal(h.state.round, 1);
  // Round-1 prevotes for X arrive before round 1's proposal: no rule needs them yet, they wait.
  const pol = [1, 2, 3, 4, 5].map((i) => signed(vote(V[i]!, 1, 1, 'prevote', X)));
  h.msg(...pol.map((v) => ({ kind: 'vote' as const, vote: v })));
  assert.ok(pol.every((v) => unverifiedVote(h.state, 1, 'prevote', v.validator) === v));
  const before = checked.length;
  // The round-2 proposer V[3] proposes X with validRound 1 and those prevotes as its proof of lock.
  h.msg(proposal(V[3]!, 1, 2, X, 1, pol));
  assert.equal(checked.length - before, 5, 'each proof-of-lock prevote verified once');
  assert.ok(pol.every((v) => storedVote(h.state, 1, 'prevote', v.validator) === v));
  assert.equal(h.state.pols.get(2)?.length, 5);
});

test('next-height messages are verified when buffered, not again when replayed', () => {
  const { h, checked } = counted();
  h.msg(vote(V[3]!, 2, 0, 'prevote', X));
  assert.equal(checked.length, 1);
  h.feed({ kind: 'start-height', height: 2, validators: V });
  assert.equal(checked.length, 1);
  assert.equal(h.state.active, true, 'the replayed vote woke the height');
  assert.equal(voteCount(h.state, 0, 'prevote', '*'), 1);
});
