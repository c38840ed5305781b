// A motion's changes described against a world, field by field: what people read before they
// vote. Only what really changes is listed, thresholds are one value, and what is not there is null.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_POLICY, diffChanges, genesisState } from '../../src/governance/index.ts';
import { admit, descriptorFor, makeGenesis, replaceGovernanceKey } from './fixtures.ts';

const world = genesisState(makeGenesis(4)).world;

test('a policy change lists every policy field that differs, nested ones by path, thresholds whole', () => {
  const policy = {
    ...DEFAULT_POLICY,
    approvalThreshold: { num: 3, den: 4 },
    relay: { ...DEFAULT_POLICY.relay, reservationsMax: DEFAULT_POLICY.relay.reservationsMax + 1 },
  };
  assert.deepEqual(diffChanges(world, [{ type: 'change-policy', policy }]), [
    {
      type: 'change-policy',
      member: null,
      fields: [
        { field: 'approvalThreshold', old: { num: 2, den: 3 }, new: { num: 3, den: 4 } },
        {
          field: 'relay.reservationsMax',
          old: DEFAULT_POLICY.relay.reservationsMax,
          new: DEFAULT_POLICY.relay.reservationsMax + 1,
        },
      ],
    },
  ]);
});

test('an update lists the fields it changes, not the ones it repeats; a key replacement its key', () => {
  const m01 = world.members.find((m) => m.name === 'm01')!;
  const endpoints = { p2p: m01.endpoints.p2p, http: ['https://new.example.org/'] };
  const [update, key] = diffChanges(world, [
    { type: 'update-member', member: 'm01', organisation: m01.organisation, endpoints },
    replaceGovernanceKey('m02', 1),
  ]);
  assert.deepEqual(update, {
    type: 'update-member',
    member: 'm01',
    fields: [{ field: 'endpoints.http', old: m01.endpoints.http, new: ['https://new.example.org/'] }],
  });
  assert.equal(key?.fields.length, 1);
  assert.equal(key?.fields[0]?.field, 'governanceKey');
  assert.equal(key?.fields[0]?.old, world.members.find((m) => m.name === 'm02')!.governanceKey);
});

test('an admission has no old values and a removal no new ones; a member not in the world has no old ones', () => {
  const [admission, removal, gone] = diffChanges(world, [
    admit('n00', 'PT'),
    { type: 'remove', member: 'm03' },
    { type: 'update-member', member: 'zz', organisation: 'Elsewhere' },
  ]);
  const n00 = descriptorFor('n00', 'PT');
  assert.deepEqual(
    admission?.fields.map((f) => [f.field, f.old, f.new]),
    [
      ['organisation', null, n00.organisation],
      ['jurisdiction', null, 'PT'],
      ['status', null, 'probation'],
      ['nodeKey', null, n00.nodeKey],
      ['governanceKey', null, n00.governanceKey],
      ['endpoints.p2p', null, n00.endpoints.p2p],
      ['endpoints.http', null, n00.endpoints.http],
    ],
  );
  assert.ok(removal?.fields.every((f) => f.new === null && f.old !== null));
  assert.equal(removal?.fields.length, 7);
  assert.deepEqual(gone?.fields, [{ field: 'organisation', old: null, new: 'Elsewhere' }]);
});
