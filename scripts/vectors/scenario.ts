// The scripted ledger of the governance vectors: batch after batch from the genesis, each
// statement with the verdict the rules must reach (the generator refuses to write a vector
// whose verdict is not the one stated here) and each batch with the outcomes it must record.
// Between them the batches exercise every change type, key replacement and rotation, policy
// change with seasoning, expiries, passes at the start of a batch after re-basing, rejections at
// pass time (a rule, the admission limit) and at re-basing, and suspension inside a batch.

import { toBase64 } from '../../src/codec/index.ts';
import {
  ballot,
  DEFAULT_POLICY,
  DUTIES,
  type Duty,
  dutyMotionId,
  dutyReport,
  evidence,
  type GovernanceState,
  motion,
  observation,
  type ProbeCount,
  proveKeyPossession,
  type RejectionCode,
  type SignedStatement,
  selfUpdate,
  statementId,
} from '../../src/governance/index.ts';
import { signVote } from '../../src/wire/index.ts';
import { admitChange, DAY_MS, FEDERATION, gov, HOUR_MS, MINUTE_MS, node, signAs, T0 } from './identities.ts';

export type Made = { note: string; signed: SignedStatement; expect: 'accepted' | RejectionCode };
/** An outcome the batch must record: the motion's label, the result and the reason code. */
export type ExpectedOutcome = [label: string, result: 'passed' | 'expired' | 'rejected', reason?: string];

export type Step = {
  note: string;
  timeMs: number;
  statements: (state: GovernanceState) => Made[];
  /** Called once the batch's statements are made (motion ids are known then). */
  outcomes: () => ExpectedOutcome[];
  /** Does the batch produce a new world? */
  world: boolean;
  /** The duty verdicts the batch must record (charter §21): member and action; none when absent. */
  verdicts?: [member: string, action: string][];
};

/** Motion ids by label, filled as the scenario signs them. */
export const ids = new Map<string, string>();
const id = (label: string): string => {
  const x = ids.get(label);
  if (x === undefined) throw new Error(`no motion ${label} yet`);
  return x;
};
const named = (label: string, signed: SignedStatement): SignedStatement => {
  ids.set(label, statementId(signed));
  return signed;
};
const yes = (author: string, label: string, t: number, key = gov(author)): SignedStatement =>
  signAs(ballot(FEDERATION, author, id(label), 'yes', t), key);

function vote(name: string, height: number, valueId: string) {
  return signVote(
    {
      federation: FEDERATION,
      height,
      round: 0,
      type: 'precommit',
      valueId,
      validator: toBase64(node(name).publicKey),
    },
    node(name).secretKey,
  );
}

const T5 = T0 + 32 * DAY_MS;
const T6 = T5 + HOUR_MS;
const T7 = T5 + 2 * HOUR_MS;
const T8 = T5 + DAY_MS;
const T9 = T6 + 30 * DAY_MS;
const T10 = T9 + HOUR_MS;
const T11 = T10 + MINUTE_MS;
const birch2 = gov('birch', 2);

// Duties (charter §21): the default duty epoch is a day. Reports on epoch E are taken during
// E + 1 and judged at the first batch of E + 2. cedar's root answers no probe from E on.
const E = Math.floor(T11 / DAY_MS) + 1;
const inEpoch = (e: number) => e * DAY_MS + HOUR_MS;
/** The node keys that sign reports: fir rotated its node key in batch 7. */
const nodeKeyOf = (name: string) => (name === 'fir' ? node('fir', 2) : node(name));
const probes = (attempted: number, succeeded: number): Partial<Record<Duty, ProbeCount>> =>
  Object.fromEntries(DUTIES.map((d) => [d, { attempted, succeeded }]));
/** `author`'s report on epoch `e`, seeing cedar fail every probe and the others answer each. */
function report(author: string, e: number, t: number, key = nodeKeyOf(author)): SignedStatement {
  const about = ['alder', 'birch', 'cedar', 'fir'].filter((m) => m !== author);
  const observations = about.map((m) => observation(m, m === 'cedar' ? probes(1440, 0) : probes(1440, 1440)));
  return signAs(dutyReport(FEDERATION, author, e, observations, t), key);
}
const reports = (e: number): Made[] =>
  ['alder', 'birch', 'fir'].map((a) => ({
    note: `accepted: ${a}'s report on duty epoch ${e - E}, signed with its node key`,
    signed: report(a, e, inEpoch(e + 1)),
    expect: 'accepted',
  }));

