// Duties, measured and enforced (charter §21): the verdict rule on its own — it is the q-th
// best of n slots, and no minority of reports (lying or silent) moves it across a minimum —,
// and the whole lifecycle through executeBatch with signed reports: a notice, its grace, the
// motion to put the member in probation, then the one to remove it; a notice lifted; members
// judged only once their root could run; lying minorities that change nothing; replay.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { quorumSize } from '../../src/base/index.ts';
import {
  ballot,
  DEFAULT_DUTY_POLICY,
  DEFAULT_POLICY,
  DUTIES,
  DUTY_POLICY_RANGES,
  type Duty,
  decodeEntry,
  dutyMotionId,
  dutyReport,
  dutyVerdict,
  type Fraction,
  type LedgerEntry,
  meetsMinimum,
  motion,
  observation,
  type Policy,
  type ProbeCount,
  policyViolation,
  replay,
  type SignedStatement,
  signStatement,
} from '../../src/governance/index.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  memberName,
  sign,
  statementId,
  TestLedger,
} from './fixtures.ts';

const EPOCH_MS = DEFAULT_DUTY_POLICY.epochMs;
/** An epoch well after the fixtures' T0, so every batch time below is later than the last. */
const E0 = Math.floor(1_700_000_000_000 / EPOCH_MS) + 1;
/** A time `fraction` into duty epoch `e`. */
const at = (e: number, fraction = 0.1) => e * EPOCH_MS + Math.floor(fraction * EPOCH_MS);

const all = (attempted: number, succeeded: number): Partial<Record<Duty, ProbeCount>> =>
  Object.fromEntries(DUTIES.map((d) => [d, { attempted, succeeded }]));

/** A report by `author` on `epoch`, signed with its node key, seeing `failing` fail every probe. */
function report(
  author: string,
  members: readonly string[],
  epoch: number,
  createdMs: number,
  see: (member: string) => Partial<Record<Duty, ProbeCount>> = () => all(10, 10),
): SignedStatement {
  const observations = members.filter((m) => m !== author).map((m) => observation(m, see(m)));
  return signStatement(
    dutyReport(FEDERATION, author, epoch, observations, createdMs),
    keysFor(author).node.secretKey,
  );
}

const names = (ledger: TestLedger) => ledger.state.world.members.map((m) => m.name);
const verdicts = (entries: Uint8Array[]) =>
  entries
    .map(decodeEntry)
    .filter((e): e is Extract<LedgerEntry, { kind: 'verdict' }> => e.kind === 'verdict');
const memberOf = (ledger: TestLedger, name: string) =>
  ledger.state.world.members.find((m) => m.name === name);

/** Every voting member but `down` reports `down` failing every probe, and the rest fine. */
function epochWithout(ledger: TestLedger, down: string, epoch: number) {
  const reporters = ledger.state.world.members.filter((m) => m.status === 'voting' && m.name !== down);
  const statements = reporters.map((m) =>
    report(m.name, names(ledger), epoch, at(epoch + 1), (x) => (x === down ? all(10, 0) : all(10, 10))),
  );
  const r = ledger.run(statements, at(epoch + 1));
  assert.deepEqual(r.rejected, [], JSON.stringify(r.rejected));
  return r;
}

// ---- the verdict rule alone ----

/** The charter's other statement of the rule: the q-th best of n slots. */
function qthBest(v: { voters: number; targetVotes: boolean; counts: ProbeCount[]; min: Fraction }) {
  const q = quorumSize(v.voters);
  const heard = v.counts.filter((c) => c.attempted > 0).map((c) => meetsMinimum(c, v.min));
  const silent = v.voters - (v.targetVotes ? 1 : 0) - heard.length;
  const slots = (silence: boolean) =>
    [...(v.targetVotes ? [true] : []), ...heard, ...Array(silent).fill(silence)].sort(
      (a, b) => Number(b) - Number(a),
    );
  if (slots(true)[q - 1] === false) return 'below';
  if (slots(false)[q - 1] === true) return 'met';
  return 'none';
}

