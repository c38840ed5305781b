// Unit tests of the rules engine: every rejection code is reached here (the test at the end
// checks that), each by the smallest statement that breaks its rule, and the accepted paths
// (passing, expiry, re-basing, evidence, self-updates, key replacement) do what the charter says.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { toBase64 } from '../../src/codec/index.ts';
import { cosignatureSigner, signNote } from '../../src/crypto/index.ts';
import {
  ballot,
  checkPolicy,
  checkRecovery,
  checkStatement,
  DEFAULT_POLICY,
  dkgComplaint,
  dkgConfirmation,
  dutyReport,
  evidence,
  executeBatch,
  type GovernanceError,
  motion,
  observation,
  policyViolation,
  proveKeyPossession,
  REJECTION_CODES,
  type RejectionCode,
  type SignedStatement,
  seasoningPeriodOf,
  selfUpdate,
  signCandidate,
  signStatement,
  tally,
  validatorsOf,
} from '../../src/governance/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { signVote } from '../../src/wire/index.ts';
import { base, DKG_POLICY, Dkg, keyB64, PHASE_MS, signByNode, signPending } from './ceremony-fixtures.ts';
import {
  admit,
  DAY_MS,
  descriptorFor,
  FEDERATION,
  keysFor,
  makeGenesis,
  replaceGovernanceKey,
  sign,
  statementId,
  T0,
  TestLedger,
} from './fixtures.ts';
import { ledgerHead, recoveryOf, SILENCE_MS, signed, WITNESSED_POLICY } from './recovery-fixtures.ts';

const reached = new Set<RejectionCode>();

/** Asserts that checkStatement and executeBatch both reject with `code`, and that the state does not change. */
function expectReject(
  ledger: TestLedger,
  signed: SignedStatement,
  code: RejectionCode,
  timeMs = ledger.timeMs,
): void {
  const before = structuredClone(ledger.state);
  const checked = checkStatement(ledger.state, signed, { timeMs });
  assert.equal(checked?.code, code, checked?.message);
  assert.match(checked!.rule, /^charter §\d+$/);
  assert.ok(checked!.message.length > 20);
  const r = executeBatch(ledger.state, {
    height: ledger.state.height + 1,
    timeMs,
    proposer: ledger.proposer,
    statements: [signed],
  });
  assert.equal(r.rejected[0]?.code, code);
  assert.deepEqual(ledger.state, before, 'a rejection must not change the state');
  reached.add(code);
}

function expectAccept(ledger: TestLedger, statements: SignedStatement[], timeMs = ledger.timeMs) {
  const r = ledger.run(statements, timeMs);
  assert.deepEqual(r.rejected, [], JSON.stringify(r.rejected));
  return r;
}

const yes = (ledger: TestLedger, id: string, voters: string[], timeMs = ledger.timeMs) =>
  voters.map((a) => sign(ballot(FEDERATION, a, id, 'yes', timeMs)));

test('statement-level rules: shape, federation, author, signature, time, duplicates', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const good = motion(ledger.state, 'm00', [admit('n00', 'US')], T0);
  expectReject(ledger, { ...sign(good), extra: 1 } as unknown as SignedStatement, 'MALFORMED_STATEMENT');
  expectReject(ledger, sign({ ...good, federation: 'other.test' }), 'WRONG_FEDERATION');
  expectReject(ledger, sign({ ...good, author: 'zz00' }), 'UNKNOWN_AUTHOR');
  expectReject(ledger, signStatement(good, keysFor('m00', 1).gov.secretKey), 'BAD_SIGNATURE');
  expectReject(
    ledger,
    sign({ ...good, createdMs: T0 - 2 * DAY_MS, deadlineMs: T0 + DAY_MS }),
    'STATEMENT_STALE',
  );
  expectReject(
    ledger,
    sign({ ...good, createdMs: T0 + 10 * 60_000, deadlineMs: T0 + DAY_MS }),
    'STATEMENT_FROM_FUTURE',
  );
  const signed = sign(good);
  expectAccept(ledger, [signed]);
  expectReject(ledger, signed, 'DUPLICATE_STATEMENT');
});

test('motion rules: voting author, parent world, deadline, open-motion limits, conflicts', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const base = (changes = [admit('n00', 'US')]) => motion(ledger.state, 'm00', changes, T0);
  expectReject(
    ledger,
    sign({ ...base(), parentWorld: { hash: ledger.state.worldHash, version: 2 } }),
    'MOTION_WRONG_PARENT',
  );
  // The answer names both hashes, the one the motion names and the one in force.
  const stale = 'ab'.repeat(32);
  const wrong = checkStatement(ledger.state, sign({ ...base(), parentWorld: { hash: stale, version: 1 } }), {
    timeMs: T0,
  });
  assert.equal(wrong?.code, 'MOTION_WRONG_PARENT');
  assert.ok(wrong!.message.includes(stale), wrong!.message);
  assert.ok(wrong!.message.includes(ledger.state.worldHash), wrong!.message);
  expectReject(ledger, sign({ ...base(), deadlineMs: T0 + DEFAULT_POLICY.motionTtlMs + 1 }), 'BAD_DEADLINE');
  expectReject(ledger, sign({ ...base(), deadlineMs: T0 }), 'BAD_DEADLINE');
  expectReject(
    ledger,
    sign(base([admit('n00', 'US'), { type: 'remove', member: 'n00' }])),
    'CONFLICTING_CHANGES',
  );
  const policy = { type: 'change-policy' as const, policy: DEFAULT_POLICY };
  expectReject(ledger, sign(base([policy, policy])), 'CONFLICTING_CHANGES');
  const many = Array.from({ length: 8 }, (_, i) =>
    sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm01' }], T0 + i)),
  );
  expectAccept(ledger, many);
  expectReject(
    ledger,
    sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm02' }], T0 + 100)),
    'TOO_MANY_OPEN_MOTIONS',
  );
});

