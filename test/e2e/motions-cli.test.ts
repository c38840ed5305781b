// Governance as an officer reads it, through the real `witan` binary against four real root
// processes: `witan motions` prints short ids that `witan motion` and `witan vote` take; a
// motion shows its summary, its changes as old → new, its ballots with their reasons and a
// tally that says what it means; once decided it keeps all of it, with the height and world
// version; a ballot that comes too late is told what happened. Short ids: unique, ambiguous
// (two real motions whose ids share 8 hex digits, found by signing candidates), unknown.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MEMBER_ORGANISATIONS } from '../../src/cli/federation.ts';
import { GOVERNANCE_KEY_FILE_NAME } from '../../src/cli/init.ts';
import {
  ballot,
  type GovernanceState,
  motion,
  type SignedStatement,
  signStatement,
  worldHash,
} from '../../src/governance/index.ts';
import { collidingMotions } from '../governance/id-collision.ts';
import { getJson, post } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { ok, witan } from '../helpers/witan.ts';
import {
  committedOn,
  createFederation,
  FEDERATION,
  startAll,
  type TestFederation,
  type TestMember,
  worldOf,
} from '../node/fixtures/federation.ts';

const MOTIONS_CLI_TEST_TIMEOUT_MS = 300_000;
/** Longest wait for a statement to be committed everywhere, or a world to reach every root. */
const COMMIT_WAIT_MS = 60_000;
const SUMMARY = "beta's registered name";
const NEW_NAME = `${MEMBER_ORGANISATIONS[1]} e.V.`;

let fed: TestFederation;
let alpha: TestMember;
let beta: TestMember;
let gamma: TestMember;
let delta: TestMember;
/** Two motions by alpha whose ids share their first 8 hex digits, committed before the test. */
let twins: [string, string];

const key = (m: TestMember) => join(m.dir, GOVERNANCE_KEY_FILE_NAME);

before(async () => {
  fed = await createFederation({ members: 4 });
  [alpha, beta, gamma, delta] = fed.members as [TestMember, TestMember, TestMember, TestMember];
  const world = fed.genesis.world;
  const template = motion(
    { world, worldHash: worldHash(world) } as GovernanceState,
    alpha.name,
    [{ type: 'update-member', member: alpha.name, organisation: `${MEMBER_ORGANISATIONS[0]}, twin` }],
    Date.now(),
  );
  // The search for the twins (seconds of signing) runs while the roots start.
  const [pair] = await Promise.all([
    collidingMotions(template, alpha.governanceKey.secretKey),
    startAll(fed),
  ]);
  const ids: string[] = [];
  for (const signed of pair) {
    const res = await post(`${alpha.httpUrl}/statements`, JSON.stringify(signed));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    ids.push((res.body as { id: string }).id);
  }
  twins = ids as [string, string];
  for (const id of twins) await committedOn(fed.members, id, COMMIT_WAIT_MS);
});

after(async () => {
  await fed?.close();
});

/** The short id `witan motions` prints for the motion whose summary is `summary`. */
function shortIdIn(listing: string, summary: string): string {
  const line = listing.split('\n').find((l) => l.includes(summary));
  assert.ok(line, `witan motions lists "${summary}":\n${listing}`);
  return line.trim().split(/\s+/)[0]!;
}

async function voteAt(m: TestMember, id: string, choice: string, reason: string): Promise<string> {
  const out = await ok(
    'vote',
    id,
    choice,
    '--reason',
    reason,
    '--governance-key',
    key(m),
    '--root',
    m.httpUrl,
    '--json',
  );
  return JSON.parse(out).id as string;
}