const count = fc
  .tuple(fc.nat({ max: 50 }), fc.nat({ max: 50 }))
  .map(([a, b]) => ({ attempted: Math.max(a, b), succeeded: Math.min(a, b) }));
const minimum = fc
  .tuple(fc.integer({ min: 1, max: 100 }), fc.nat({ max: 100 }))
  .map(([den, n]) => ({ num: Math.min(n, den), den }));

test('the verdict is the q-th best of n slots: silence passes for "below" and fails for "met"', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 64 }),
      fc.boolean(),
      minimum,
      fc.array(count, { maxLength: 64 }),
      (n, targetVotes, min, raw) => {
        const counts = raw.slice(0, n - (targetVotes ? 1 : 0));
        const v = { voters: n, targetVotes, counts, min };
        assert.equal(dutyVerdict(v), qthBest(v));
      },
    ),
    { numRuns: 2000 },
  );
});

/** Fewer than n/3 of n voting members: f ≤ ⌈n/3⌉ − 1. */
const minorityOf = (n: number) => Math.ceil(n / 3) - 1;

test('fewer than a third of the voters, lying or silent, never make a root below that every honest voter sees meeting the minimum', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 64 }),
      fc.boolean(),
      minimum,
      fc.nat(),
      fc.array(fc.option(count, { nil: undefined }), { maxLength: 64 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 64 }),
      (n, targetVotes, min, liarsSeed, lies, honestAttempts) => {
        const observers = n - (targetVotes ? 1 : 0);
        const liars = Math.min(observers, liarsSeed % (minorityOf(n) + 1));
        // An honest voter's probes all succeeded; a liar says anything, or nothing (undefined).
        const honest = Array.from({ length: observers - liars }, (_, i) => {
          const a = honestAttempts[i] ?? 10;
          return { attempted: a, succeeded: a };
        });
        const lying = Array.from({ length: liars }, (_, i) => lies[i]).filter((c) => c !== undefined);
        assert.notEqual(dutyVerdict({ voters: n, targetVotes, counts: [...honest, ...lying], min }), 'below');
      },
    ),
    { numRuns: 2000 },
  );
});

test('fewer than a third of the voters, lying or silent, never make a failing root meet the minimum; the honest voters alone find it below', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 64 }),
      fc.boolean(),
      fc.nat(),
      fc.array(fc.option(count, { nil: undefined }), { maxLength: 64 }),
      (n, targetVotes, liarsSeed, lies) => {
        const min = { num: 1, den: 2 };
        // The target may itself be one of the faulty voters: then its own slot is one of them.
        const faulty = liarsSeed % (minorityOf(n) + 1);
        const liars = Math.max(0, faulty - (targetVotes ? 1 : 0));
        const observers = n - (targetVotes ? 1 : 0);
        const honest = Array.from({ length: observers - liars }, () => ({ attempted: 10, succeeded: 0 }));
        const lying = Array.from({ length: liars }, (_, i) => lies[i]).filter((c) => c !== undefined);
        const verdict = dutyVerdict({ voters: n, targetVotes, counts: [...honest, ...lying], min });
        assert.equal(verdict, 'below');
      },
    ),
    { numRuns: 2000 },
  );
});

test('the minimum is "at least", exactly: 99 of 100 meets 99/100, 98 of 100 does not; no probes is silence', () => {
  const min = { num: 99, den: 100 };
  assert.equal(meetsMinimum({ attempted: 100, succeeded: 99 }, min), true);
  assert.equal(meetsMinimum({ attempted: 100, succeeded: 98 }, min), false);
  assert.equal(meetsMinimum({ attempted: 1, succeeded: 0 }, { num: 0, den: 1 }), true);
  // n = 4, q = 3: two accusers make "below", one does not; three supporters with the target make "met".
  const failing = { attempted: 10, succeeded: 0 };
  const fine = { attempted: 10, succeeded: 10 };
  const silent = { attempted: 0, succeeded: 0 };
  assert.equal(
    dutyVerdict({ voters: 4, targetVotes: true, counts: [failing, failing, silent], min }),
    'below',
  );
  assert.equal(dutyVerdict({ voters: 4, targetVotes: true, counts: [failing, fine, silent], min }), 'none');
  assert.equal(dutyVerdict({ voters: 4, targetVotes: true, counts: [failing, fine, fine], min }), 'met');
});

