// Four roots as separate OS processes on 127.0.0.1. A motion at
// A and ballots at B, C, D give world v2, committed with quorum cosignatures and served alike by
// all four; a root SIGKILLed right after statements are submitted restarts from its folder and
// catches up to the same ledger; with one root down the other three commit; with two down
// nothing commits — the two left have voted and wait for a quorum that cannot form — and what
// is pending commits once they return.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { quorumSize } from '../../src/base/index.ts';
import { createLocalMember } from '../../src/cli/federation.ts';
import { DESCRIPTOR_FILE_NAME } from '../../src/cli/init.ts';
import { readKeyFile } from '../../src/crypto/key-file.ts';
import { admitChange, ballot, motion, parseDescriptor, signCandidate } from '../../src/governance/index.ts';
import { getJson, getText } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import {
  checkpointOf,
  committedOn,
  cosignedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  STEP,
  STEP_TIMEOUT_MS,
  sizeOf,
  startAll,
  submitAt,
  type TestFederation,
  type TestMember,
  worldOf,
} from './fixtures/federation.ts';

type ConsensusView = {
  height: number;
  ledger: { size: number };
  consensus: { height: number; round: number; step: string; active: boolean };
};

let fed: TestFederation;

before(async () => {
  fed = await createFederation({ members: 4 });
  await startAll(fed);
});

after(async () => {
  await fed?.close();
});

test('four root processes commit world v2 from a motion at A and ballots at B, C, D; served alike with quorum cosignatures', {
  timeout: 120_000,
}, async () => {
  const [a, b, c, d] = fed.members as [TestFederation['members'][0], ...TestFederation['members']];
  const names = fed.members.map((m) => m.name);
  await cosignedOn(fed.members, names, quorumSize(4));

  const newcomer = await createLocalMember(fed.base, 4);
  const candidate = parseDescriptor(
    JSON.parse(readFileSync(join(newcomer.dir, DESCRIPTOR_FILE_NAME), 'utf8')),
    'candidate',
  );
  const sigs = signCandidate(
    FEDERATION,
    candidate,
    readKeyFile(join(newcomer.dir, 'governance.key')).secretKey,
    readKeyFile(join(newcomer.dir, 'node.key')).secretKey,
  );
  const { id: motionId } = await submitAt(a, (now, w) =>
    motion(
      { world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0],
      a.name,
      [admitChange(candidate, sigs)],
      now,
      { summary: 'admit epsilon' },
    ),
  );
  await committedOn(fed.members, motionId);
  for (const m of [b!, c!, d!]) await submitAt(m, (now) => ballot(FEDERATION, m.name, motionId, 'yes', now));

  await waitUntil(
    'world v2 on every root',
    async () => (await Promise.all(fed.members.map(worldOf))).map((w) => w.version),
    {
      ...STEP,
      until: (versions) => versions.every((v) => v === 2),
    },
  );
  // The committed tree grew past v2 and a quorum of the validators cosigned it everywhere.
  const cps = await cosignedOn(fed.members, names, quorumSize(4));
  const worldTexts = await Promise.all(fed.members.map((m) => getText(`${m.httpUrl}/world`)));
  for (const t of worldTexts) assert.equal(t, worldTexts[0], 'GET /world is byte-identical on every root');
  const world = JSON.parse(worldTexts[0]!);
  assert.equal(world.version, 2);
  assert.ok(world.world.members.some((m: { name: string }) => m.name === 'epsilon'));
  // Each root adds its own log signature; the signed checkpoint text (origin, size, root hash) is the same.
  await waitUntil(
    'the same checkpoint body on every root',
    () => Promise.all(fed.members.map(checkpointOf)),
    {
      ...STEP,
      until: (now) => now.every((x) => x.body === now[0]!.body),
    },
  );
  assert.ok(cps.every((x) => x.text.startsWith(`${FEDERATION}\n`)));
});