test('membership rules: names, keys, organisations, jurisdictions, unknown members, empty and full worlds', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const m = (changes: Parameters<typeof motion>[2]) => sign(motion(ledger.state, 'm01', changes, T0));
  expectReject(ledger, m([admit('m02', 'US')]), 'NAME_TAKEN');
  expectReject(ledger, m([admit('n00', 'US', 'ORG M02')]), 'ORGANISATION_TAKEN');
  expectReject(ledger, m([admit('n00', 'DE')]), 'JURISDICTION_SHARE');
  expectReject(ledger, m([{ type: 'remove', member: 'zz99' }]), 'UNKNOWN_MEMBER');
  expectReject(
    ledger,
    m([{ type: 'update-member', member: 'm01', jurisdiction: 'DE' }]),
    'JURISDICTION_SHARE',
  );
  // A candidate that does not hold the keys it declares.
  const forged = admit('n00', 'US');
  if (forged.type === 'admit') forged.candidate.nodeKey = toBase64(keysFor('n99').node.publicKey);
  expectReject(ledger, m([forged]), 'CANDIDATE_SIGNATURE_INVALID');
  const badKey = replaceGovernanceKey('m02', 1);
  if (badKey.type === 'replace-governance-key')
    badKey.governanceKey = toBase64(keysFor('m03', 7).gov.publicKey);
  expectReject(ledger, m([badKey]), 'KEY_SIGNATURE_INVALID');
  // Rotating to a key another member uses (the test holds every secret, so possession is proven).
  const stolen = proveKeyPossession(FEDERATION, 'm01', 'node', keysFor('m02').node.secretKey);
  expectReject(ledger, sign(selfUpdate(FEDERATION, 'm01', T0, { nodeKey: stolen })), 'KEY_IN_USE');
  expectReject(
    ledger,
    m([{ type: 'change-policy', policy: { ...DEFAULT_POLICY, approvalThreshold: { num: 1, den: 2 } } }]),
    'POLICY_BELOW_FLOOR',
  );
  expectReject(ledger, m([admit('n00', 'US'), admit('n01', 'GB')]), 'ADMISSION_RATE');

  const solo = new TestLedger(makeGenesis(1));
  expectReject(
    solo,
    sign(motion(solo.state, 'm00', [{ type: 'remove', member: 'm00' }], T0)),
    'WORLD_WOULD_BE_EMPTY',
  );

  const juris = Array.from(
    { length: 64 },
    (_, i) => ['DE', 'FR', 'NL', 'SE', 'CH', 'JP', 'BR', 'CA'][i % 8]!,
  );
  const full = new TestLedger(makeGenesis(64, DEFAULT_POLICY, juris));
  expectReject(full, sign(motion(full.state, 'm00', [admit('n00', 'US')], T0)), 'MEMBERS_FULL');
});

test('a motion passes on more than 2/3 of voting members, and not on exactly 2/3', () => {
  const ledger = new TestLedger(makeGenesis(6));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  const id = statementId(mo);
  expectAccept(ledger, [mo, ...yes(ledger, id, ['m00', 'm01', 'm02', 'm03'])]); // 4/6 = 2/3: not more
  assert.equal(ledger.state.world.version, 1);
  assert.equal(tally(ledger.state.openMotions[0]!, ledger.state.world).needed, 5);
  const genesisHash = ledger.state.worldHash;
  const r = expectAccept(ledger, yes(ledger, id, ['m04'], T0 + 1), T0 + 1);
  assert.equal(ledger.state.world.version, 2);
  assert.equal(r.world?.previous, genesisHash);
  assert.equal(ledger.state.openMotions.length, 0);
});

test('ballots: unknown motion, superseded, own removal, probation members, later ballot replaces earlier', () => {
  const ledger = new TestLedger(makeGenesis(4));
  expectReject(ledger, sign(ballot(FEDERATION, 'm00', 'ab'.repeat(32), 'yes', T0)), 'UNKNOWN_MOTION');
  const removal = sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm03' }], T0));
  const id = statementId(removal);
  expectAccept(ledger, [removal, sign(ballot(FEDERATION, 'm01', id, 'no', T0 + 10))]);
  expectReject(ledger, sign(ballot(FEDERATION, 'm03', id, 'no', T0)), 'BALLOT_ON_OWN_REMOVAL');
  expectReject(ledger, sign(ballot(FEDERATION, 'm01', id, 'yes', T0 + 5)), 'BALLOT_SUPERSEDED');
  // m03's vote does not count: 3 eligible, yes from m00 and m01 (replaced) and m02 → passes.
  expectAccept(ledger, [
    sign(ballot(FEDERATION, 'm01', id, 'yes', T0 + 20)),
    ...yes(ledger, id, ['m00', 'm02']),
  ]);
  assert.deepEqual(
    ledger.state.world.members.map((m) => m.name),
    ['m00', 'm01', 'm02'],
  );
});

test('probation: admitted members do not vote or move motions until probation ends, then count', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  expectAccept(ledger, [mo, ...yes(ledger, statementId(mo), ['m00', 'm01', 'm02'])]);
  const next = sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm03' }], T0 + 1));
  expectAccept(ledger, [next], T0 + 1);
  expectReject(
    ledger,
    sign(ballot(FEDERATION, 'n00', statementId(next), 'yes', T0 + 2)),
    'NOT_A_VOTING_MEMBER',
    T0 + 2,
  );
  expectReject(
    ledger,
    sign(motion(ledger.state, 'n00', [{ type: 'remove', member: 'm02' }], T0 + 2)),
    'NOT_A_VOTING_MEMBER',
    T0 + 2,
  );
  assert.equal(validatorsOf(ledger.state).length, 4);
  const end = T0 + DEFAULT_POLICY.probationPeriodMs;
  ledger.run([], end - 1);
  assert.equal(ledger.state.world.members.find((m) => m.name === 'n00')?.status, 'probation');
  const r = ledger.run([], end);
  assert.equal(r.world?.members.find((m) => m.name === 'n00')?.status, 'voting');
  assert.equal(validatorsOf(ledger.state).length, 5);
});

test('admissions per epoch: a second admission passing in the same epoch is rejected with ADMISSION_RATE', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const a = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  const b = sign(motion(ledger.state, 'm01', [admit('n01', 'GB')], T0));
  const r = expectAccept(ledger, [
    a,
    b,
    ...yes(ledger, statementId(a), ['m00', 'm01', 'm02']),
    ...yes(ledger, statementId(b), ['m00', 'm01', 'm02']),
  ]);
  const outcomes = r.entries.map(
    (e) => JSON.parse(Buffer.from(e).toString()) as { kind: string; result?: string; reason?: string },
  );
  assert.deepEqual(
    outcomes.filter((o) => o.kind === 'outcome').map((o) => [o.result, o.reason]),
    [
      ['passed', undefined],
      ['rejected', 'ADMISSION_RATE'],
    ],
  );
  assert.equal(ledger.state.world.members.length, 5);
});