// ---- the lifecycle through executeBatch ----

test('a root every other voter sees failing: notice, kept through the grace, a motion to put it in probation, then one to remove it', () => {
  const ledger = new TestLedger(makeGenesis(4), at(E0));
  const down = 'm03';
  epochWithout(ledger, down, E0); // reports on E0, taken during E0 + 1
  assert.equal(ledger.state.dutyReports?.epoch, E0);

  const first = epochWithout(ledger, down, E0 + 1); // E0 judged at the first batch of E0 + 2
  assert.deepEqual(verdicts(first.entries), [
    { kind: 'verdict', epoch: E0, member: down, below: [...DUTIES], action: 'notice' },
  ]);
  assert.deepEqual(memberOf(ledger, down)?.notice, { epoch: E0, duties: [...DUTIES] });
  assert.equal(first.world?.version, 2, 'the notice is recorded in a new world');
  assert.equal(ledger.state.dutyReports?.epoch, E0 + 1, 'the new reports wait for their epoch to be judged');

  const second = epochWithout(ledger, down, E0 + 2);
  assert.deepEqual(
    verdicts(second.entries).map((v) => v.action),
    ['standing'],
    `within the grace of ${DEFAULT_DUTY_POLICY.graceEpochs} epochs`,
  );
  assert.equal(second.world, null, 'a notice kept changes no world');

  const third = epochWithout(ledger, down, E0 + 3);
  const id = dutyMotionId(FEDERATION, E0 + 2, down);
  assert.deepEqual(verdicts(third.entries), [
    { kind: 'verdict', epoch: E0 + 2, member: down, below: [...DUTIES], action: 'motion', motion: id },
  ]);
  const opened = ledger.state.openMotions.find((m) => m.id === id);
  assert.deepEqual(opened?.changes, [{ type: 'probation', member: down }]);
  assert.equal(opened?.author, '#system');
  assert.equal(opened?.deadlineMs, at(E0 + 4) + DEFAULT_POLICY.motionTtlMs);

  // Still below while its motion is open: no second motion.
  const fourth = epochWithout(ledger, down, E0 + 4);
  assert.deepEqual(
    verdicts(fourth.entries).map((v) => v.action),
    ['standing'],
  );
  assert.equal(ledger.state.openMotions.filter((m) => m.author === '#system').length, 1);

  // The members vote: the motion passes and the member goes to probation.
  const t = ledger.timeMs + 1;
  const passed = ledger.run(
    ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, id, 'yes', t))),
    t,
  );
  assert.deepEqual(passed.rejected, []);
  assert.equal(memberOf(ledger, down)?.status, 'probation');
  assert.equal(memberOf(ledger, down)?.since, t);

  // Epochs that began before it entered probation are not judged; the next one opens a removal.
  const entered = Math.floor(t / EPOCH_MS);
  for (const e of [entered, entered + 1])
    assert.deepEqual(verdicts(epochWithout(ledger, down, e).entries), [], `epoch ${e - 1} is not judged`);
  const removal = dutyMotionId(FEDERATION, entered + 1, down);
  assert.deepEqual(verdicts(epochWithout(ledger, down, entered + 2).entries), [
    {
      kind: 'verdict',
      epoch: entered + 1,
      member: down,
      below: [...DUTIES],
      action: 'motion',
      motion: removal,
    },
  ]);
  assert.deepEqual(ledger.state.openMotions.find((m) => m.id === removal)?.changes, [
    { type: 'remove', member: down },
  ]);

  // The auditor's replay reaches the same state from the entries alone.
  assert.deepEqual(replay(ledger.genesis, ledger.entries).state, ledger.state);
});