test("long polls on root processes: the statement and every root's checkpoint are answered when the commit lands", {
  timeout: 120_000,
}, async () => {
  const [a] = fed.members;
  const { id } = await fillerMotion(a!, 'long-poll');
  let asked = 0;
  // Each request waits at the root (its bound: half the request timeout); asked again only if
  // a loaded machine takes longer than that to commit.
  let status: { status: string; index?: number } = { status: 'pending' };
  while (status.status === 'pending') {
    asked++;
    status = await getJson(`${a!.httpUrl}/statements/${id}?wait=5000`);
  }
  assert.equal(status.status, 'committed');
  const index = status.index!;
  const sizes = await Promise.all(
    fed.members.map(async (m) => {
      for (;;) {
        asked++;
        const note = await getText(`${m.httpUrl}/checkpoint?after=${index}&wait=5000`);
        const size = Number(note.split('\n')[1]);
        if (size > index) return size;
      }
    }),
  );
  assert.ok(sizes.every((size) => size > index));
  assert.ok(asked <= 3 * (1 + fed.members.length), `${asked} requests for one commit on four roots`);
});

test('a root SIGKILLed right after statements are submitted restarts from its folder and serves the same ledger', {
  timeout: 120_000,
}, async () => {
  const [a, b, , d] = fed.members;
  const sent = [await fillerMotion(a!, 'kill-1'), await fillerMotion(b!, 'kill-2')];
  await fed.kill(d!);
  const alive = fed.members.filter((m) => m !== d);
  for (const s of sent) await committedOn(alive, s.id);

  await fed.start(d!);
  for (const s of sent) await committedOn([d!], s.id);
  const same = await waitUntil(
    'the killed root to serve the same checkpoint body',
    () => Promise.all(fed.members.map(checkpointOf)),
    { ...STEP, until: (cps) => cps.every((x) => x.body === cps[0]!.body) },
  );
  const size = Number(same[0]!.body.split('\n')[1]);
  const entries = await Promise.all(
    fed.members.map((m) => getText(`${m.httpUrl}/ledger/entries?start=0&end=${size}`)),
  );
  for (const e of entries) assert.equal(e, entries[0], 'GET /ledger/entries identical on every root');
});

test('with one root stopped the other three commit; with two stopped nothing commits; pending commits on their return', {
  timeout: 120_000,
}, async () => {
  const [a, b, c, d] = fed.members as [
    TestFederation['members'][0],
    TestFederation['members'][0],
    TestFederation['members'][0],
    TestFederation['members'][0],
  ];
  await fed.stop(c);
  const one = await fillerMotion(a, 'one-down');
  await committedOn([a, b, d], one.id);

  await fed.stop(b);
  const before = await sizeOf(a);
  const two = await fillerMotion(a, 'two-down');
  const three = await fillerMotion(d, 'two-down');
  // A and D start the next height and prevote (for A's or D's block, or nil once the proposer
  // is found missing); with two of four votes nothing more can happen until a third returns.
  const stuck = await waitUntil(
    'A and D to have prevoted at the next height',
    () => Promise.all([a, d].map((m: TestMember) => getJson<ConsensusView>(`${m.httpUrl}/status`))),
    {
      ...STEP,
      until: (views) =>
        views.every(
          (v) => v.consensus.active && v.consensus.height === v.height + 1 && v.consensus.step === 'prevote',
        ),
    },
  );
  for (const v of stuck) assert.equal(v.ledger.size, before, 'no growth while waiting for a quorum');
  assert.equal(await sizeOf(a), before, 'no growth at A with two of four roots stopped');
  assert.equal(await sizeOf(d), before, 'no growth at D with two of four roots stopped');
  for (const s of [two, three]) {
    const st = await getJson<{ status: string }>(`${a.httpUrl}/statements/${s.id}`);
    assert.equal(st.status, 'pending');
  }

  await Promise.all([fed.start(b), fed.start(c)]);
  for (const s of [two, three]) await committedOn(fed.members, s.id, STEP_TIMEOUT_MS * 2);
  const sizes = await waitUntil('every root at the same size', () => Promise.all(fed.members.map(sizeOf)), {
    ...STEP,
    until: (s) => s.every((x) => x === s[0]),
  });
  assert.ok(sizes[0]! > before);
});