test('expiry: a motion past its deadline closes as expired; a ballot after it finds no motion', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0, { deadlineMs: T0 + DAY_MS }));
  expectAccept(ledger, [mo]);
  const r = ledger.run([], T0 + DAY_MS + 1);
  assert.equal(JSON.parse(Buffer.from(r.entries[1]!).toString()).result, 'expired');
  expectReject(
    ledger,
    sign(ballot(FEDERATION, 'm01', statementId(mo), 'yes', T0 + DAY_MS + 1)),
    'UNKNOWN_MOTION',
  );
});

test('re-basing: open motions follow a new world when they still apply, else close with the breaking code', () => {
  const ledger = new TestLedger(makeGenesis(5));
  const admitA = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  const admitSame = sign(motion(ledger.state, 'm01', [admit('n00', 'GB')], T0));
  const update = sign(
    motion(ledger.state, 'm02', [{ type: 'update-member', member: 'm04', organisation: 'Renamed' }], T0),
  );
  expectAccept(ledger, [
    admitA,
    admitSame,
    update,
    sign(ballot(FEDERATION, 'm03', statementId(update), 'yes', T0)),
  ]);
  const r = expectAccept(
    ledger,
    yes(ledger, statementId(admitA), ['m00', 'm01', 'm02', 'm03'], T0 + 1),
    T0 + 1,
  );
  const outcomes = r.entries
    .map((e) => JSON.parse(Buffer.from(e).toString()))
    .filter((e) => e.kind === 'outcome');
  assert.deepEqual(
    outcomes.map((o) => [o.motion, o.result, o.reason]),
    [
      [statementId(admitA), 'passed', undefined],
      [statementId(admitSame), 'rejected', 'NAME_TAKEN'],
    ],
  );
  const rebased = ledger.state.openMotions.find((m) => m.id === statementId(update))!;
  assert.equal(rebased.parent, ledger.state.worldHash);
  assert.equal(rebased.ballots.m03?.choice, 'yes');
});

test('policy changes need the higher threshold (3/4 by default)', () => {
  const ledger = new TestLedger(makeGenesis(8));
  const policy = { ...DEFAULT_POLICY, motionTtlMs: 7 * DAY_MS };
  const mo = sign(motion(ledger.state, 'm00', [{ type: 'change-policy', policy }], T0));
  expectAccept(ledger, [mo, ...yes(ledger, statementId(mo), ['m00', 'm01', 'm02', 'm03', 'm04', 'm05'])]); // 6/8 = 3/4
  assert.equal(ledger.state.world.version, 1);
  expectAccept(ledger, yes(ledger, statementId(mo), ['m06']));
  assert.equal(ledger.state.world.policy.motionTtlMs, 7 * DAY_MS);
});

test('seasoning: a member voting for less than seasoningPeriodMs neither votes on nor counts in a policy change', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  expectAccept(ledger, [mo, ...yes(ledger, statementId(mo), ['m00', 'm01', 'm02'])]);
  const voting = T0 + DEFAULT_POLICY.probationPeriodMs;
  ledger.run([], voting);
  assert.equal(validatorsOf(ledger.state).length, 5);
  const policy = { ...DEFAULT_POLICY, motionTtlMs: 7 * DAY_MS };
  // An unseasoned voting member may move a policy change, but not vote on it.
  const pm = sign(motion(ledger.state, 'n00', [{ type: 'change-policy', policy }], voting));
  expectAccept(ledger, [pm], voting);
  expectReject(
    ledger,
    sign(ballot(FEDERATION, 'n00', statementId(pm), 'yes', voting)),
    'BALLOT_NOT_SEASONED',
    voting,
  );
  // 3 of the 4 seasoned founders is exactly 3/4, not more: n00 is not in the denominator.
  expectAccept(ledger, yes(ledger, statementId(pm), ['m00', 'm01', 'm02'], voting), voting);
  const open = ledger.state.openMotions.find((m) => m.id === statementId(pm))!;
  assert.equal(tally(open, ledger.state.world, voting).voting, 4);
  assert.equal(tally(open, ledger.state.world).voting, 5, 'without a time, no seasoning (display)');
  expectAccept(ledger, yes(ledger, statementId(pm), ['m03'], voting), voting);
  assert.equal(ledger.state.world.policy.motionTtlMs, 7 * DAY_MS);
  // On every other motion n00 votes at once; on policy changes once seasoned.
  const other = sign(motion(ledger.state, 'm00', [admit('n01', 'CA')], voting + 1));
  expectAccept(ledger, [other, ...yes(ledger, statementId(other), ['n00'], voting + 1)], voting + 1);
  const seasoned = voting + DEFAULT_POLICY.seasoningPeriodMs!;
  ledger.run([], seasoned);
  const later = { ...policy, motionTtlMs: 10 * DAY_MS };
  const pm2 = sign(motion(ledger.state, 'm00', [{ type: 'change-policy', policy: later }], seasoned));
  expectAccept(ledger, [pm2, ...yes(ledger, statementId(pm2), ['n00'], seasoned)], seasoned);
  const open2 = ledger.state.openMotions.find((m) => m.id === statementId(pm2))!;
  assert.equal(open2.ballots.n00?.choice, 'yes');
  assert.equal(tally(open2, ledger.state.world, seasoned).voting, 5);
});

test('seasoningPeriodMs: a floor of 180 days; absent in a document reads as the default', () => {
  assert.match(policyViolation({ ...DEFAULT_POLICY, seasoningPeriodMs: 179 * DAY_MS })!, /seasoningPeriodMs/);
  assert.equal(policyViolation({ ...DEFAULT_POLICY, seasoningPeriodMs: 180 * DAY_MS }), null);
  const { seasoningPeriodMs: _, ...older } = DEFAULT_POLICY;
  const parsed = checkPolicy(structuredClone(older));
  assert.equal('seasoningPeriodMs' in parsed, false, 'kept absent, so older world hashes stay put');
  assert.equal(seasoningPeriodOf(parsed), 365 * DAY_MS);
});

test('a lost governance key is replaced by vote; the old key no longer signs', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const mo = sign(motion(ledger.state, 'm00', [replaceGovernanceKey('m03', 1)], T0));
  expectAccept(ledger, [mo, ...yes(ledger, statementId(mo), ['m00', 'm01', 'm02'])]);
  const update = selfUpdate(FEDERATION, 'm03', T0 + 1, {
    endpoints: { p2p: ['/dns4/new.example/tcp/1'], http: ['https://new.example/'] },
  });
  expectReject(ledger, sign(update), 'BAD_SIGNATURE', T0 + 1);
  expectAccept(ledger, [sign(update, 1)], T0 + 1);
  assert.equal(ledger.state.world.version, 3);
});

