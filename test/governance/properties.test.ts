// Property tests of the rules engine over random sequences of statements:
// no organisation ever has two members; no jurisdiction ever reaches a blocking share;
// admissions per epoch never exceed the limit; probation members never count; a rejected
// statement never changes anything; a coalition below the approval threshold can never change
// the world; replaying all entries from genesis gives exactly the incrementally built state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  ballot,
  type Change,
  DEFAULT_POLICY,
  executeBatch,
  type GovernanceState,
  jurisdictionCap,
  motion,
  replay,
  type SignedStatement,
  sameOrganisation,
  selfUpdate,
  worldHash,
} from '../../src/governance/index.ts';
import {
  admit,
  DAY_MS,
  FEDERATION,
  makeGenesis,
  memberName,
  sign,
  statementId,
  T0,
  TestLedger,
} from './fixtures.ts';

const FOUNDERS = 7;
const JURIS = ['DE', 'FR', 'US', 'GB', 'JP', 'DE', 'FR'];
const CANDIDATE_JURIS = ['DE', 'FR', 'US', 'BR'];
const CANDIDATE_ORGS = ['Org m01', 'Acme', 'Beta', 'Gamma', 'Delta'];
const NAMES = [
  ...Array.from({ length: FOUNDERS }, (_, i) => memberName(i)),
  'n00',
  'n01',
  'n02',
  'n03',
  'n04',
  'n05',
];

type Action =
  | { t: 'admit'; author: number; candidate: number; juris: number; org: number }
  | { t: 'remove'; author: number; target: number }
  | { t: 'move'; author: number; target: number; juris: number }
  | { t: 'policy'; author: number; num: number; den: number }
  | { t: 'ballot'; author: number; motion: number; choice: 'yes' | 'no' | 'abstain' }
  | { t: 'self'; author: number; variant: number }
  | { t: 'tick'; ms: number };