test('an officer proposes, reads, votes by short id, and sees the decided motion in full', {
  timeout: MOTIONS_CLI_TEST_TIMEOUT_MS,
}, async () => {
  const proposed = JSON.parse(
    await ok(
      'propose',
      'update',
      beta.name,
      '--organisation',
      NEW_NAME,
      '--summary',
      SUMMARY,
      '--governance-key',
      key(alpha),
      '--root',
      alpha.httpUrl,
      '--json',
    ),
  );
  await committedOn(fed.members, proposed.id, COMMIT_WAIT_MS);

  // `witan motions`: the short id, what it changes and why, who, when, and the tally in words.
  const listing = await ok('motions', '--root', alpha.httpUrl);
  const short = shortIdIn(listing, SUMMARY);
  assert.equal(short, proposed.id.slice(0, 8));
  assert.match(listing, new RegExp(`${short}  update beta — ${SUMMARY}`));
  assert.match(listing, /by alpha; deadline \d{4}-\d\d-\d\d \d\d:\d\d \S+ \(in 14 days\)/);
  assert.match(listing, /yes 0 of 3 needed \(more than 2\/3 of 4 voting members\), 0 no, 4 not voted/);

  // `witan motion <short id>`: the change as old → new against the world in force.
  const open = await ok('motion', short, '--root', beta.httpUrl);
  assert.match(open, new RegExp(`^Motion ${short} \\(open\\) — ${SUMMARY}`));
  assert.match(open, new RegExp(`id: +${proposed.id}`));
  assert.match(
    open,
    /changes against world v1:\n {4}update beta\n {6}organisation: Institut für Netze → Institut für Netze e\.V\./,
  );

  // Ballots by short id, each with a reason, each at the voter's own root.
  const ballots = [
    await voteAt(alpha, short, 'yes', 'the registry says so'),
    await voteAt(gamma, short, 'no', 'check the statutes first'),
    await voteAt(beta, short, 'yes', 'our new name'),
  ];
  for (const id of ballots) await committedOn(fed.members, id, COMMIT_WAIT_MS);
  const voted = await ok('motion', short, '--root', delta.httpUrl);
  assert.match(voted, /tally: +yes 2 of 3 needed \(more than 2\/3 of 4 voting members\), 1 no, 1 not voted/);
  assert.match(voted, /ballots \(3\):/);
  assert.match(voted, /alpha +yes +\d{4}-\d\d-\d\d \d\d:\d\d \S+ \([^)]*\) +— the registry says so/);
  assert.match(voted, /gamma +no +.* — check the statutes first/);

  // delta's yes is the third: the motion passes and world v2 renames beta.
  await voteAt(delta, short, 'yes', 'fine by us');
  await waitUntil(
    'world v2 on every root',
    async () => {
      const worlds = await Promise.all(fed.members.map(worldOf));
      return worlds.every((w) => w.version === 2) ? worlds : undefined;
    },
    { timeoutMs: COMMIT_WAIT_MS },
  );
  const renamed = (await worldOf(gamma)).world.members.find((m) => m.name === beta.name);
  assert.equal(renamed?.organisation, NEW_NAME);

  // Decided, it keeps everything: how, at which height and world, by which ballots and why.
  const decided = JSON.parse(await ok('motion', short, '--root', gamma.httpUrl, '--json'));
  assert.deepEqual([decided.status, decided.result, decided.worldVersion], ['decided', 'passed', 2]);
  assert.equal(decided.summary, SUMMARY);
  assert.deepEqual(
    Object.entries(decided.ballots).map(([name, b]) => `${name} ${(b as { reason: string }).reason}`),
    ['alpha the registry says so', 'gamma check the statutes first', 'beta our new name', 'delta fine by us'],
  );
  assert.deepEqual(decided.diff, [
    {
      type: 'update-member',
      member: beta.name,
      fields: [{ field: 'organisation', old: MEMBER_ORGANISATIONS[1], new: NEW_NAME }],
    },
  ]);
  const height = decided.height as number;
  const shown = await ok('motion', short, '--root', gamma.httpUrl);
  assert.match(shown, new RegExp(`^Motion ${short} \\(passed at height ${height}, world v2\\) — ${SUMMARY}`));
  assert.match(shown, /decided: +\d{4}-\d\d-\d\d \d\d:\d\d \S+ \(.*\), deadline was/);
  assert.match(shown, /tally: +yes 3 of 3 needed \(more than 2\/3 of 4 voting members\), 1 no, 0 not voted/);
  assert.match(shown, /ballots \(4\):[\s\S]*delta +yes .* — fine by us/);
  assert.match(shown, /changes against world v1:/);
  const listed = await ok('motions', '--root', beta.httpUrl);
  assert.match(
    listed,
    new RegExp(`${short}  passed at height ${height}, world v2: update beta — ${SUMMARY}`),
  );

  // Too late: the CLI says what happened and sends nothing; the root says the same with a 409.
  const late = await witan('vote', short, 'no', '--governance-key', key(gamma), '--root', gamma.httpUrl);
  assert.equal(late.code, 1);
  assert.match(
    late.stderr,
    new RegExp(
      `motion ${short} was already decided: passed at height ${height}, world v2; your ballot was not sent \\[MOTION_DECIDED\\]`,
    ),
  );
  const now = (await getJson<{ timeMs: number }>(`${gamma.httpUrl}/status`)).timeMs;
  const signed: SignedStatement = signStatement(
    ballot(FEDERATION, gamma.name, proposed.id, 'no', now),
    gamma.governanceKey.secretKey,
  );
  const answer = await post(`${gamma.httpUrl}/statements`, JSON.stringify(signed));
  assert.equal(answer.status, 409);
  const body = answer.body as {
    code: string;
    outcome: { result: string; height: number; worldVersion: number };
  };
  assert.equal(body.code, 'MOTION_DECIDED');
  assert.deepEqual(body.outcome.result, 'passed');
  assert.deepEqual([body.outcome.height, body.outcome.worldVersion], [height, 2]);
});

test('a short id two motions share is refused with both named; a longer one, and an unknown one, are told apart', {
  timeout: MOTIONS_CLI_TEST_TIMEOUT_MS,
}, async () => {
  const prefix = twins[0].slice(0, 8);
  for (const args of [
    ['motion', prefix],
    ['vote', prefix, 'yes', '--governance-key', key(beta)],
  ]) {
    const r = await witan(...args, '--root', alpha.httpUrl);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /names more than one motion on this root: .*; give more digits \[AMBIGUOUS_ID\]/);
    for (const id of twins) assert.ok(r.stderr.includes(id), `${args[0]} names ${id}:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  // `witan motions` prints each twin by the longer prefix that is its own, and that prefix works.
  const listing = await ok('motions', '--root', alpha.httpUrl);
  for (const id of twins) {
    const line = listing
      .split('\n')
      .find((l) => l.trim().startsWith(id.slice(0, 8)) && id.startsWith(l.trim().split(' ')[0]!));
    const short = line?.trim().split(' ')[0];
    assert.ok(short !== undefined && short.length > 8, `a longer short id for ${id}:\n${listing}`);
    assert.equal(JSON.parse(await ok('motion', short, '--root', beta.httpUrl, '--json')).id, id);
  }
  const unknown = await witan('motion', 'deadbeef', '--root', alpha.httpUrl);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no motion deadbeef on this root .*\[NOT_FOUND\]/);
  const tooShort = await witan('motion', 'abc1234', '--root', alpha.httpUrl);
  assert.equal(tooShort.code, 3);
  assert.match(tooShort.stderr, /motion abc1234: give its id, or at least 8 hex digits of it/);
});