test('self-update: endpoints and node-key rotation need no vote but a held key', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const key = proveKeyPossession(FEDERATION, 'm02', 'node', keysFor('m02', 3).node.secretKey);
  expectReject(
    ledger,
    sign(
      selfUpdate(FEDERATION, 'm02', T0, {
        nodeKey: {
          ...key,
          signature: proveKeyPossession(FEDERATION, 'm01', 'node', keysFor('m02', 3).node.secretKey)
            .signature,
        },
      }),
    ),
    'KEY_SIGNATURE_INVALID',
  );
  const r = expectAccept(ledger, [sign(selfUpdate(FEDERATION, 'm02', T0, { nodeKey: key }))]);
  assert.equal(r.world?.members.find((m) => m.name === 'm02')?.nodeKey, key.key);
  assert.equal(JSON.parse(Buffer.from(r.entries.at(-1)!).toString()).causes.length, 1);
});

test('endpoints: an announced endpoint must be public unless the policy allows others; held ones stay', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const update = (p2p: string, http: string, timeMs = T0) =>
    sign(selfUpdate(FEDERATION, 'm02', timeMs, { endpoints: { p2p: [p2p], http: [http] } }));
  for (const [p2p, http] of [
    ['/ip4/127.0.0.1/tcp/4480', 'https://m02.example/'],
    ['/dns4/m02.example/tcp/4480', 'http://10.1.2.3:8480/'],
    ['/ip6/fe80::1/tcp/4480', 'https://m02.example/'],
    ['/dns4/m02.example/tcp/4480', 'http://[::ffff:c0a8:101]/'],
    ['/dns4/db/tcp/4480', 'https://m02.example/'],
    ['/dns4/m02.example/tcp/4480', 'https://169.254.169.254/'],
  ] as const) {
    expectReject(ledger, update(p2p, http), 'ENDPOINT_NOT_PUBLIC');
  }
  // The same rule for a motion that updates a member's endpoints.
  const moved = motion(
    ledger.state,
    'm00',
    [
      {
        type: 'update-member',
        member: 'm01',
        endpoints: { p2p: ['/ip4/192.168.0.9/tcp/4480'], http: ['https://m01.example/'] },
      },
    ],
    T0,
  );
  expectReject(ledger, sign(moved), 'ENDPOINT_NOT_PUBLIC');
  expectAccept(ledger, [update('/ip4/203.0.113.7/tcp/4480', 'https://m02.example/')]);

  const lab = new TestLedger(makeGenesis(4, { ...DEFAULT_POLICY, privateEndpointsAllowed: true }));
  expectAccept(lab, [update('/ip4/127.0.0.1/tcp/4480', 'http://127.0.0.1:8480/')]);
  // The federation stops allowing them: the endpoints m02 holds stay, new private ones are refused.
  const policy = sign(motion(lab.state, 'm00', [{ type: 'change-policy', policy: DEFAULT_POLICY }], T0 + 1));
  expectAccept(lab, [policy, ...yes(lab, statementId(policy), ['m00', 'm01', 'm02', 'm03'], T0 + 1)], T0 + 1);
  assert.equal(lab.state.world.policy.privateEndpointsAllowed, undefined);
  assert.deepEqual(lab.state.world.members.find((m) => m.name === 'm02')?.endpoints.p2p, [
    '/ip4/127.0.0.1/tcp/4480',
  ]);
  expectReject(
    lab,
    update('/ip4/127.0.0.2/tcp/4480', 'http://127.0.0.1:8480/', T0 + 2),
    'ENDPOINT_NOT_PUBLIC',
    T0 + 2,
  );
});

function conflictingVotes(name: string, generation = 0) {
  const k = keysFor(name, generation).node;
  const body = {
    federation: FEDERATION,
    height: 7,
    round: 0,
    type: 'precommit' as const,
    validator: toBase64(k.publicKey),
  };
  return {
    type: 'votes' as const,
    first: signVote({ ...body, valueId: 'aa'.repeat(32) }, k.secretKey),
    second: signVote({ ...body, valueId: 'bb'.repeat(32) }, k.secretKey),
  };
}

test('evidence of double votes suspends at once, opens a system removal motion, and is not accepted twice', () => {
  const ledger = new TestLedger(makeGenesis(5));
  const same = conflictingVotes('m04');
  expectReject(
    ledger,
    sign(evidence(FEDERATION, 'm00', { ...same, second: same.first }, T0)),
    'EVIDENCE_INVALID',
  );
  expectReject(
    ledger,
    sign(evidence(FEDERATION, 'm00', conflictingVotes('zz01'), T0)),
    'EVIDENCE_UNKNOWN_KEY',
  );
  const ev = sign(evidence(FEDERATION, 'm00', same, T0));
  const r = expectAccept(ledger, [ev]);
  assert.equal(r.world?.members.find((m) => m.name === 'm04')?.status, 'suspended');
  assert.deepEqual(
    validatorsOf(ledger.state).map((v) => v.name),
    ['m00', 'm01', 'm02', 'm03'],
  );
  const removal = ledger.state.openMotions[0]!;
  assert.equal(removal.id, statementId(ev));
  assert.equal(removal.author, '#system');
  expectReject(ledger, sign(evidence(FEDERATION, 'm01', same, T0 + 1)), 'EVIDENCE_ALREADY_SUSPENDED', T0 + 1);
  expectReject(
    ledger,
    sign(
      selfUpdate(FEDERATION, 'm04', T0 + 1, {
        endpoints: { p2p: ['/dns4/x.example/tcp/1'], http: ['https://x.example/'] },
      }),
    ),
    'AUTHOR_SUSPENDED',
    T0 + 1,
  );
  // Eligible: the four voting members (m04 is suspended and is the one removed). A removal
  // needs more than 3/4 of them: 3 of 4 is not enough, 4 of 4 is.
  expectAccept(ledger, yes(ledger, removal.id, ['m00', 'm01', 'm02'], T0 + 2), T0 + 2);
  assert.equal(tally(ledger.state.openMotions[0]!, ledger.state.world, T0 + 2).needed, 4);
  assert.ok(ledger.state.world.members.some((m) => m.name === 'm04'));
  expectAccept(ledger, yes(ledger, removal.id, ['m03'], T0 + 2), T0 + 2);
  assert.equal(
    ledger.state.world.members.some((m) => m.name === 'm04'),
    false,
  );
});