test('a notice is lifted when a quorum sees the member meeting every minimum again, and kept while there is no verdict', () => {
  const ledger = new TestLedger(makeGenesis(4), at(E0));
  epochWithout(ledger, 'm02', E0);
  epochWithout(ledger, 'm02', E0 + 1);
  assert.ok(memberOf(ledger, 'm02')?.notice !== undefined);
  // Epoch E0 + 1 was below too (standing); on E0 + 2 only m00 reports: no verdict, the notice stays.
  const only = ledger.run([report('m00', names(ledger), E0 + 2, at(E0 + 3))], at(E0 + 3));
  assert.deepEqual(
    verdicts(only.entries).map((v) => v.action),
    ['standing'],
  );
  const quiet = ledger.run(
    ['m00', 'm01', 'm03'].map((a) => report(a, names(ledger), E0 + 3, at(E0 + 4))),
    at(E0 + 4),
  );
  assert.deepEqual(
    verdicts(quiet.entries),
    [],
    'one report of E0 + 2 is neither a verdict nor a notice kept',
  );
  assert.ok(memberOf(ledger, 'm02')?.notice !== undefined);
  const back = ledger.run([report('m00', names(ledger), E0 + 4, at(E0 + 5))], at(E0 + 5));
  assert.deepEqual(verdicts(back.entries), [
    { kind: 'verdict', epoch: E0 + 3, member: 'm02', below: [], action: 'lifted' },
  ]);
  assert.equal(memberOf(ledger, 'm02')?.notice, undefined);
  assert.ok(back.world !== null, 'lifting a notice makes a new world');
});

test('one duty below is enough for a notice, and the notice names it', () => {
  const ledger = new TestLedger(makeGenesis(4), at(E0));
  const relayDown = (x: string) =>
    x === 'm01' ? { ...all(10, 10), relay: { attempted: 10, succeeded: 9 } } : all(10, 10);
  const reports = (e: number) =>
    ['m00', 'm02', 'm03'].map((a) => report(a, names(ledger), e, at(e + 1), relayDown));
  ledger.run(reports(E0), at(E0 + 1));
  ledger.run(reports(E0 + 1), at(E0 + 2));
  assert.deepEqual(memberOf(ledger, 'm01')?.notice, { epoch: E0, duties: ['relay'] });
});

test('a state saved before duties existed, without dutyReports, reads as no reports and takes the next ones', () => {
  const ledger = new TestLedger(makeGenesis(4), at(E0));
  ledger.run([], at(E0));
  const saved = JSON.parse(JSON.stringify(ledger.state)) as typeof ledger.state;
  delete saved.dutyReports;
  ledger.state = saved;
  epochWithout(ledger, 'm03', E0);
  assert.equal(ledger.state.dutyReports?.epoch, E0);
  const judged = epochWithout(ledger, 'm03', E0 + 1);
  assert.deepEqual(
    verdicts(judged.entries).map((v) => [v.member, v.action]),
    [['m03', 'notice']],
  );
});

