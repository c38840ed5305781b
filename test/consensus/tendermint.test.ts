// Scripted steps of the pure Tendermint core (Algorithm 1): one behaviour per test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  certificateValid,
  persistRecord,
  retransmission,
  step,
  valueIdOf,
  voteCount,
} from '../../src/consensus/index.ts';
import { votesConflict } from '../../src/wire/index.ts';
import { config, FED, Harness, INVALID, makeValidators, proposal, value, vote } from './helpers.ts';

const V = makeValidators(4);
const [me, a, b, c] = V as [(typeof V)[0], (typeof V)[0], (typeof V)[0], (typeof V)[0]];
const X = value('x');
const Y = value('y');

/** A core for validator 0 at height 1 (proposer of round 0 is validator 1, round r is V[(1+r)%4]). */
function started(extra = {}): Harness {
  const h = new Harness(config(me, extra));
  h.feed({ kind: 'start-height', height: 1, validators: V });
  return h;
}

test('idle when idle: a started height with nothing pending sends nothing and sets no timer', () => {
  const h = started();
  const out = h.outputs[0]!;
  assert.equal(out.messages.length, 0);
  assert.equal(out.timers.length, 0);
  assert.equal(h.state.active, false);
  const o = h.feed({ kind: 'value-ready', height: 1, value: X });
  assert.equal(h.state.active, true);
  assert.deepEqual(
    o.timers.map((t) => [t.kind, t.round, t.delayMs]),
    [['propose', 0, 100]],
  );
});

test('a valid message at the current height wakes an idle node', () => {
  const h = started();
  h.msg(vote(b, 1, 0, 'prevote', null));
  assert.equal(h.state.active, true);
});

test('happy path: prevote the proposal, lock on a prevote quorum, decide on a precommit quorum', () => {
  const h = started();
  let o = h.msg(proposal(a, 1, 0, X));
  assert.deepEqual(
    o.messages.map((m) => m.kind === 'vote' && [m.vote.type, m.vote.valueId]),
    [['prevote', valueIdOf(X)]],
  );
  assert.ok(o.toPersist, 'the vote is in the record to persist');
  assert.equal(o.toPersist.ownVotes[0]!.valueId, valueIdOf(X));
  h.msg(vote(a, 1, 0, 'prevote', X));
  o = h.msg(vote(b, 1, 0, 'prevote', X));
  assert.deepEqual(
    o.messages.map((m) => m.kind === 'vote' && m.vote.type),
    ['precommit'],
  );
  assert.equal(h.state.lockedRound, 0);
  assert.equal(valueIdOf(h.state.lockedValue!), valueIdOf(X));
  assert.equal(h.state.validRound, 0);
  h.msg(vote(a, 1, 0, 'precommit', X));
  o = h.msg(vote(c, 1, 0, 'precommit', X));
  assert.equal(o.decisions.length, 1);
  const d = o.decisions[0]!;
  assert.equal(d.height, 1);
  assert.equal(d.valueId, valueIdOf(X));
  assert.equal(d.certificate.length, 3);
  assert.ok(certificateValid(d, V, FED));
});

test('an invalid proposal gets a nil prevote', () => {
  const h = started();
  const o = h.msg(proposal(a, 1, 0, INVALID));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, null);
});

test('timeouts: propose → nil prevote, nil quorum → nil precommit, precommit timeout → next round with longer timeouts', () => {
  const h = started();
  h.feed({ kind: 'value-ready', height: 1, value: X });
  let o = h.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 0 });
  assert.deepEqual(
    o.messages.map((m) => m.kind === 'vote' && [m.vote.type, m.vote.valueId]),
    [['prevote', null]],
  );
  h.msg(vote(a, 1, 0, 'prevote', null));
  o = h.msg(vote(b, 1, 0, 'prevote', null));
  assert.deepEqual(
    o.messages.map((m) => m.kind === 'vote' && [m.vote.type, m.vote.valueId]),
    [['precommit', null]],
  );
  h.msg(vote(a, 1, 0, 'precommit', null));
  o = h.msg(vote(b, 1, 0, 'precommit', null));
  assert.deepEqual(
    o.timers.map((t) => t.kind),
    ['precommit'],
  );
  o = h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  assert.equal(h.state.round, 1);
  assert.equal(o.catchUp, true, 'a round without a decision asks for catch-up');
  assert.deepEqual(
    o.timers.map((t) => [t.kind, t.round, t.delayMs]),
    [['propose', 1, 110]],
  );
  // Stale timeouts do nothing.
  o = h.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 0 });
  assert.equal(o.messages.length, 0);
});