test('evidence of two cosigned checkpoints of one size with different roots suspends the cosigner', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const note = (root: number) => {
    const text = formatCheckpoint({
      origin: FEDERATION,
      size: 10,
      rootHash: new Uint8Array(32).fill(root),
      extensions: [],
    });
    return signNote(text, [cosignatureSigner('m01', keysFor('m01').node.secretKey, 1_700_000_000)]);
  };
  const proof = { type: 'checkpoints' as const, member: 'm01', first: note(1), second: note(1) };
  expectReject(ledger, sign(evidence(FEDERATION, 'm00', proof, T0)), 'EVIDENCE_INVALID');
  expectReject(
    ledger,
    sign(evidence(FEDERATION, 'm00', { ...proof, member: 'zz00' }, T0)),
    'EVIDENCE_UNKNOWN_KEY',
  );
  expectReject(
    ledger,
    sign(evidence(FEDERATION, 'm00', { ...proof, member: 'm02', second: note(2) }, T0)),
    'EVIDENCE_INVALID',
  );
  const r = expectAccept(ledger, [sign(evidence(FEDERATION, 'm00', { ...proof, second: note(2) }, T0))]);
  assert.equal(r.world?.members.find((m) => m.name === 'm01')?.status, 'suspended');
});

test('batch headers: height, time going back, proposer and size are refused as a whole', () => {
  const ledger = new TestLedger(makeGenesis(4));
  ledger.run([], T0);
  const run = (b: Partial<Parameters<typeof executeBatch>[1]>) => () =>
    executeBatch(ledger.state, {
      height: ledger.state.height + 1,
      timeMs: T0,
      proposer: 'm00',
      statements: [],
      ...b,
    });
  assert.throws(run({ height: 5 }), (e: GovernanceError) => e.code === 'BAD_BATCH');
  assert.throws(run({ timeMs: T0 - 1 }), /never goes back/);
  assert.throws(run({ proposer: 'zz00' }), /proposer/);
  assert.throws(run({ statements: new Array(257).fill(null) }), /at most 256/);
  assert.doesNotThrow(run({}));
});

test('the descriptor helper builds what the model accepts', () => {
  assert.equal(descriptorFor('n00', 'US').jurisdiction, 'US');
});

test('duty reports: a voting author, the epoch that just ended, once, signed by the node key; probation only of a voting member', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const epoch = Math.floor(T0 / DAY_MS) - 1; // the default duty epoch is a day
  const fine = { attempted: 4, succeeded: 4 };
  const report = (author: string, e = epoch, createdMs = T0, about = ['m01', 'm02', 'm03']) =>
    dutyReport(
      FEDERATION,
      author,
      e,
      about.map((m) => observation(m, { http: fine, p2p: fine })),
      createdMs,
    );
  const byNode = (s: ReturnType<typeof report>) => signStatement(s, keysFor(s.author).node.secretKey);
  expectReject(ledger, sign(report('m00')), 'BAD_SIGNATURE');
  expectReject(ledger, byNode(report('m00', epoch + 1)), 'REPORT_WRONG_EPOCH');
  expectReject(ledger, byNode(report('m00', epoch - 1)), 'REPORT_WRONG_EPOCH');
  expectReject(ledger, byNode(report('m00', epoch, T0, ['m00', 'm01'])), 'MALFORMED_STATEMENT');
  expectReject(ledger, byNode(report('m00', epoch, T0, ['m02', 'm01'])), 'MALFORMED_STATEMENT');
  expectAccept(ledger, [byNode(report('m00'))]);
  expectReject(ledger, byNode(report('m00', epoch, T0 + 1)), 'REPORT_DUPLICATE');
  const admission = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  expectAccept(ledger, [admission, ...yes(ledger, statementId(admission), ['m01', 'm02', 'm03'])]);
  expectReject(ledger, byNode(report('n00', epoch, T0, ['m00'])), 'REPORT_NOT_VOTING');
  expectReject(
    ledger,
    sign(motion(ledger.state, 'm00', [{ type: 'probation', member: 'n00' }], T0)),
    'MEMBER_NOT_VOTING',
  );
  expectAccept(ledger, [sign(motion(ledger.state, 'm00', [{ type: 'probation', member: 'm03' }], T0))]);
});

after(() => {
  const missing = REJECTION_CODES.filter((c) => !reached.has(c));
  assert.deepEqual(missing, [], `rejection codes never reached: ${missing.join(', ')}`);
});

test('after a suspension unbalances jurisdictions, changes that do not worsen it still go through', () => {
  const juris = ['DE', 'DE', 'FR', 'US', 'GB', 'JP', 'BR'];
  const ledger = new TestLedger(makeGenesis(7, DEFAULT_POLICY, juris));
  expectAccept(ledger, [sign(evidence(FEDERATION, 'm00', conflictingVotes('m03'), T0))]); // DE now 2 of 6: over the cap of 1
  const endpoints = { p2p: ['/dns4/m02.example/tcp/2'], http: ['https://m02.example/'] };
  expectAccept(ledger, [sign(selfUpdate(FEDERATION, 'm02', T0, { endpoints }))]);
  expectReject(ledger, sign(motion(ledger.state, 'm02', [admit('n00', 'DE')], T0)), 'JURISDICTION_SHARE');
  expectAccept(ledger, [sign(motion(ledger.state, 'm02', [admit('n00', 'IT')], T0))]);
});

test('rotating the node key does not escape evidence; a retired key cannot be taken by anyone', () => {
  const ledger = new TestLedger(makeGenesis(5));
  const old = conflictingVotes('m04'); // double votes under m04's first node key
  const rotation = proveKeyPossession(FEDERATION, 'm04', 'node', keysFor('m04', 1).node.secretKey);
  expectAccept(ledger, [sign(selfUpdate(FEDERATION, 'm04', T0, { nodeKey: rotation }))]);
  assert.deepEqual(Object.values(ledger.state.retiredNodeKeys), [{ member: 'm04', retiredMs: T0 }]);
  const back = proveKeyPossession(FEDERATION, 'm03', 'node', keysFor('m04').node.secretKey);
  expectReject(ledger, sign(selfUpdate(FEDERATION, 'm03', T0, { nodeKey: back })), 'KEY_IN_USE');
  const r = expectAccept(ledger, [sign(evidence(FEDERATION, 'm00', old, T0 + 1))], T0 + 1);
  assert.equal(r.world?.members.find((m) => m.name === 'm04')?.status, 'suspended');
  ledger.run([], T0 + DEFAULT_POLICY.motionTtlMs + 2);
  assert.deepEqual(ledger.state.retiredNodeKeys, {}, 'retired keys are forgotten after motionTtlMs');
});