// Mostly founders (who can act), sometimes candidates (who mostly cannot yet).
const who = fc.oneof(
  { arbitrary: fc.nat({ max: FOUNDERS - 1 }), weight: 6 },
  { arbitrary: fc.nat({ max: NAMES.length - 1 }), weight: 1 },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('admit' as const),
      author: who,
      candidate: fc.nat({ max: 5 }),
      juris: fc.nat({ max: 3 }),
      org: fc.nat({ max: 4 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ t: fc.constant('remove' as const), author: who, target: who }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('move' as const),
      author: who,
      target: who,
      juris: fc.nat({ max: 3 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('policy' as const),
      author: who,
      num: fc.integer({ min: 1, max: 9 }),
      den: fc.integer({ min: 2, max: 10 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('ballot' as const),
      author: who,
      motion: fc.nat({ max: 2 }),
      choice: fc.constantFrom(
        'yes' as const,
        'yes' as const,
        'yes' as const,
        'no' as const,
        'abstain' as const,
      ),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({ t: fc.constant('self' as const), author: who, variant: fc.nat({ max: 2 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('tick' as const),
      ms: fc.constantFrom(0, 3_600_000, DAY_MS, DAY_MS, 10 * DAY_MS, 31 * DAY_MS),
    }),
    weight: 3,
  },
);

const admitCache = new Map<string, Change>();
function admitChange(a: Extract<Action, { t: 'admit' }>): Change {
  const key = `${a.candidate}/${a.juris}/${a.org}`;
  let c = admitCache.get(key);
  if (c === undefined) {
    c = admit(`n0${a.candidate}`, CANDIDATE_JURIS[a.juris]!, `${CANDIDATE_ORGS[a.org]}`);
    admitCache.set(key, c);
  }
  return c;
}

/** Turns actions into batches of signed statements; motion ids are remembered for ballots. */
function* batches(
  actions: Action[],
  ledger: TestLedger,
  allowed: (author: string) => boolean,
  selfUpdates: boolean,
) {
  let motionIds: string[] = [];
  let pending: SignedStatement[] = [];
  let time = T0;
  let n = 0;
  for (const a of actions) {
    n++;
    if (a.t === 'tick') {
      yield { statements: pending, timeMs: time };
      pending = [];
      motionIds = ledger.state.openMotions.map((m) => m.id);
      time += a.ms;
      continue;
    }
    const author = NAMES[a.author]!;
    if (!allowed(author)) continue;
    const created = time - (n % 5);
    const state = ledger.state;
    let s: SignedStatement | null = null;
    if (a.t === 'admit') s = sign(motion(state, author, [admitChange(a)], created));
    else if (a.t === 'remove')
      s = sign(motion(state, author, [{ type: 'remove', member: NAMES[a.target]! }], created));
    else if (a.t === 'move')
      s = sign(
        motion(
          state,
          author,
          [{ type: 'update-member', member: NAMES[a.target]!, jurisdiction: CANDIDATE_JURIS[a.juris]! }],
          created,
        ),
      );
    else if (a.t === 'policy') {
      const policy = {
        ...DEFAULT_POLICY,
        approvalThreshold: { num: Math.min(a.num, a.den - 1), den: a.den },
      };
      s = sign(motion(state, author, [{ type: 'change-policy', policy }], created));
    } else if (a.t === 'ballot') {
      const id = motionIds[a.motion % Math.max(1, motionIds.length)];
      if (id !== undefined) s = sign(ballot(FEDERATION, author, id, a.choice, created));
    } else if (selfUpdates) {
      s = sign(
        selfUpdate(FEDERATION, author, created, {
          endpoints: {
            p2p: [`/dns4/${author}-${a.variant}.example/tcp/1`],
            http: [`https://${author}.example/${a.variant}`],
          },
        }),
      );
    }
    if (s === null) continue;
    if (s.statement.kind === 'motion') motionIds.push(statementId(s));
    pending.push(s);
  }
  yield { statements: pending, timeMs: time };
}

function checkInvariants(state: GovernanceState): void {
  const orgs = state.world.members.map((m) => m.organisation);
  orgs.forEach((a, i) => {
    for (const b of orgs.slice(i + 1)) assert.ok(!sameOrganisation(a, b), 'an organisation has two members');
  });
  const voters = state.world.members.filter((m) => m.status !== 'suspended');
  const cap = jurisdictionCap(voters.length, state.world.policy.jurisdictionShareMax);
  const counts = new Map<string, number>();
  for (const m of voters) counts.set(m.jurisdiction, (counts.get(m.jurisdiction) ?? 0) + 1);
  for (const [j, c] of counts)
    assert.ok(c <= cap, `jurisdiction ${j} holds ${c} of ${voters.length} (cap ${cap})`);
  for (const motion of state.openMotions) {
    for (const name of Object.keys(motion.ballots)) {
      assert.equal(
        state.world.members.find((m) => m.name === name)?.status,
        'voting',
        'a non-voting ballot is on record',
      );
    }
  }
}

test('random statement sequences keep every invariant, rejected statements change nothing, replay equals incremental', () => {
  let accepted = 0;
  let rejected = 0;
  let worlds = 0;
  const codes = new Map<string, number>();
  fc.assert(
    fc.property(fc.array(action, { minLength: 5, maxLength: 80 }), (actions) => {
      const ledger = new TestLedger(makeGenesis(FOUNDERS, DEFAULT_POLICY, JURIS));
      const admittedPerEpoch = new Map<number, number>();
      for (const b of batches(actions, ledger, () => true, true)) {
        const before = ledger.state;
        const batch = {
          height: before.height + 1,
          timeMs: b.timeMs,
          proposer: ledger.proposer,
          statements: b.statements,
        };
        const full = executeBatch(before, batch);
        // Without the rejected statements the batch must produce exactly the same state and entries.
        const dropped = new Set(full.rejected.map((r) => r.index));
        const only = executeBatch(before, {
          ...batch,
          statements: b.statements.filter((_, i) => !dropped.has(i)),
        });
        assert.deepEqual(only.state, full.state);
        assert.deepEqual(only.entries, full.entries);
        assert.equal(only.rejected.length, 0);
        // Probation members never count: any ballot by a non-voting member is rejected.
        b.statements.forEach((s, i) => {
          const author = before.world.members.find((m) => m.name === s.statement.author);
          if (s.statement.kind === 'ballot' && author?.status !== 'voting') assert.ok(dropped.has(i));
        });
        const names = new Set(before.world.members.map((m) => m.name));
        const added = full.state.world.members.filter((m) => !names.has(m.name)).length;
        const epoch = Math.floor(b.timeMs / before.world.policy.epochMs);
        admittedPerEpoch.set(epoch, (admittedPerEpoch.get(epoch) ?? 0) + added);
        assert.ok(
          admittedPerEpoch.get(epoch)! <= DEFAULT_POLICY.maxAdmissionsPerEpoch,
          'too many admissions in an epoch',
        );
        for (const r of full.rejected) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        accepted += b.statements.length - dropped.size;
        rejected += dropped.size;
        if (full.world !== null) worlds++;
        ledger.state = full.state;
        ledger.entries.push(...full.entries);
        checkInvariants(ledger.state);
      }
      const replayed = replay(ledger.genesis, ledger.entries);
      assert.deepEqual(replayed.state, ledger.state);
      assert.deepEqual(JSON.parse(JSON.stringify(ledger.state)), ledger.state, 'the state is JSON-safe');
    }),
    { numRuns: 100, seed: 20261129 },
  );
  console.log(
    `# properties: ${accepted} statements accepted, ${rejected} rejected, ${worlds} worlds produced over 100 runs; rejections ${JSON.stringify(Object.fromEntries(codes))}`,
  );
  assert.ok(accepted > 0 && rejected > 0 && worlds > 0);
});

test('a coalition holding governance keys below the approval threshold never changes the world', () => {
  // 7 founders: more than 2/3 needs 5 yes-ballots; any 4 keys are below the threshold.
  fc.assert(
    fc.property(
      fc.shuffledSubarray(NAMES.slice(0, FOUNDERS), { minLength: 1, maxLength: 4 }),
      fc.array(action, { minLength: 5, maxLength: 80 }),
      (coalition, actions) => {
        const ledger = new TestLedger(makeGenesis(FOUNDERS, DEFAULT_POLICY, JURIS));
        const genesisHash = worldHash(ledger.state.world);
        for (const b of batches(actions, ledger, (a) => coalition.includes(a), false)) {
          ledger.run(b.statements, b.timeMs);
          assert.equal(ledger.state.worldHash, genesisHash, 'the world changed');
        }
      },
    ),
    { numRuns: 40, seed: 7 },
  );
});

test('fuzz: arbitrary values and mutated statements are rejected with a code, never thrown, and change nothing', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const valid = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0)) as unknown as Record<
    string,
    unknown
  >;
  const mutated = fc
    .tuple(fc.constantFrom('statement', 'signature'), fc.anything({ maxDepth: 3 }))
    .map(([key, value]) => ({ ...valid, [key]: value }));
  const deepMutated = fc
    .tuple(
      fc.constantFrom(
        'kind',
        'author',
        'createdMs',
        'changes',
        'parentWorld',
        'deadlineMs',
        'federation',
        'extra',
      ),
      fc.anything({ maxDepth: 3 }),
    )
    .map(([key, value]) => ({ ...valid, statement: { ...(valid.statement as object), [key]: value } }));
  fc.assert(
    fc.property(fc.oneof(fc.anything({ maxDepth: 4 }), mutated, deepMutated), (x) => {
      fc.pre(JSON.stringify(x) !== JSON.stringify(valid)); // a "mutation" that changed nothing is the valid motion
      const before = structuredClone(ledger.state);
      const r = executeBatch(ledger.state, {
        height: 1,
        timeMs: T0,
        proposer: 'm00',
        statements: [x as SignedStatement],
      });
      assert.equal(r.rejected.length, 1);
      assert.match(r.rejected[0]!.code, /^[A-Z_]+$/);
      assert.deepEqual(ledger.state, before);
    }),
    { numRuns: 400, seed: 11 },
  );
});