test('prevote timeout fires after any quorum of prevotes and yields a nil precommit', () => {
  const h = started();
  h.msg(proposal(a, 1, 0, X));
  h.msg(vote(a, 1, 0, 'prevote', Y));
  const o = h.msg(vote(b, 1, 0, 'prevote', null));
  assert.deepEqual(
    o.timers.map((t) => t.kind),
    ['prevote'],
  );
  const t = h.feed({ kind: 'timeout', timer: 'prevote', height: 1, round: 0 });
  assert.deepEqual(
    t.messages.map((m) => m.kind === 'vote' && [m.vote.type, m.vote.valueId]),
    [['precommit', null]],
  );
});

test('locking: a node locked on X prevotes nil for a fresh Y, and Y with a later validRound unlocks it', () => {
  const h = started();
  h.msg(proposal(a, 1, 0, X), vote(a, 1, 0, 'prevote', X), vote(b, 1, 0, 'prevote', X));
  assert.equal(h.state.lockedRound, 0);
  // Round 0 ends without decision.
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  assert.equal(h.state.round, 1);
  // Round 1 proposer is b (V[2]): proposes Y fresh → nil prevote from the locked node.
  let o = h.msg(proposal(b, 1, 1, Y));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, null);
  // Two prevotes for Y plus our nil make a quorum of any prevotes: the prevote timeout makes us
  // precommit nil. The third Y prevote then sets the valid value (L36 in step precommit), not the lock.
  o = h.msg(vote(b, 1, 1, 'prevote', Y), vote(c, 1, 1, 'prevote', Y));
  h.feed({ kind: 'timeout', timer: 'prevote', height: 1, round: 1 });
  assert.equal(h.state.step, 'precommit');
  h.msg(vote(a, 1, 1, 'prevote', Y));
  assert.equal(h.state.validRound, 1);
  assert.equal(h.state.lockedRound, 0);
  h.msg(vote(a, 1, 1, 'precommit', null), vote(b, 1, 1, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 1 });
  // Round 2 proposer is c (V[3]): re-proposes Y with validRound 1 → lockedRound 0 ≤ 1, we prevote Y.
  o = h.msg(proposal(c, 1, 2, Y, 1));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, valueIdOf(Y));
});

test('no-locking mutation prevotes a fresh value even when locked (the test hook works)', () => {
  const h = started({ unsafeMutationForSimulation: 'no-locking' });
  h.msg(proposal(a, 1, 0, X), vote(a, 1, 0, 'prevote', X), vote(b, 1, 0, 'prevote', X));
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  const o = h.msg(proposal(b, 1, 1, Y));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, valueIdOf(Y));
});

test('a proof of lock inside a proposal stands in for missed prevotes (line 28)', () => {
  const h = started();
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null), vote(c, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  const pol = [a, b, c].map((v) => {
    const m = vote(v, 1, 0, 'prevote', Y);
    return m.kind === 'vote' ? m.vote : assert.fail();
  });
  const o = h.msg(proposal(b, 1, 1, Y, 0, pol));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, valueIdOf(Y));
});