test('organisations compare after normalisation: zero-width space, Cyrillic е, no-break space, case and spaces', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const rename = sign(
    motion(
      ledger.state,
      'm01',
      [{ type: 'update-member', member: 'm01', organisation: 'Example University' }],
      T0,
    ),
  );
  expectAccept(ledger, [rename, ...yes(ledger, statementId(rename), ['m00', 'm02', 'm03'])]);
  const candidate = (organisation: string) =>
    sign(motion(ledger.state, 'm02', [admit('n00', 'US', organisation)], T0 + 1));
  for (const lookalike of [
    'Exam\u200Bple University', // a zero-width space inside a word
    'Exampl\u0435 University', // a Cyrillic е
    '\u0415xample University', // a Cyrillic Е
    'Example\u00A0University', // a no-break space
    'example   UNIVERSITY', // case and runs of spaces
    'Example\u2060 Univer\uFEFFsity', // a word joiner and a byte-order mark
    'Εxample University', // a Greek Epsilon
  ]) {
    expectReject(ledger, candidate(lookalike), 'ORGANISATION_TAKEN', T0 + 1);
  }
  expectAccept(ledger, [candidate('Example Institute')], T0 + 1);
});

test('self-updates: one that changes nothing is refused, and at most selfUpdatesPerWindowMax per window', () => {
  const ledger = new TestLedger(makeGenesis(4));
  const current = ledger.state.world.members.find((m) => m.name === 'm02')!.endpoints;
  expectReject(
    ledger,
    sign(selfUpdate(FEDERATION, 'm02', T0, { endpoints: current })),
    'SELF_UPDATE_NO_CHANGE',
  );
  const { nodeKey } = ledger.state.world.members.find((m) => m.name === 'm02')!;
  const same = {
    key: nodeKey,
    signature: proveKeyPossession(FEDERATION, 'm02', 'node', keysFor('m02').node.secretKey).signature,
  };
  expectReject(ledger, sign(selfUpdate(FEDERATION, 'm02', T0, { nodeKey: same })), 'SELF_UPDATE_NO_CHANGE');
  const at = (i: number) => ({
    p2p: [`/dns4/m02-${i}.example/tcp/4001`],
    http: [`https://m02-${i}.example/`],
  });
  // A member churning its endpoints: 21 updates in one batch, only the policy's 4 are accepted.
  const churn = Array.from({ length: 21 }, (_, i) =>
    sign(selfUpdate(FEDERATION, 'm02', T0 + i, { endpoints: at(i) })),
  );
  const r = ledger.run(churn, T0 + 100);
  assert.equal(DEFAULT_POLICY.selfUpdatesPerWindowMax, 4);
  assert.equal(churn.length - r.rejected.length, 4);
  assert.ok(r.rejected.every((x) => x.code === 'SELF_UPDATE_RATE'));
  assert.equal(ledger.state.world.version, 2, 'one batch, one new world');
  expectReject(
    ledger,
    sign(selfUpdate(FEDERATION, 'm02', T0 + 200, { endpoints: at(50) })),
    'SELF_UPDATE_RATE',
    T0 + 200,
  );
  // Other members are not limited by m02's updates.
  expectAccept(ledger, [sign(selfUpdate(FEDERATION, 'm01', T0 + 200, { endpoints: at(60) }))], T0 + 200);
  // A window later, m02 may update again.
  const later = T0 + 100 + DEFAULT_POLICY.selfUpdateWindowMs!;
  expectAccept(ledger, [sign(selfUpdate(FEDERATION, 'm02', later, { endpoints: at(70) }))], later);
});

test('removals need more than the removal threshold (3/4) of seasoned members; a federation of four or fewer removes one member by every other member', () => {
  const ledger = new TestLedger(makeGenesis(7));
  const removal = sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm06' }], T0));
  const id = statementId(removal);
  // 5 of 7 is more than 2/3 (an admission would pass) but not more than 3/4.
  expectAccept(ledger, [removal, ...yes(ledger, id, ['m00', 'm01', 'm02', 'm03', 'm04'])]);
  assert.equal(ledger.state.world.members.length, 7);
  assert.equal(tally(ledger.state.openMotions[0]!, ledger.state.world, T0).rule, 'removal');
  expectAccept(ledger, yes(ledger, id, ['m05'], T0 + 1), T0 + 1);
  assert.equal(ledger.state.world.members.length, 6);

  // Three members: a removal of one passes with both others, not with one.
  const small = new TestLedger(makeGenesis(3));
  const out = sign(motion(small.state, 'm00', [{ type: 'remove', member: 'm02' }], T0));
  expectAccept(small, [out, ...yes(small, statementId(out), ['m00'])]);
  const t = tally(small.state.openMotions[0]!, small.state.world, T0);
  assert.deepEqual([t.rule, t.voting, t.needed, t.passes], ['removal-unanimous', 2, 2, false]);
  expectAccept(small, yes(small, statementId(out), ['m01'], T0 + 1), T0 + 1);
  assert.deepEqual(
    small.state.world.members.map((m) => m.name),
    ['m00', 'm01'],
  );
  // Removing two at once never takes that path: the others cannot remove the rest together.
  const four = new TestLedger(makeGenesis(4));
  const both = sign(
    motion(
      four.state,
      'm00',
      [
        { type: 'remove', member: 'm02' },
        { type: 'remove', member: 'm03' },
      ],
      T0,
    ),
  );
  expectAccept(four, [both, ...yes(four, statementId(both), ['m00', 'm01'])]);
  assert.equal(four.state.world.members.length, 4);
  assert.equal(tally(four.state.openMotions[0]!, four.state.world, T0).rule, 'removal');
});

