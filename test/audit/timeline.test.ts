// The history the audit report tells, collected while the auditor replays the ledger: each
// world with what changed and by which motion, motions with their summaries, ballots, reasons
// and outcomes, the ledger's growth — bounded, and continued unchanged by an audit that starts
// from an earlier audit's state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GROWTH_POINTS_MAX, TIMELINE_MOTIONS_MAX, TIMELINE_WORLDS_MAX } from '../../src/audit/constants.ts';
import { governanceRules } from '../../src/audit/replay.ts';
import type { AuditReport } from '../../src/audit/report.ts';
import { diffWorlds, encodeEntry, genesisState } from '../../src/governance/index.ts';
import { makeGenesis, TestLedger } from '../governance/fixtures.ts';
import { history, renames, replayed, runBatches } from './fixtures/history.ts';

type Governance = NonNullable<AuditReport['governance']>;

test('each world says what changed and by which motion; each motion its summary, ballots, reasons and end', async () => {
  const h = history();
  const { summary } = await replayed(h.genesis, h.entries);
  const t = summary.timeline!;
  assert.deepEqual(
    t.worlds.map((w) => w.version),
    [1, 2, 3],
  );
  const [v1, v2, v3] = t.worlds;
  assert.deepEqual(
    v1!.changes.map((c) => [c.change, c.member]),
    ['m00', 'm01', 'm02', 'm03'].map((m) => ['joined', m]),
  );
  assert.deepEqual(v2!.causes, [{ id: h.ids.admit, kind: 'motion', author: 'm00', summary: 'admit n00' }]);
  assert.deepEqual(
    v2!.changes.map((c) => [c.change, c.member]),
    [['joined', 'n00']],
  );
  assert.deepEqual(v3!.causes, [], 'a probation ending has no statement');
  assert.deepEqual(v3!.changes, [
    { change: 'updated', member: 'n00', fields: [{ field: 'status', old: 'probation', new: 'voting' }] },
  ]);

  const byId = new Map(t.motions.map((m) => [m.id, m]));
  const admit = byId.get(h.ids.admit)!;
  assert.equal(admit.status, 'passed');
  assert.equal(admit.summary, 'admit n00');
  assert.deepEqual(admit.against.version, 1);
  assert.equal(admit.decided?.worldVersion, 2);
  assert.deepEqual(
    admit.diff.map((d) => [d.type, d.member]),
    [['admit', 'n00']],
  );
  assert.deepEqual(
    admit.ballots.map((b) => [b.member, b.choice, b.reason]),
    [
      ['m00', 'yes', 'meets the charter'],
      ['m01', 'no', 'wait for the registry entry'],
      ['m02', 'yes', undefined],
      ['m03', 'yes', undefined],
    ],
  );
  assert.deepEqual([admit.tally.yes, admit.tally.no, admit.tally.needed, admit.tally.notVoted], [3, 1, 3, 0]);

  const expired = byId.get(h.ids.expired)!;
  assert.equal(expired.status, 'expired');
  assert.equal(expired.summary, undefined);
  assert.deepEqual(expired.diff[0]?.fields, [
    { field: 'organisation', old: 'Org m01', new: 'Org m01 renamed' },
  ]);

  const open = byId.get(h.ids.open)!;
  assert.equal(open.status, 'open');
  assert.equal(open.decided, undefined);
  assert.deepEqual(open.against.version, 3);
  assert.deepEqual(
    open.ballots.map((b) => [b.member, b.reason]),
    [['m00', 'meets the charter']],
  );
  assert.deepEqual([open.tally.yes, open.tally.needed, open.tally.notVoted], [1, 4, 4]);
  assert.deepEqual(
    t.motions.map((m) => m.id),
    [h.ids.admit, h.ids.expired, h.ids.open],
    'decided ones in ledger order, then the open ones',
  );
  assert.equal(t.motionsOmitted, 0);
  assert.equal(t.worldsOmitted, 0);

  // One point per batch: the ledger's size after it, at its time.
  const growth = summary.growth!;
  assert.equal(growth.points.length, h.ledger.state.height);
  assert.equal(growth.points.at(-1)?.entries, h.entries.length);
  assert.equal(growth.points.at(-1)?.timeMs, h.ledger.state.timeMs);
});