test('a member admitted during an epoch is not judged on it; reports naming non-members are ignored', () => {
  const ledger = new TestLedger(makeGenesis(4), at(E0, 0.05));
  const m = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], ledger.timeMs));
  ledger.run([m]);
  const t = at(E0, 0.2);
  ledger.run(
    ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(m), 'yes', t))),
    t,
  );
  assert.equal(memberOf(ledger, 'n00')?.status, 'probation');
  const seeDown = (x: string) => (x === 'n00' || x === 'ghost' ? all(10, 0) : all(10, 10));
  const withGhost = (a: string, e: number) =>
    signStatement(
      dutyReport(
        FEDERATION,
        a,
        e,
        [...names(ledger), 'ghost']
          .filter((x) => x !== a)
          .sort()
          .map((x) => observation(x, seeDown(x))),
        at(e + 1),
      ),
      keysFor(a).node.secretKey,
    );
  const voters = ['m00', 'm01', 'm02', 'm03'];
  ledger.run(
    voters.map((a) => withGhost(a, E0)),
    at(E0 + 1),
  );
  const judged = ledger.run(
    voters.map((a) => withGhost(a, E0 + 1)),
    at(E0 + 2),
  );
  assert.deepEqual(verdicts(judged.entries), [], 'n00 was admitted during E0; ghost is no member');
  const next = ledger.run(
    voters.map((a) => withGhost(a, E0 + 2)),
    at(E0 + 3),
  );
  assert.deepEqual(
    verdicts(next.entries).map((v) => [v.member, v.action]),
    [['n00', 'notice']],
  );
});

test('a lying minority accusing an honest root, and vouching for a failing one, changes nothing (random federations)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 4, max: 10 }),
      fc.nat(),
      fc.nat(),
      fc.array(fc.constantFrom('accuse', 'silent', 'vouch'), { minLength: 3, maxLength: 3 }),
      (n, targetSeed, liarSeed, moods) => {
        const members = Array.from({ length: n }, (_, i) => memberName(i));
        const honestTarget = members[targetSeed % n]!;
        const others = members.filter((m) => m !== honestTarget);
        const liars = others.slice(0, minorityOf(n)).filter((_, i) => (liarSeed >> i) % 2 === 0 || i === 0);
        const down = others.find((m) => !liars.includes(m))!;
        const ledger = new TestLedger(makeGenesis(n), at(E0));
        for (let e = E0; e < E0 + 3; e++) {
          const mood = moods[e - E0]!;
          const statements = members.flatMap((a) => {
            if (a === down) return []; // its root is unreachable: its reports never come
            const liar = liars.includes(a);
            if (liar && mood === 'silent') return [];
            return [
              report(a, members, e, at(e + 1), (x) => {
                if (liar && x === honestTarget && mood !== 'vouch') return all(10, 0);
                if (x === down) return liar && mood === 'vouch' ? all(10, 10) : all(10, 0);
                return all(10, 10);
              }),
            ];
          });
          const r = ledger.run(statements, at(e + 1));
          assert.deepEqual(r.rejected, []);
        }
        assert.equal(
          memberOf(ledger, honestTarget)?.notice,
          undefined,
          `${liars.join(',')} pushed ${honestTarget}`,
        );
        assert.deepEqual(memberOf(ledger, down)?.notice, { epoch: E0, duties: [...DUTIES] });
        for (const m of ledger.state.world.members)
          if (m.name !== down) assert.equal(m.notice, undefined, `${m.name} got a notice`);
      },
    ),
    { numRuns: 25 },
  );
});

// ---- the policy ----

test('the duty policy: absent reads as the defaults, its ranges are hard, policy.md documents each field', () => {
  const policy: Policy = { ...DEFAULT_POLICY, duties: { ...DEFAULT_DUTY_POLICY, epochMs: 60_000 } };
  assert.match(policyViolation(policy) ?? '', /duties\.epochMs/);
  assert.equal(policyViolation({ ...DEFAULT_POLICY, duties: DEFAULT_DUTY_POLICY }), null);
  assert.match(
    policyViolation({ ...DEFAULT_POLICY, duties: { ...DEFAULT_DUTY_POLICY, graceEpochs: 0 } }) ?? '',
    /duties\.graceEpochs/,
  );
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'governance', 'policy.md'), 'utf8');
  for (const f of [
    ...Object.keys(DUTY_POLICY_RANGES),
    ...DUTIES.map((d) => `duties.successMin.${d}`),
    'duties',
  ])
    assert.ok(doc.includes(`\`${f}\``), `policy.md does not document ${f}`);
});