test('a member admitted later votes on a removal only once seasoned', () => {
  const ledger = new TestLedger(makeGenesis(5));
  const mo = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  expectAccept(ledger, [mo, ...yes(ledger, statementId(mo), ['m00', 'm01', 'm02', 'm03'])]);
  const voting = T0 + DEFAULT_POLICY.probationPeriodMs;
  ledger.run([], voting);
  const removal = sign(motion(ledger.state, 'm00', [{ type: 'remove', member: 'm04' }], voting));
  expectAccept(ledger, [removal], voting);
  expectReject(
    ledger,
    sign(ballot(FEDERATION, 'n00', statementId(removal), 'yes', voting)),
    'BALLOT_NOT_SEASONED',
    voting,
  );
  // The four other founders pass it without n00: 4 of the 5 seasoned is more than 3/4.
  expectAccept(ledger, yes(ledger, statementId(removal), ['m00', 'm01', 'm02', 'm03'], voting), voting);
  assert.equal(
    ledger.state.world.members.some((m) => m.name === 'm04'),
    false,
  );
});

test('a suspended member is reinstated by motion, in probation, and votes again when it ends', () => {
  const ledger = new TestLedger(makeGenesis(5));
  expectAccept(ledger, [sign(evidence(FEDERATION, 'm00', conflictingVotes('m04'), T0))]);
  expectReject(
    ledger,
    sign(motion(ledger.state, 'm00', [{ type: 'reinstate', member: 'm01' }], T0)),
    'MEMBER_NOT_SUSPENDED',
  );
  const back = sign(motion(ledger.state, 'm00', [{ type: 'reinstate', member: 'm04' }], T0 + 1));
  // Like an admission, it passes on more than 2/3 of the voting members: 3 of 4.
  expectAccept(ledger, [back, ...yes(ledger, statementId(back), ['m00', 'm01', 'm02'], T0 + 1)], T0 + 1);
  const m04 = ledger.state.world.members.find((m) => m.name === 'm04')!;
  assert.deepEqual([m04.status, m04.since], ['probation', T0 + 1]);
  // A reinstatement adds a voter, so it counts against the epoch's admissions.
  expectReject(
    ledger,
    sign(motion(ledger.state, 'm00', [admit('n00', 'US'), { type: 'reinstate', member: 'm04' }], T0 + 2)),
    'ADMISSION_RATE',
    T0 + 2,
  );
  ledger.run([], T0 + 1 + DEFAULT_POLICY.probationPeriodMs);
  assert.equal(ledger.state.world.members.find((m) => m.name === 'm04')!.status, 'voting');
});

test('removal threshold and witness quorum floors', () => {
  const v = (p: Partial<typeof DEFAULT_POLICY>) => policyViolation({ ...DEFAULT_POLICY, ...p });
  assert.match(v({ removalThreshold: { num: 2, den: 3 } })!, /removal threshold/);
  assert.match(v({ removalThreshold: { num: 1, den: 1 } })!, /removal threshold/);
  assert.match(v({ policyChangeThreshold: { num: 4, den: 5 } })!, /removal threshold/);
  assert.equal(v({ policyChangeThreshold: { num: 4, den: 5 }, removalThreshold: { num: 4, den: 5 } }), null);
  assert.match(v({ approvalThreshold: { num: 3, den: 4 } })!, /removal threshold/, 'not above approval');
  const witnesses = ['w1', 'w2', 'w3', 'w4'].map((name) => ({
    name,
    key: toBase64(keysFor(name).node.publicKey),
  }));
  const recovery = { ...DEFAULT_POLICY.recovery!, witnesses };
  assert.match(v({ recovery: { ...recovery, witnessQuorum: 2 } })!, /witnessQuorum/);
  assert.equal(v({ recovery: { ...recovery, witnessQuorum: 3 } }), null);
  assert.match(v({ recovery: { ...recovery, witnessQuorum: 5 } })!, /witnessQuorum/);
  assert.match(v({ recovery: { ...recovery, silenceMs: DAY_MS } })!, /recovery.silenceMs/);
  // Absent in a document, the new fields read as their defaults and stay absent.
  const {
    removalThreshold: _r,
    selfUpdatesPerWindowMax: _n,
    selfUpdateWindowMs: _w,
    recovery: _c,
    ...older
  } = DEFAULT_POLICY;
  const parsed = checkPolicy(structuredClone(older));
  assert.equal('removalThreshold' in parsed || 'recovery' in parsed, false);
  assert.equal(
    tally(
      { changes: [{ type: 'remove', member: 'm06' }], ballots: {} },
      { ...makeGenesis(7).world, policy: parsed },
      T0,
    ).threshold.num,
    3,
  );
});

test('recovery rules (charter §20): each refusal, in its order', () => {
  const ledger = new TestLedger(makeGenesis(4, WITNESSED_POLICY));
  ledger.run([], T0);
  const head = ledgerHead(ledger.genesis, ledger.entries);
  const at = T0 + SILENCE_MS;
  const expectRecovery = (input: unknown, code: RejectionCode, ledgerAt = head) => {
    const before = structuredClone(ledger.state);
    const r = checkRecovery(ledger.state, input, ledgerAt);
    assert.equal(r?.code, code, r?.message);
    assert.equal(r!.rule, code === 'WRONG_FEDERATION' ? 'charter §1' : 'charter §20');
    assert.deepEqual(ledger.state, before);
    reached.add(code);
  };
  const good = signed(ledger.state, recoveryOf(ledger, ['m00', 'm01'], at));
  assert.equal(checkRecovery(ledger.state, good, head), null);
  expectRecovery({ ...good, extra: 1 }, 'RECOVERY_MALFORMED');
  const reshaped = (change: Partial<typeof good.recovery>, options?: Parameters<typeof signed>[2]) =>
    signed(ledger.state, { ...good.recovery, ...change }, options);
  expectRecovery(reshaped({ remove: ['m01', 'm00'] }), 'RECOVERY_MALFORMED');
  expectRecovery(reshaped({ height: 3 }), 'RECOVERY_WRONG_BASE');
  expectRecovery(good, 'RECOVERY_WRONG_BASE', { ...head, rootHash: 'ab'.repeat(32) });
  expectRecovery(good, 'RECOVERY_WRONG_BASE', { ...head, size: head.size + 1 });
  expectRecovery(reshaped({ timeMs: at - 1 }), 'RECOVERY_TOO_EARLY');
  expectRecovery(reshaped({ remove: ['m00', 'zz00'] }), 'RECOVERY_NOT_A_VALIDATOR');
  // Three of four could still commit among themselves (a quorum): they are not gone.
  expectRecovery(reshaped({ remove: ['m00', 'm01', 'm02'] }), 'RECOVERY_VANISHED_QUORUM');
  // Three of four remain, a quorum: they remove m00 by motion.
  expectRecovery(reshaped({ remove: ['m00'] }), 'RECOVERY_NOT_NEEDED');
  expectRecovery(reshaped({}, { members: ['m02'] }), 'RECOVERY_SIGNATURES');
  expectRecovery(reshaped({}, { members: ['m00', 'm02', 'm03'] }), 'RECOVERY_SIGNATURES');
  const forged = reshaped({});
  forged.members[1]!.signature = forged.members[0]!.signature;
  expectRecovery(forged, 'RECOVERY_SIGNATURES');
  expectRecovery(reshaped({}, { witnesses: ['w1.example.org'] }), 'RECOVERY_WITNESSES');
  const stranger = reshaped({});
  stranger.witnesses[1] = { witness: 'w9.example.org', signature: stranger.witnesses[1]!.signature };
  expectRecovery(stranger, 'RECOVERY_WITNESSES');
  const foreign = reshaped({ federation: 'other.test' });
  expectRecovery(foreign, 'WRONG_FEDERATION');
  // Nothing committed yet: nothing to recover.
  const unborn = new TestLedger(makeGenesis(4, WITNESSED_POLICY));
  const none0 = signed(unborn.state, recoveryOf(unborn, ['m00', 'm01'], at));
  assert.equal(
    checkRecovery(unborn.state, none0, ledgerHead(unborn.genesis, []))?.code,
    'RECOVERY_TOO_EARLY',
  );
  // A federation whose policy names no witness cannot recover.
  const bare = new TestLedger(makeGenesis(4));
  bare.run([], T0);
  const none = signed(bare.state, recoveryOf(bare, ['m00', 'm01'], at));
  assert.equal(
    checkRecovery(bare.state, none, ledgerHead(bare.genesis, bare.entries))?.code,
    'RECOVERY_WITNESSES',
  );
});