test('an audit that starts from an earlier audit’s state continues the same timeline', async () => {
  const h = history();
  const whole = (await replayed(h.genesis, h.entries)).summary;
  // Stop after the batch that made world v2, as an audit whose roots were that far would.
  const split = whole.timeline!.worlds[1]!.entryIndex + 1;
  const first = governanceRules({ genesis: h.genesis });
  await first.onEntries(0, h.entries.slice(0, split));
  await first.drain();
  assert.equal(first.failure(), undefined);
  const state = JSON.parse(JSON.stringify(first.snapshot())) as unknown; // as the state file holds it
  const second = governanceRules({ genesis: h.genesis, from: state });
  await second.onEntries(split, h.entries.slice(split));
  await second.drain();
  assert.equal(second.failure(), undefined);
  const continued = second.summary() as Governance;
  assert.deepEqual(continued.timeline, whole.timeline);
  assert.deepEqual(continued.growth, whole.growth);
});

test('only the newest worlds and decided motions are detailed; the others are counted', async () => {
  const n = TIMELINE_WORLDS_MAX + 6;
  const { genesis, entries } = renames(n);
  const t = (await replayed(genesis, entries)).summary.timeline!;
  assert.equal(t.worlds.length, TIMELINE_WORLDS_MAX);
  assert.equal(t.worldsOmitted, n + 1 - TIMELINE_WORLDS_MAX, 'the genesis world and the oldest renames');
  assert.equal(t.worlds.at(-1)?.version, n + 1);
  assert.equal(t.motions.length, TIMELINE_MOTIONS_MAX);
  assert.equal(t.motionsOmitted, n - TIMELINE_MOTIONS_MAX);
  assert.equal(t.motions.at(-1)?.summary, `rename ${n - 1}`);
  assert.equal(t.motions[0]?.summary, `rename ${n - TIMELINE_MOTIONS_MAX}`);
  assert.deepEqual(t.limits, { worlds: TIMELINE_WORLDS_MAX, motions: TIMELINE_MOTIONS_MAX });
});

test(`ledger growth keeps at most ${GROWTH_POINTS_MAX} points, the last batch always last`, async () => {
  const ledger = new TestLedger(makeGenesis(4));
  const batches = GROWTH_POINTS_MAX + 50;
  runBatches(ledger, batches, () => []);
  const entries = [encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries];
  const growth = (await replayed(ledger.genesis, entries)).summary.growth!;
  assert.ok(growth.points.length <= GROWTH_POINTS_MAX, `${growth.points.length} points`);
  assert.ok(growth.points.length > GROWTH_POINTS_MAX / 2, `${growth.points.length} points`);
  assert.equal(growth.batchesPerPoint, 2);
  assert.deepEqual(growth.points.at(-1), { timeMs: ledger.timeMs, entries: entries.length });
  for (let i = 1; i < growth.points.length; i++) {
    assert.ok(growth.points[i]!.entries > growth.points[i - 1]!.entries);
    assert.ok(growth.points[i]!.timeMs > growth.points[i - 1]!.timeMs);
  }
});

test('diffWorlds names members who joined, left or changed, and policy fields, old → new', () => {
  const before = genesisState(makeGenesis(4)).world;
  const after = structuredClone(before);
  after.members = after.members.filter((m) => m.name !== 'm03');
  after.members[0]!.organisation = 'Universidade do Norte';
  after.policy.motionTtlMs = before.policy.motionTtlMs * 2;
  assert.deepEqual(
    diffWorlds(before, after).map((c) => [c.change, c.member, c.fields.map((f) => f.field)]),
    [
      ['updated', 'm00', ['organisation']],
      [
        'left',
        'm03',
        [
          'organisation',
          'jurisdiction',
          'status',
          'nodeKey',
          'governanceKey',
          'endpoints.p2p',
          'endpoints.http',
        ],
      ],
      ['policy', null, ['motionTtlMs']],
    ],
  );
  assert.deepEqual(diffWorlds(before, before), []);
});