export const STEPS: Step[] = [
  {
    note: 'a motion to admit elm, and statements the rules reject',
    timeMs: T0,
    statements: (s) => {
      const admit = named(
        'admit-elm',
        signAs(motion(s, 'alder', [admitChange('elm', 'NZ')], T0, { summary: 'Admit Elm' })),
      );
      return [
        {
          note: 'accepted: motion by a voting member against the world in force',
          signed: admit,
          expect: 'accepted',
        },
        {
          note: 'rejected: signed by another key',
          signed: signAs(motion(s, 'birch', [{ type: 'remove', member: 'cedar' }], T0), gov('alder')),
          expect: 'BAD_SIGNATURE',
        },
        {
          note: 'rejected: would give DE a blocking share',
          signed: signAs(motion(s, 'birch', [admitChange('fir', 'DE')], T0)),
          expect: 'JURISDICTION_SHARE',
        },
        {
          note: 'rejected: ballot on no open motion',
          signed: signAs(ballot(FEDERATION, 'cedar', 'ab'.repeat(32), 'yes', T0)),
          expect: 'UNKNOWN_MOTION',
        },
        {
          note: 'rejected: signed more than a day before the batch',
          signed: signAs(ballot(FEDERATION, 'cedar', id('admit-elm'), 'yes', T0 - 2 * DAY_MS)),
          expect: 'STATEMENT_STALE',
        },
        { note: 'rejected: the very same motion again', signed: admit, expect: 'DUPLICATE_STATEMENT' },
      ];
    },
    outcomes: () => [],
    world: false,
  },
  {
    note: 'ballots: three of four voting members say yes, so elm is admitted in probation (world 2)',
    timeMs: T0 + HOUR_MS,
    statements: () => [
      { note: 'accepted', signed: yes('alder', 'admit-elm', T0 + HOUR_MS), expect: 'accepted' },
      {
        note: 'rejected: elm is not a member yet',
        signed: yes('elm', 'admit-elm', T0 + HOUR_MS),
        expect: 'UNKNOWN_AUTHOR',
      },
      {
        note: 'accepted',
        signed: signAs(ballot(FEDERATION, 'birch', id('admit-elm'), 'no', T0 + HOUR_MS - 10)),
        expect: 'accepted',
      },
      {
        note: 'accepted: replaces the earlier no',
        signed: yes('birch', 'admit-elm', T0 + HOUR_MS),
        expect: 'accepted',
      },
      {
        note: 'accepted: the third yes passes the motion (3 > 2/3 of 4)',
        signed: signAs(ballot(FEDERATION, 'cedar', id('admit-elm'), 'yes', T0 + HOUR_MS, 'welcome')),
        expect: 'accepted',
      },
    ],
    outcomes: () => [['admit-elm', 'passed']],
    world: true,
  },
  {
    note: 'a self-update and evidence of double precommits by rowan (world 3: rowan suspended)',
    timeMs: T0 + 2 * HOUR_MS,
    statements: (s) => [
      {
        note: 'rejected: elm is in probation and cannot move motions',
        signed: signAs(motion(s, 'elm', [{ type: 'remove', member: 'cedar' }], T0 + 2 * HOUR_MS)),
        expect: 'NOT_A_VOTING_MEMBER',
      },
      {
        note: 'accepted: birch moves its endpoints',
        signed: signAs(
          selfUpdate(FEDERATION, 'birch', T0 + 2 * HOUR_MS, {
            endpoints: {
              p2p: ['/dns4/root2.birch.example.org/tcp/4001'],
              http: ['https://root2.birch.example.org/'],
            },
          }),
        ),
        expect: 'accepted',
      },
      {
        note: 'accepted: evidence suspends rowan at once and opens a removal motion',
        signed: named(
          'remove-rowan-by-evidence',
          signAs(
            evidence(
              FEDERATION,
              'cedar',
              {
                type: 'votes',
                first: vote('rowan', 2, '11'.repeat(32)),
                second: vote('rowan', 2, '22'.repeat(32)),
              },
              T0 + 2 * HOUR_MS,
            ),
          ),
        ),
        expect: 'accepted',
      },
      {
        note: 'rejected: rowan was suspended earlier in this batch',
        signed: signAs(
          selfUpdate(FEDERATION, 'rowan', T0 + 2 * HOUR_MS, {
            endpoints: { p2p: ['/dns4/r.example/tcp/1'], http: ['https://r.example/'] },
          }),
        ),
        expect: 'AUTHOR_SUSPENDED',
      },
    ],
    outcomes: () => [],
    world: true,
  },
  {
    note: '31 days later: elm leaves probation, the removal motion of rowan has expired (world 4)',
    timeMs: T0 + 31 * DAY_MS,
    statements: () => [],
    outcomes: () => [['remove-rowan-by-evidence', 'expired']],
    world: true,
  },
  {
    note: 'motions of every change type, and motions the rules refuse',
    timeMs: T5,
    statements: (s) => {
      const birchKey = proveKeyPossession(FEDERATION, 'birch', 'governance', birch2.secretKey);
      const cedarWrong = proveKeyPossession(FEDERATION, 'cedar', 'governance', gov('cedar', 2).secretKey);
      const stalePolicy = { ...DEFAULT_POLICY, checkpointFreshnessMs: 2 * HOUR_MS };
      const wrongParent = motion(s, 'birch', [{ type: 'remove', member: 'rowan' }], T5);
      wrongParent.parentWorld = { hash: '00'.repeat(32), version: s.world.version - 1 };
      return [
        {
          note: 'accepted: replace birch’s governance key; the new key signed its key-possession statement',
          signed: named(
            'replace-birch-key',
            signAs(
              motion(
                s,
                'alder',
                [
                  {
                    type: 'replace-governance-key',
                    member: 'birch',
                    governanceKey: birchKey.key,
                    keySignature: birchKey.signature,
                  },
                ],
                T5,
              ),
            ),
          ),
          expect: 'accepted',
        },
        {
          note: 'rejected: the key-possession statement is signed by the old key, not the new one',
          signed: signAs(
            motion(
              s,
              'cedar',
              [
                {
                  type: 'replace-governance-key',
                  member: 'cedar',
                  governanceKey: cedarWrong.key,
                  keySignature: proveKeyPossession(FEDERATION, 'cedar', 'governance', gov('cedar').secretKey)
                    .signature,
                },
              ],
              T5,
            ),
          ),
          expect: 'KEY_SIGNATURE_INVALID',
        },
        {
          note: 'accepted: update cedar’s organisation and endpoints',
          signed: named(
            'update-cedar',
            signAs(
              motion(
                s,
                'birch',
                [
                  {
                    type: 'update-member',
                    member: 'cedar',
                    organisation: 'Cedar Foundation',
                    endpoints: {
                      p2p: ['/dns4/cedar.example.net/tcp/4001'],
                      http: ['https://cedar.example.net/'],
                    },
                  },
                ],
                T5,
              ),
            ),
          ),
          expect: 'accepted',
        },
        {
          note: 'accepted: remove rowan (suspended)',
          signed: named(
            'remove-rowan',
            signAs(motion(s, 'cedar', [{ type: 'remove', member: 'rowan' }], T5)),
          ),
          expect: 'accepted',
        },
        {
          note: 'accepted: a policy change, moved by elm, which is not seasoned yet (moving is allowed)',
          signed: named(
            'policy',
            signAs(motion(s, 'elm', [{ type: 'change-policy', policy: stalePolicy }], T5)),
          ),
          expect: 'accepted',
        },
        {
          note: 'accepted: admit fir (FR)',
          signed: named('admit-fir', signAs(motion(s, 'alder', [admitChange('fir', 'FR')], T5))),
          expect: 'accepted',
        },
        {
          note: 'accepted: admit gum (IT) in the same epoch',
          signed: named('admit-gum', signAs(motion(s, 'birch', [admitChange('gum', 'IT')], T5))),
          expect: 'accepted',
        },
        {
          note: 'rejected: one motion admitting two members, more than one an epoch',
          signed: signAs(motion(s, 'cedar', [admitChange('fir', 'FR'), admitChange('gum', 'IT')], T5)),
          expect: 'ADMISSION_RATE',
        },
        {
          note: 'accepted: update rowan’s endpoints (re-based away once rowan is removed)',
          signed: named(
            'update-rowan',
            signAs(
              motion(
                s,
                'elm',
                [
                  {
                    type: 'update-member',
                    member: 'rowan',
                    endpoints: {
                      p2p: ['/dns4/rowan.example.net/tcp/4001'],
                      http: ['https://rowan.example.net/'],
                    },
                  },
                ],
                T5,
              ),
            ),
          ),
          expect: 'accepted',
        },
        {
          note: 'accepted: rename birch’s organisation to "FIR Institute" (re-based away once fir is admitted)',
          signed: named(
            'rename-birch',
            signAs(
              motion(
                s,
                'alder',
                [{ type: 'update-member', member: 'birch', organisation: 'FIR Institute' }],
                T5,
              ),
            ),
          ),
          expect: 'accepted',
        },
        {
          note: 'rejected: names an older world',
          signed: signAs(wrongParent),
          expect: 'MOTION_WRONG_PARENT',
        },
        {
          note: 'rejected: deadline more than motionTtlMs after signing',
          signed: signAs(
            motion(s, 'cedar', [{ type: 'remove', member: 'rowan' }], T5, { deadlineMs: T5 + 15 * DAY_MS }),
          ),
          expect: 'BAD_DEADLINE',
        },
        {
          note: 'rejected: dated six minutes after the batch',
          signed: signAs(ballot(FEDERATION, 'cedar', id('update-cedar'), 'yes', T5 + 6 * MINUTE_MS)),
          expect: 'STATEMENT_FROM_FUTURE',
        },
      ];
    },
    outcomes: () => [],
    world: false,
  },
  {
    note: 'ballots decide five motions in one batch: key replaced, fir admitted, gum refused at pass time, policy changed by seasoned members only, rowan removed; two motions re-based away (world 5)',
    timeMs: T6,
    statements: () => [
      { note: 'accepted', signed: yes('alder', 'replace-birch-key', T6), expect: 'accepted' },
      { note: 'accepted', signed: yes('cedar', 'replace-birch-key', T6), expect: 'accepted' },
      {
        note: 'accepted: the third yes of four voting members replaces birch’s key at once',
        signed: yes('elm', 'replace-birch-key', T6),
        expect: 'accepted',
      },
      {
        note: 'rejected: signed with birch’s old key, replaced earlier in this batch',
        signed: yes('birch', 'admit-fir', T6),
        expect: 'BAD_SIGNATURE',
      },
      {
        note: 'accepted: signed with birch’s new key',
        signed: yes('birch', 'admit-fir', T6, birch2),
        expect: 'accepted',
      },
      { note: 'accepted', signed: yes('alder', 'admit-fir', T6), expect: 'accepted' },
      {
        note: 'accepted: fir admitted in probation',
        signed: yes('cedar', 'admit-fir', T6),
        expect: 'accepted',
      },
      { note: 'accepted', signed: yes('alder', 'admit-gum', T6), expect: 'accepted' },
      { note: 'accepted', signed: yes('cedar', 'admit-gum', T6), expect: 'accepted' },
      {
        note: 'accepted: gum’s motion has its votes, but fir used this epoch’s admission: rejected with ADMISSION_RATE',
        signed: yes('elm', 'admit-gum', T6),
        expect: 'accepted',
      },
      {
        note: 'rejected: elm votes since day 31, not seasoned for a policy change',
        signed: yes('elm', 'policy', T6),
        expect: 'BALLOT_NOT_SEASONED',
      },
      { note: 'accepted', signed: yes('alder', 'policy', T6), expect: 'accepted' },
      { note: 'accepted', signed: yes('birch', 'policy', T6, birch2), expect: 'accepted' },
      {
        note: 'accepted: 3 of the 3 seasoned members (elm does not count) pass the policy change (more than 3/4)',
        signed: yes('cedar', 'policy', T6),
        expect: 'accepted',
      },
      { note: 'accepted', signed: yes('alder', 'remove-rowan', T6), expect: 'accepted' },
      { note: 'accepted', signed: yes('birch', 'remove-rowan', T6, birch2), expect: 'accepted' },
      { note: 'accepted: rowan removed', signed: yes('cedar', 'remove-rowan', T6), expect: 'accepted' },
      {
        note: 'accepted: one yes of four; the ballot is kept when the motion is re-based',
        signed: yes('elm', 'update-cedar', T6),
        expect: 'accepted',
      },
      {
        note: 'rejected: rowan was removed earlier in this batch',
        signed: signAs(
          selfUpdate(FEDERATION, 'rowan', T6, {
            endpoints: { p2p: ['/dns4/r.example/tcp/2'], http: ['https://r.example/'] },
          }),
        ),
        expect: 'UNKNOWN_AUTHOR',
      },
    ],
    outcomes: () => [
      ['replace-birch-key', 'passed'],
      ['admit-fir', 'passed'],
      ['admit-gum', 'rejected', 'ADMISSION_RATE'],
      ['policy', 'passed'],
      ['remove-rowan', 'passed'],
      // re-basing rejections, in the order of the motion ids
      ...(['update-rowan', 'rename-birch'] as const)
        .map(
          (l): ExpectedOutcome => [
            l,
            'rejected',
            l === 'update-rowan' ? 'UNKNOWN_MEMBER' : 'ORGANISATION_TAKEN',
          ],
        )
        .sort((a, b) => (id(a[0]) < id(b[0]) ? -1 : 1)),
    ],
    world: true,
  },
  {
    note: 'the re-based motion passes with its kept ballot, fir rotates its node key, two short motions (world 6)',
    timeMs: T7,
    statements: (s) => {
      const firNode = proveKeyPossession(FEDERATION, 'fir', 'node', node('fir', 2).secretKey);
      return [
        {
          note: 'rejected: signed with birch’s replaced key',
          signed: yes('birch', 'update-cedar', T7),
          expect: 'BAD_SIGNATURE',
        },
        { note: 'accepted', signed: yes('alder', 'update-cedar', T7), expect: 'accepted' },
        {
          note: 'accepted: with elm’s yes kept from before the re-basing, 3 of 4: cedar updated',
          signed: yes('birch', 'update-cedar', T7, birch2),
          expect: 'accepted',
        },
        {
          note: 'rejected: the new node key’s possession statement is signed by the old node key',
          signed: signAs(
            selfUpdate(FEDERATION, 'fir', T7, {
              nodeKey: {
                key: firNode.key,
                signature: proveKeyPossession(FEDERATION, 'fir', 'node', node('fir').secretKey).signature,
              },
            }),
          ),
          expect: 'KEY_SIGNATURE_INVALID',
        },
        {
          note: 'accepted: fir (in probation) rotates its node key by self-update',
          signed: signAs(selfUpdate(FEDERATION, 'fir', T7, { nodeKey: firNode })),
          expect: 'accepted',
        },
        {
          note: 'accepted: a motion that will expire (deadline one hour after signing)',
          signed: named(
            'remove-fir',
            signAs(motion(s, 'alder', [{ type: 'remove', member: 'fir' }], T7, { deadlineMs: T7 + HOUR_MS })),
          ),
          expect: 'accepted',
        },
        {
          note: 'accepted: another motion that will expire',
          signed: named(
            'update-elm',
            signAs(
              motion(
                s,
                'birch',
                [
                  {
                    type: 'update-member',
                    member: 'elm',
                    endpoints: {
                      p2p: ['/dns4/elm.example.net/tcp/4001'],
                      http: ['https://elm.example.net/'],
                    },
                  },
                ],
                T7,
                { deadlineMs: T7 + HOUR_MS },
              ),
              birch2,
            ),
          ),
          expect: 'accepted',
        },
      ];
    },
    outcomes: () => [['update-cedar', 'passed']],
    world: true,
  },
  {
    note: 'a day later: both short motions expire in one batch, in the order of their ids; no new world',
    timeMs: T8,
    statements: () => [],
    outcomes: () =>
      (['remove-fir', 'update-elm'] as const)
        .map((l): ExpectedOutcome => [l, 'expired'])
        .sort((a, b) => (id(a[0]) < id(b[0]) ? -1 : 1)),
    world: false,
  },
  {
    note: 'thirty days after its admission fir leaves probation: a world with no cause (world 7)',
    timeMs: T9,
    statements: () => [],
    outcomes: () => [],
    world: true,
  },
  {
    note: 'a motion with 3 yes of 5 stays open; evidence suspends elm, whose later ballot is refused (world 8)',
    timeMs: T10,
    statements: (s) => [
      {
        note: 'accepted',
        signed: named(
          'update-birch',
          signAs(
            motion(
              s,
              'alder',
              [
                {
                  type: 'update-member',
                  member: 'birch',
                  endpoints: {
                    p2p: ['/dns4/birch.example.net/tcp/4001'],
                    http: ['https://birch.example.net/'],
                  },
                },
              ],
              T10,
            ),
          ),
        ),
        expect: 'accepted',
      },
      { note: 'accepted', signed: yes('alder', 'update-birch', T10), expect: 'accepted' },
      { note: 'accepted', signed: yes('birch', 'update-birch', T10, birch2), expect: 'accepted' },
      {
        note: 'accepted: 3 yes of 5 voting members is not more than 2/3',
        signed: yes('cedar', 'update-birch', T10),
        expect: 'accepted',
      },
      {
        note: 'accepted: evidence of double precommits suspends elm and opens its removal',
        signed: named(
          'remove-elm-by-evidence',
          signAs(
            evidence(
              FEDERATION,
              'cedar',
              {
                type: 'votes',
                first: vote('elm', 7, '33'.repeat(32)),
                second: vote('elm', 7, '44'.repeat(32)),
              },
              T10,
            ),
          ),
        ),
        expect: 'accepted',
      },
      {
        note: 'rejected: elm was suspended earlier in this batch',
        signed: yes('elm', 'update-birch', T10),
        expect: 'AUTHOR_SUSPENDED',
      },
    ],
    outcomes: () => [],
    world: true,
  },
  {
    note: 'an empty batch: the re-based motion now has 3 yes of 4 voting members and passes at the start (world 9)',
    timeMs: T11,
    statements: () => [],
    outcomes: () => [['update-birch', 'passed']],
    world: true,
  },
  {
    note: 'duty reports on the first duty epoch: alder, birch and fir saw cedar answer no probe; reports the rules refuse',
    timeMs: inEpoch(E + 1),
    statements: () => [
      {
        note: 'rejected: a duty report is signed with the node key, not the governance key',
        signed: report('alder', E, inEpoch(E + 1), gov('alder')),
        expect: 'BAD_SIGNATURE',
      },
      {
        note: 'rejected: a batch takes reports on the epoch that just ended only',
        signed: report('alder', E + 1, inEpoch(E + 1)),
        expect: 'REPORT_WRONG_EPOCH',
      },
      ...reports(E),
      {
        note: 'rejected: alder already reported on this epoch',
        signed: report('alder', E, inEpoch(E + 1) + 1),
        expect: 'REPORT_DUPLICATE',
      },
    ],
    outcomes: () => [],
    world: false,
  },
  {
    note: 'the first duty epoch is judged: three of four voting members accuse cedar, a notice on every duty (world 10)',
    timeMs: inEpoch(E + 2),
    statements: () => reports(E + 1),
    outcomes: () => [],
    world: true,
    verdicts: [['cedar', 'notice']],
  },
  {
    note: 'the second is judged: cedar is below again, within the grace of two epochs; no new world',
    timeMs: inEpoch(E + 3),
    statements: () => reports(E + 2),
    outcomes: () => [],
    world: false,
    verdicts: [['cedar', 'standing']],
  },
  {
    note: 'the third is judged: after the grace the rules open a motion to put cedar in probation',
    timeMs: inEpoch(E + 4),
    statements: () => {
      ids.set('duty-cedar', dutyMotionId(FEDERATION, E + 2, 'cedar'));
      return [];
    },
    outcomes: () => [],
    world: false,
    verdicts: [['cedar', 'motion']],
  },
  {
    note: 'alder, birch and fir vote yes: cedar is in probation (world 11)',
    timeMs: inEpoch(E + 4) + MINUTE_MS,
    statements: () => [
      {
        note: 'accepted',
        signed: yes('alder', 'duty-cedar', inEpoch(E + 4) + MINUTE_MS),
        expect: 'accepted',
      },
      {
        note: 'accepted',
        signed: yes('birch', 'duty-cedar', inEpoch(E + 4) + MINUTE_MS, birch2),
        expect: 'accepted',
      },
      {
        note: 'accepted: 3 yes of 4 voting members; cedar goes to probation',
        signed: yes('fir', 'duty-cedar', inEpoch(E + 4) + MINUTE_MS),
        expect: 'accepted',
      },
    ],
    outcomes: () => [['duty-cedar', 'passed']],
    world: true,
  },
];