test('federation key rules: every DKG and signature refusal, a non-member, a governance-key signature, a forged ZeroTier identity', () => {
  const off = new TestLedger(makeGenesis(4));
  const ledger = new TestLedger(makeGenesis(4, DKG_POLICY));
  const dkg = new Dkg(ledger);
  const c = dkg.commitment('m00');
  // Without a federation key in the policy there is no ceremony.
  expectReject(off, c, 'DKG_NO_CEREMONY');
  const other = { ...c.statement, session: 'ab'.repeat(32) } as typeof c.statement;
  expectReject(ledger, signByNode(other), 'DKG_WRONG_SESSION');
  expectReject(ledger, dkg.shares('m00'), 'DKG_WRONG_PHASE');
  const short = {
    ...c.statement,
    commitment: c.statement.kind === 'dkg-commitment' ? c.statement.commitment.slice(1) : [],
  };
  expectReject(ledger, signByNode(short as typeof c.statement), 'DKG_BAD_PACKAGE');
  // A non-member's DKG message, and one signed with the governance key instead of the node key.
  const stranger = { ...c.statement, author: 'zz99' } as typeof c.statement;
  expectReject(ledger, signByNode(stranger), 'UNKNOWN_AUTHOR');
  expectReject(ledger, sign(c.statement), 'BAD_SIGNATURE');
  expectAccept(ledger, [c]);
  expectReject(ledger, dkg.commitment('m00', ledger.timeMs + 1), 'DKG_ALREADY_SENT', ledger.timeMs + 1);
  // m03 stays silent: left out at the deadline; afterwards its packages are refused.
  const late = ledger.timeMs + PHASE_MS + 1;
  expectAccept(
    ledger,
    ['m01', 'm02'].map((n) => dkg.commitment(n)),
  );
  expectAccept(ledger, [], late);
  const next = new Dkg(ledger);
  const outsider = { ...dkg.commitment('m03', late).statement, session: next.session } as typeof c.statement;
  expectReject(ledger, signByNode(outsider), 'DKG_NOT_A_PARTICIPANT', late);
  const three = next.ceremony.participants;
  expectAccept(
    ledger,
    three.map((n) => next.commitment(n, late)),
    late,
  );
  expectAccept(
    ledger,
    three.map((n) => next.shares(n, late)),
    late,
  );
  const wrongKey = dkgConfirmation(base('m00', late), next.session, toBase64(keysFor('m00').node.publicKey));
  expectReject(ledger, signByNode(wrongKey), 'DKG_KEY_MISMATCH', late);
  const notMine = dkgComplaint(base('m00', late), next.session, 'm01', 'cd'.repeat(32));
  expectReject(ledger, signByNode(notMine), 'DKG_BAD_COMPLAINT', late);
  const confirmations = three.map((n) => next.confirmation(n, late));
  expectAccept(
    ledger,
    confirmations.map((x) => x.signed),
    late,
  );
  const pending = ledger.state.pendingSignatures![0]!;
  const keys = new Map([
    [
      keyB64(confirmations[0]!.group),
      { group: confirmations[0]!.group, shares: confirmations.map((x) => x.share) },
    ],
  ]);
  const good = signPending('m00', pending, keys, late);
  const forged = structuredClone(good.statement);
  if (forged.kind === 'federation-signature') forged.worldNote = [toBase64(new Uint8Array(64).fill(7))];
  expectReject(ledger, signByNode(forged), 'SIGNATURE_INVALID', late);
  // A planet signature for a world that yields no planet (no zerotier in the policy).
  const unasked = {
    ...good.statement,
    planet: toBase64(new Uint8Array(64).fill(7)),
  } as typeof good.statement;
  expectReject(ledger, signByNode(unasked), 'SIGNATURE_WRONG_PARTS', late);
  const elsewhere = { ...good.statement, version: 99 } as typeof good.statement;
  expectReject(ledger, signByNode(elsewhere), 'SIGNATURE_NOT_PENDING', late);
  // A ZeroTier identity whose address does not derive from its key.
  const candidate = descriptorFor('n00', 'IT');
  candidate.zerotier = { identity: `0123456789:0:${'ab'.repeat(64)}`, endpoints: ['192.0.2.1/9993'] };
  const k = keysFor('n00');
  const change = {
    type: 'admit' as const,
    candidate,
    candidateSignatures: signCandidate(FEDERATION, candidate, k.gov.secretKey, k.node.secretKey),
  };
  expectReject(ledger, sign(motion(ledger.state, 'm00', [change], late)), 'ZEROTIER_IDENTITY_INVALID', late);
});