test('round skip: f+1 validators seen in a higher round move us there', () => {
  const h = started();
  h.feed({ kind: 'value-ready', height: 1, value: X });
  h.msg(vote(a, 1, 3, 'prevote', null));
  assert.equal(h.state.round, 0, 'one validator (f) is not enough');
  const o = h.msg(vote(b, 1, 3, 'precommit', null));
  assert.equal(h.state.round, 3);
  // Round 3's proposer is V[(1+3)%4] = me: it asks for a fresh value and proposes it.
  assert.equal(o.wantValue, 1);
  const p = h.feed({ kind: 'value-ready', height: 1, value: X });
  assert.ok(p.messages.some((m) => m.kind === 'proposal' && m.proposal.round === 3));
});

test('equivocation: two different prevotes from one validator for one round yield evidence once', () => {
  const h = started();
  h.msg(vote(b, 1, 0, 'prevote', X));
  const o = h.msg(vote(b, 1, 0, 'prevote', Y));
  assert.equal(o.evidence.length, 1);
  assert.ok(votesConflict(o.evidence[0]!.a, o.evidence[0]!.b));
  const again = h.msg(vote(b, 1, 0, 'prevote', null));
  assert.equal(again.evidence.length, 0);
  assert.equal(voteCount(h.state, 0, 'prevote', '*'), 1, 'the second vote is not counted');
});

test('bad signatures, non-validators and wrong proposers are ignored', () => {
  const h = started();
  const outsider = makeValidators(6)[5]!;
  h.msg(vote(outsider, 1, 0, 'prevote', X));
  const forged = vote(a, 1, 0, 'prevote', X);
  if (forged.kind === 'vote') forged.vote = { ...forged.vote, valueId: valueIdOf(Y) };
  h.msg(forged);
  h.msg(proposal(c, 1, 0, X)); // c is not the round-0 proposer
  assert.equal(h.state.votes.size, 0);
  assert.equal(h.state.proposals.size, 0);
  assert.equal(h.state.active, false);
});

test('restart from the persisted record re-sends the same vote and never signs a conflicting one', () => {
  const h = started();
  const o = h.msg(proposal(a, 1, 0, X));
  const record = o.toPersist!;
  const h2 = new Harness(config(me));
  const r = h2.feed({ kind: 'start-height', height: 1, validators: V, resume: record });
  // On resume at round 0 the propose timer fires: the core must re-send its X prevote, not nil.
  const t = h2.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 0 });
  const sent = [...r.messages, ...t.messages].flatMap((m) => (m.kind === 'vote' ? [m.vote] : []));
  for (const v of sent) assert.ok(!votesConflict(v, record.ownVotes[0]!));
});

test('a restarted root still re-sends its votes of earlier rounds, for peers left in them', () => {
  // Round 0 ends with our nil precommit (the others' precommits arrive, ours may be lost) and we
  // move to round 1 and prevote there. Then we crash and restart from the record.
  const h = started();
  h.feed({ kind: 'value-ready', height: 1, value: X });
  h.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 0 });
  h.msg(vote(a, 1, 0, 'prevote', null), vote(b, 1, 0, 'prevote', null));
  const precommit0 = h.sentVotes().find((v) => v.round === 0 && v.type === 'precommit')!;
  assert.ok(precommit0, 'we precommitted in round 0');
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  h.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 1 });
  assert.equal(h.state.round, 1);
  const record = persistRecord(h.state);
  assert.ok(
    record.ownVotes.some((v) => v.signature === precommit0.signature),
    'persisted',
  );

  const h2 = new Harness(config(me));
  h2.feed({ kind: 'start-height', height: 1, validators: V, resume: record });
  const again = retransmission(h2.state).flatMap((m) => (m.kind === 'vote' ? [m.vote.signature] : []));
  assert.ok(again.includes(precommit0.signature), 'the round-0 precommit is re-sent after the restart');
});

test('retransmission relays the precommits of the round before ours, whoever signed them', () => {
  // We left round 0 on 2f+1 precommits; a peer still in round 0 that missed some of them needs
  // them to leave it too, even if their signers have gone quiet.
  const h = started();
  h.feed({ kind: 'value-ready', height: 1, value: X });
  h.feed({ kind: 'timeout', timer: 'propose', height: 1, round: 0 });
  h.msg(vote(a, 1, 0, 'prevote', null), vote(b, 1, 0, 'prevote', null));
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  h.msg(vote(c, 1, 0, 'prevote', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  assert.equal(h.state.round, 1);
  const relayed = retransmission(h.state).flatMap((m) =>
    m.kind === 'vote' && m.vote.validator !== me.id ? [[m.vote.round, m.vote.type, m.vote.validator]] : [],
  );
  assert.deepEqual(
    relayed.sort(),
    [
      [0, 'precommit', a.id],
      [0, 'precommit', b.id],
    ].sort(),
    "others' round-0 precommits, not their prevotes",
  );
});

test('a locked node restarted from its record keeps the lock', () => {
  const h = started();
  const o = h.msg(proposal(a, 1, 0, X), vote(a, 1, 0, 'prevote', X), vote(b, 1, 0, 'prevote', X));
  const h2 = new Harness(config(me));
  h2.feed({ kind: 'start-height', height: 1, validators: V, resume: o.toPersist! });
  assert.equal(h2.state.lockedRound, 0);
  assert.equal(valueIdOf(h2.state.lockedValue!), valueIdOf(X));
});

test('catch-up: a decision with a valid certificate is applied, one short of quorum is not', () => {
  const h = started();
  const cert = [a, b, c].map((v) => {
    const m = vote(v, 1, 2, 'precommit', X);
    return m.kind === 'vote' ? m.vote : assert.fail();
  });
  const short = h.feed({
    kind: 'decision',
    decision: { height: 1, round: 2, value: X, valueId: valueIdOf(X), certificate: cert.slice(0, 2) },
  });
  assert.equal(short.decisions.length, 0);
  const wrongValue = h.feed({
    kind: 'decision',
    decision: { height: 1, round: 2, value: Y, valueId: valueIdOf(X), certificate: cert },
  });
  assert.equal(wrongValue.decisions.length, 0);
  const ok = h.feed({
    kind: 'decision',
    decision: { height: 1, round: 2, value: X, valueId: valueIdOf(X), certificate: cert },
  });
  assert.equal(ok.decisions.length, 1);
});

test('next-height messages are buffered, then replayed when that height starts', () => {
  const h = started();
  const o = h.msg(proposal(b, 2, 0, Y));
  assert.equal(o.catchUp, true);
  assert.equal(h.state.nextHeight.size, 1);
  h.feed({
    kind: 'decision',
    decision: {
      height: 1,
      round: 0,
      value: X,
      valueId: valueIdOf(X),
      certificate: [a, b, c].map((v) => {
        const m = vote(v, 1, 0, 'precommit', X);
        return m.kind === 'vote' ? m.vote : assert.fail();
      }),
    },
  });
  const s = h.feed({ kind: 'start-height', height: 2, validators: V });
  assert.deepEqual(
    s.messages.map((m) => m.kind === 'vote' && [m.vote.height, m.vote.type, m.vote.valueId]),
    [[2, 'prevote', valueIdOf(Y)]],
  );
});

test('a proposer of a later round asks for a fresh value, and does not re-propose the one it held', () => {
  const h = started(); // me proposes round 3 of height 1
  h.feed({ kind: 'value-ready', height: 1, value: X }); // starts height 1: X is held
  // f + 1 validators at round 3 move us there (the skip rule).
  const o = h.msg(vote(a, 1, 3, 'prevote', null), vote(b, 1, 3, 'prevote', null));
  assert.equal(h.state.round, 3);
  assert.equal(o.wantValue, 1);
  assert.ok(!o.messages.some((m) => m.kind === 'proposal'), 'the held value is not proposed');
  const fresh = h.feed({ kind: 'value-ready', height: 1, value: Y });
  const sent = fresh.messages.find((m) => m.kind === 'proposal');
  assert.ok(sent?.kind === 'proposal');
  assert.equal(sent.proposal.valueId, valueIdOf(Y));
  assert.equal(sent.proposal.validRound, -1);
});

test('a proposer without a value asks for one and proposes when it arrives', () => {
  const h = new Harness(config(me));
  h.feed({ kind: 'start-height', height: 4, validators: V }); // V[(4+0)%4] = me
  h.msg(vote(a, 4, 0, 'prevote', null)); // wakes us up without a value
  const asked = h.outputs.at(-1)!;
  assert.equal(asked.wantValue, 4);
  const o = h.feed({ kind: 'value-ready', height: 4, value: X });
  assert.deepEqual(
    o.messages.map((m) => m.kind),
    ['proposal', 'vote'],
  );
});

test('step never mutates the state it was given', () => {
  const h = started();
  const before = h.state;
  const votes = before.votes.size;
  step(before, { kind: 'message', msg: vote(a, 1, 0, 'prevote', X) });
  assert.equal(before.votes.size, votes);
  assert.equal(before.active, false);
});

test('a prevote quorum for a value while in prevote step relocks on it (line 36)', () => {
  const h = started();
  h.msg(proposal(a, 1, 0, X), vote(a, 1, 0, 'prevote', X), vote(b, 1, 0, 'prevote', X));
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  h.msg(proposal(b, 1, 1, Y)); // we prevote nil (locked on X) and stay in step prevote
  const o = h.msg(vote(a, 1, 1, 'prevote', Y), vote(b, 1, 1, 'prevote', Y), vote(c, 1, 1, 'prevote', Y));
  assert.equal(h.state.lockedRound, 1);
  assert.equal(valueIdOf(h.state.lockedValue!), valueIdOf(Y));
  assert.deepEqual(
    h.outputs.slice(-3).flatMap((x) => x.messages.map((m) => m.kind === 'vote' && m.vote.type)),
    ['precommit'],
  );
  assert.ok(o);
});

test('a restarted root re-proposes its valid value with the proof of lock it persisted', () => {
  const h = started();
  h.msg(proposal(a, 1, 0, X), vote(a, 1, 0, 'prevote', X), vote(b, 1, 0, 'prevote', X));
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null));
  const o = h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  const record = o.toPersist ?? h.outputs.findLast((x) => x.toPersist !== null)!.toPersist!;
  assert.equal(record.validPol?.length, 3);
  // Resume in round 3, where we are the proposer (V[(1+3)%4] = me).
  const h2 = new Harness(config(me));
  h2.feed({ kind: 'start-height', height: 1, validators: V, resume: { ...record, round: 3 } });
  const sent = h2.outputs.flatMap((x) => x.messages).find((m) => m.kind === 'proposal');
  assert.ok(sent?.kind === 'proposal');
  assert.equal(sent.proposal.validRound, 0);
  assert.equal(sent.pol.length, 3);
});

test('an untimely fresh proposal gets a nil prevote, but the same value with a proof of lock is prevoted (line 28)', () => {
  // The value's batch time has fallen behind this validator's clock (isTimely says no).
  const h = started({ isTimely: (_h: number, v: Uint8Array) => valueIdOf(v) !== valueIdOf(Y) });
  let o = h.msg(proposal(a, 1, 0, Y));
  assert.equal(o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId, null, 'fresh and untimely: nil');
  h.msg(vote(a, 1, 0, 'precommit', null), vote(b, 1, 0, 'precommit', null), vote(c, 1, 0, 'precommit', null));
  h.feed({ kind: 'timeout', timer: 'precommit', height: 1, round: 0 });
  const pol = [a, b, c].map((v) => {
    const m = vote(v, 1, 0, 'prevote', Y);
    return m.kind === 'vote' ? m.vote : assert.fail();
  });
  o = h.msg(proposal(b, 1, 1, Y, 0, pol));
  assert.equal(
    o.messages[0]?.kind === 'vote' && o.messages[0].vote.valueId,
    valueIdOf(Y),
    'a quorum prevoted it: timeliness is not asked again, or a locked value could never be decided',
  );
});
