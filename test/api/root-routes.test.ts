// rootRoutes through fastify.inject() against a RootView built from real governance state
// (root-fixture.ts). Every route: success bodies equal what the view returned (so no response
// schema drops a field), every new field of a motion, short ids, 404s, 400/409/422/503 bodies,
// the world's ETag, the chain since a version and its cache, and the world JSON made once per world.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DECIDED_MOTIONS_LISTED_MAX,
  DECISIONS_PER_REQUEST_MAX,
  etagMatches,
} from '../../src/api/root-routes.ts';
import {
  DecisionsResponse,
  EvidenceResponse,
  IdProblemSchema,
  MembersResponse,
  MotionDecidedSchema,
  MotionResponse,
  MotionsResponse,
  RejectionSchema,
  StatementStatusResponse,
  StatusResponse,
  SubmittedResponse,
  WorldChainResponse,
  WorldResponse,
} from '../../src/api/root-schemas.ts';
import { ballot, type Evidence, verifyWorldChain } from '../../src/governance/index.ts';
import { DAY_MS, FEDERATION, sign, statementId, T0 } from '../governance/fixtures.ts';
import {
  ADMISSION_SUMMARY,
  assertProblem,
  assertSchema,
  checkpoint,
  decisionAt,
  fixture,
  POOL_CAPACITY,
  REMOVAL_SUMMARY,
  wire,
} from './root-fixture.ts';

test('GET /world answers the world in force with its version and hash, its ETag the hash', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/world');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  const { world, worldHash } = view.state();
  assert.deepEqual(res.json(), wire({ version: 2, hash: worldHash, world }));
  assertSchema(WorldResponse, res.json());
  assert.equal(res.headers.etag, `"${worldHash}"`);
  assert.equal(res.headers['cache-control'], 'no-cache');
});

test('GET /world answers 304 without a body when If-None-Match names the world, 200 when it does not', async (t) => {
  const { app, view } = await fixture(t);
  const etag = `"${view.state().worldHash}"`;
  for (const header of [etag, `W/${etag}`, `"${'00'.repeat(32)}", ${etag}`, '*']) {
    const res = await app.inject({ url: '/world', headers: { 'if-none-match': header } });
    assert.equal(res.statusCode, 304, header);
    assert.equal(res.body, '');
    assert.equal(res.headers.etag, etag);
  }
  const old = await app.inject({ url: '/world', headers: { 'if-none-match': `"${'00'.repeat(32)}"` } });
  assert.equal(old.statusCode, 200);
  assert.equal(old.json().hash, view.state().worldHash);
  assert.equal(etagMatches(undefined, etag), false);
  assert.equal(etagMatches(view.state().worldHash, etag), false, 'an unquoted hash is no entity tag');
});

test('GET /world makes its JSON once per world: the same hash is served from cache, a new world anew', async (t) => {
  const { app, view } = await fixture(t);
  const first = (await app.inject('/world')).body;
  // Same world hash, different object: the cached body is served, not a new serialization.
  const real = view.state();
  view.stateOverride = { ...real, world: { ...real.world, version: 99 } };
  assert.equal((await app.inject('/world')).body, first);
  // A new world hash makes a new body, and a new ETag.
  view.stateOverride = { ...real, world: { ...real.world, version: 99 }, worldHash: 'cd'.repeat(32) };
  const changed = await app.inject({ url: '/world', headers: { 'if-none-match': `"${real.worldHash}"` } });
  assert.equal(changed.statusCode, 200);
  assert.equal(changed.json().version, 99);
  assert.equal(changed.json().hash, 'cd'.repeat(32));
  assert.equal(changed.headers.etag, `"${'cd'.repeat(32)}"`);
  view.stateOverride = undefined;
  assert.deepEqual((await app.inject('/world')).json(), JSON.parse(first));
});

test('GET /world/chain answers the genesis and every world with its proof and the head', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/world/chain');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.deepEqual(body, wire(await view.worldChain()));
  assertSchema(WorldChainResponse, body);
  assert.equal(body.steps.length, 2);
  assert.deepEqual(
    body.steps.map((s: { world: { version: number } }) => s.world.version),
    [1, 2],
  );
  assert.ok((body.head?.inclusionProof.length ?? 0) > 0);
  const verified = verifyWorldChain(view.ledger.genesis, body.steps, {
    nowMs: T0 + 60_000,
    head: body.head!,
  });
  assert.equal(verified.ok, true);
});

test('GET /world/chain?since=<version> answers only the worlds from that version on, which verify from it', async (t) => {
  const { app, view } = await fixture(t);
  const full = (await app.inject('/world/chain')).json();
  const since2 = await app.inject('/world/chain?since=2');
  assert.equal(since2.statusCode, 200);
  assertSchema(WorldChainResponse, since2.json());
  assert.deepEqual(since2.json(), { steps: [full.steps[1]], head: full.head });
  // A client that verified world 1 before walks on from it, without the genesis step's proof.
  const since1 = (await app.inject('/world/chain?since=1')).json();
  assert.deepEqual(since1, { steps: full.steps, head: full.head });
  const trusted = full.steps[0].world;
  const walked = verifyWorldChain(view.ledger.genesis, since1.steps, {
    nowMs: T0 + 60_000,
    head: since1.head,
    trusted,
  });
  assert.equal(walked.ok && walked.world.version, 2);
  // Up to date: the one step is the client's own world, proven fresh by the head.
  const current = verifyWorldChain(view.ledger.genesis, since2.json().steps, {
    nowMs: T0 + 60_000,
    head: since2.json().head,
    trusted: full.steps[1].world,
  });
  assert.equal(current.ok && current.world.version, 2);
  const wrong = verifyWorldChain(view.ledger.genesis, since2.json().steps, { nowMs: T0, trusted });
  assert.equal(!wrong.ok && wrong.code, 'BROKEN_LINK');
  assert.deepEqual((await app.inject('/world/chain?since=3')).json(), { steps: [], head: null });
  for (const bad of ['0', '-1', '01', 'x'])
    assertProblem(await app.inject(`/world/chain?since=${bad}`), 400, 'HTTP_VALIDATION');
});

test('GET /world/chain reads the store once per published checkpoint, and never again for a finished world', async (t) => {
  const { app, view } = await fixture(t);
  const first = (await app.inject('/world/chain')).body;
  const reads = view.chainReads.total;
  assert.ok(reads > 0);
  for (let i = 0; i < 3; i++) assert.equal((await app.inject('/world/chain?since=1')).statusCode, 200);
  assert.equal((await app.inject('/world/chain')).body, first);
  assert.equal(view.chainReads.total, reads, 'the same checkpoint: no read');
  // A fresher cosignature of the same tree: a new answer, made without reading world 2's step
  // again (it is proven under the checkpoint of its own batch, which no longer changes).
  const size = view.store.size();
  await view.store.saveCheckpoint(size, await checkpoint(view.store, size, T0 / 1000 + 60));
  const fresher = (await app.inject('/world/chain')).json();
  assert.notEqual(fresher.head.checkpointNote, JSON.parse(first).head.checkpointNote);
  assert.deepEqual(fresher.steps[1], JSON.parse(first).steps[1]);
  const again = view.chainReads.total - reads;
  assert.ok(again > 0 && again < reads, `${again} reads for the fresher checkpoint, ${reads} at first`);
});

test('GET /members answers the members of the world in force', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/members');
  assert.equal(res.statusCode, 200);
  const { world } = view.state();
  assert.deepEqual(res.json(), wire({ version: world.version, members: world.members }));
  assertSchema(MembersResponse, res.json());
  assert.deepEqual(
    res.json().members.map((m: { name: string; status: string }) => `${m.name}:${m.status}`),
    ['m00:voting', 'm01:voting', 'm02:voting', 'm03:voting', 'n00:probation'],
  );
});

test('GET /motions lists open motions with words, diff, ballots with reasons and tally; decided ones with all of it', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const res = await app.inject('/motions');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assertSchema(MotionsResponse, body);
  assert.deepEqual(body, wire(await view.motions(DECIDED_MOTIONS_LISTED_MAX)));
  assert.equal(body.open.length, 1);
  const m = body.open[0]!;
  const state = view.state();
  assert.equal(m.id, open);
  assert.equal(m.shortId, open.slice(0, 8));
  assert.equal(m.status, 'open');
  assert.equal(m.summary, REMOVAL_SUMMARY);
  assert.deepEqual(m.changes, [{ type: 'remove', member: 'm03' }]);
  assert.equal(m.parent, state.worldHash);
  assert.deepEqual(m.against, { version: 2, hash: state.worldHash });
  const m03 = state.world.members.find((x) => x.name === 'm03')!;
  assert.deepEqual(m.diff, [
    {
      type: 'remove',
      member: 'm03',
      fields: [
        { field: 'organisation', old: m03.organisation, new: null },
        { field: 'jurisdiction', old: m03.jurisdiction, new: null },
        { field: 'status', old: 'voting', new: null },
        { field: 'nodeKey', old: m03.nodeKey, new: null },
        { field: 'governanceKey', old: m03.governanceKey, new: null },
        { field: 'endpoints.p2p', old: m03.endpoints.p2p, new: null },
        { field: 'endpoints.http', old: m03.endpoints.http, new: null },
      ],
    },
  ]);
  assert.deepEqual(Object.keys(m.ballots), ['m00']);
  assert.equal(m.ballots.m00!.reason, 'it said so itself');
  assert.equal(m.ballots.m00!.id, state.openMotions[0]!.ballots.m00!.id);
  // Four voting members: more than 3/4 of them cannot remove m03 even without it, so the
  // removal of one member takes every other voting member's yes (charter §7).
  assert.deepEqual(
    { ...m.tally, threshold: `${m.tally.threshold.num}/${m.tally.threshold.den}` },
    {
      yes: 1,
      no: 0,
      abstain: 0,
      voting: 3,
      eligible: 3,
      rule: 'removal-unanimous',
      threshold: '2/3',
      needed: 3,
      passes: false,
      notVoted: 2,
      seasonedOnly: false,
    },
  );
  assert.deepEqual(m.proposed, { index: view.index.statements.get(open)!.index, height: 2 });

  assert.equal(body.decided.length, 1);
  const d = body.decided[0]!;
  assert.equal(d.id, passed);
  assert.equal(d.shortId, passed.slice(0, 8));
  assert.deepEqual(
    [d.status, d.result, d.height, d.worldVersion, d.decidedMs, d.author, d.summary],
    ['decided', 'passed', 1, 2, T0, 'm00', ADMISSION_SUMMARY],
  );
  assert.equal(d.index, view.index.outcomes.get(passed)!.index);
  assert.deepEqual(d.against, { version: 1, hash: view.index.worlds[0]!.hash });
  assert.deepEqual(
    Object.entries(d.ballots).map(([name, b]) => `${name} ${b.choice}: ${b.reason}`),
    [
      'm03 no: too soon after the last admission',
      'm00 yes: m00: meets charter §3',
      'm01 yes: m01: meets charter §3',
      'm02 yes: m02: meets charter §3',
    ],
  );
  assert.deepEqual(
    [d.tally.yes, d.tally.no, d.tally.needed, d.tally.voting, d.tally.notVoted, d.tally.passes],
    [3, 1, 3, 4, 0, true],
  );
  const n00 = view.state().world.members.find((x) => x.name === 'n00')!;
  const [admission] = d.diff;
  assert.deepEqual([admission?.type, admission?.member], ['admit', 'n00']);
  assert.deepEqual(admission?.fields.slice(0, 3), [
    { field: 'organisation', old: null, new: n00.organisation },
    { field: 'jurisdiction', old: null, new: 'PT' },
    { field: 'status', old: null, new: 'probation' },
  ]);
});

test('a removal motion the rules opened on evidence, decided by expiry, keeps its author, change, times and world', async (t) => {
  const { app, view, open, convicted } = await fixture(t, { expiry: true });
  const res = await app.inject(`/motions/${convicted!.slice(0, 8)}`);
  assert.equal(res.statusCode, 200);
  const m = res.json();
  assertSchema(MotionResponse, m);
  const world3 = view.index.worlds[2]!;
  assert.deepEqual(
    [m.status, m.result, m.author, m.height, m.worldVersion, m.decidedMs],
    ['decided', 'expired', '#system', 4, 3, T0 + 15 * DAY_MS],
  );
  assert.equal(m.summary, undefined);
  assert.deepEqual(m.changes, [{ type: 'remove', member: 'm03' }]);
  assert.deepEqual([m.createdMs, m.deadlineMs], [T0 + 2000, T0 + 2000 + 14 * DAY_MS]);
  assert.deepEqual(m.proposed, { index: view.index.statements.get(convicted!)!.index, height: 3 });
  assert.deepEqual(m.against, { version: 3, hash: world3.hash });
  assert.deepEqual(m.diff[0].fields[2], { field: 'status', old: 'suspended', new: null });
  assert.deepEqual(m.ballots, {});
  // Suspended, m03 no longer votes: three voting members, none of them voted.
  assert.deepEqual([m.tally.voting, m.tally.eligible, m.tally.notVoted], [3, 3, 3]);
  assert.deepEqual(m, wire(await view.motion(convicted!)));
  const earlier = (await app.inject(`/motions/${open}`)).json();
  assert.deepEqual([earlier.result, earlier.height, earlier.summary], ['expired', 4, REMOVAL_SUMMARY]);
  assert.equal(earlier.ballots.m00.reason, 'it said so itself');
  const listed = (await app.inject('/motions')).json();
  assert.deepEqual(
    listed.decided.map((d: { id: string }) => d.id),
    view.index.decidedIds(10),
  );
  assert.equal(listed.open.length, 0);
});

test('GET /motions/:id answers by full or short id, open or decided; 404 unknown; 400 for a bad or too short id', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const openRes = await app.inject(`/motions/${open}`);
  assert.equal(openRes.statusCode, 200);
  assertSchema(MotionResponse, openRes.json());
  assert.deepEqual(openRes.json(), wire(await view.motion(open)));
  assert.equal(openRes.json().status, 'open');
  assert.equal(openRes.json().tally.needed, 3);
  assert.deepEqual((await app.inject(`/motions/${open.slice(0, 8)}`)).json(), openRes.json());
  const decided = await app.inject(`/motions/${passed.slice(0, 11)}`);
  assert.equal(decided.statusCode, 200);
  assertSchema(MotionResponse, decided.json());
  assert.deepEqual(decided.json(), wire(await view.motion(passed)));
  assert.deepEqual([decided.json().status, decided.json().result], ['decided', 'passed']);
  const unknown = await app.inject(`/motions/${'ef'.repeat(32)}`);
  assertProblem(unknown, 404, 'NOT_FOUND');
  assert.match(unknown.json().message, /GET \/statements\//);
  // A ballot's id is a statement, not a motion.
  const ballotId = view.state().openMotions[0]!.ballots.m00!.id;
  assertProblem(await app.inject(`/motions/${ballotId.slice(0, 10)}`), 404, 'NOT_FOUND');
  assertProblem(await app.inject('/motions/not-a-hash'), 400, 'HTTP_VALIDATION');
  assertProblem(await app.inject(`/motions/${open.slice(0, 7)}`), 400, 'HTTP_VALIDATION');
  assertProblem(await app.inject(`/motions/${open.slice(0, 8).toUpperCase()}`), 400, 'HTTP_VALIDATION');
});

test('a short id two statements share is ambiguous: 400 AMBIGUOUS_ID naming both; a longer one is unique', {
  timeout: 120_000,
}, async (t) => {
  const { app, view, twins } = await fixture(t, { ambiguous: true });
  const [a, b] = twins!;
  const prefix = a.slice(0, 8);
  for (const route of ['motions', 'statements']) {
    const res = await app.inject(`/${route}/${prefix}`);
    assert.equal(res.statusCode, 400);
    assertSchema(IdProblemSchema, res.json());
    assert.equal(res.json().code, 'AMBIGUOUS_ID');
    assert.deepEqual(res.json().candidates, [a, b].sort());
    assert.ok(res.json().message.includes(a) && res.json().message.includes(b), res.json().message);
  }
  const listed = (await app.inject('/motions')).json().open as { id: string; shortId: string }[];
  for (const id of [a, b]) {
    const { shortId } = listed.find((m) => m.id === id)!;
    assert.ok(shortId.length > 8 && id.startsWith(shortId), shortId);
    assert.equal(view.resolve(shortId, 'motion').kind, 'one');
    assert.equal((await app.inject(`/motions/${shortId}`)).json().id, id);
    assert.equal((await app.inject(`/statements/${shortId}`)).json().id, id);
  }
});

test('POST /statements takes a fresh statement (202), then answers it as known and pending', async (t) => {
  const { app, view, open } = await fixture(t);
  const signed = sign(ballot(FEDERATION, 'm02', open, 'no', T0 + 1000));
  const id = statementId(signed);
  const res = await app.inject({ method: 'POST', url: '/statements', payload: signed });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(res.json(), { id, status: 'pending' });
  assertSchema(SubmittedResponse, res.json());
  assert.ok(view.pool.has(id));
  const again = await app.inject({ method: 'POST', url: '/statements', payload: signed });
  assert.deepEqual([again.statusCode, again.json()], [202, { id, status: 'pending' }]);
  assert.equal(view.pool.size, 1);
});

test('POST /statements answers 422 with the rule for a rejected statement and changes nothing', async (t) => {
  const { app, view } = await fixture(t);
  const signed = sign(ballot(FEDERATION, 'm02', 'ab'.repeat(32), 'yes', T0 + 1000));
  const res = await app.inject({ method: 'POST', url: '/statements', payload: signed });
  assert.equal(res.statusCode, 422);
  const body = res.json();
  assertSchema(RejectionSchema, body);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'rule']);
  assert.equal(body.code, 'UNKNOWN_MOTION');
  assert.equal(body.rule, 'charter §6');
  assert.equal(view.pool.size, 0);
});

test('POST /statements answers a ballot on a decided motion with 409 MOTION_DECIDED and what happened', async (t) => {
  const { app, view, passed } = await fixture(t);
  const late = sign(ballot(FEDERATION, 'm03', passed, 'yes', T0 + 1000, 'changed my mind'));
  const res = await app.inject({ method: 'POST', url: '/statements', payload: late });
  assert.equal(res.statusCode, 409);
  const body = res.json();
  assertSchema(MotionDecidedSchema, body);
  assert.equal(body.code, 'MOTION_DECIDED');
  assert.equal(body.rule, 'charter §6');
  assert.deepEqual(body.outcome, wire(view.outcome(passed)));
  assert.deepEqual([body.outcome.result, body.outcome.height, body.outcome.worldVersion], ['passed', 1, 2]);
  assert.match(body.message, /already decided: passed at height 1, world v2; ballots on it no longer count/);
  assert.equal(view.pool.size, 0);
});

test('POST /statements answers 400 for a malformed statement and 503 when the pool is full', async (t) => {
  const { app, view, open } = await fixture(t);
  const signed = sign(ballot(FEDERATION, 'm02', open, 'yes', T0 + 1000));
  const malformed = await app.inject({
    method: 'POST',
    url: '/statements',
    payload: { ...signed, statement: { ...signed.statement, extra: 1 } },
  });
  assertProblem(malformed, 400, 'MALFORMED_STATEMENT');
  assertProblem(
    await app.inject({ method: 'POST', url: '/statements', payload: { statement: {} } }),
    400,
    'HTTP_VALIDATION',
  );
  assert.equal(view.pool.size, 0);
  const first = sign(ballot(FEDERATION, 'm02', open, 'no', T0 + 1000));
  assert.equal((await app.inject({ method: 'POST', url: '/statements', payload: first })).statusCode, 202);
  const second = sign(ballot(FEDERATION, 'm01', open, 'yes', T0 + 1000));
  assertProblem(await app.inject({ method: 'POST', url: '/statements', payload: second }), 503, 'POOL_FULL');
  assert.equal(view.pool.size, POOL_CAPACITY);
});

test('POST /statements checks the author and its signature before anything reaches the root', async (t) => {
  const { app, view, open } = await fixture(t);
  const good = sign(ballot(FEDERATION, 'm02', open, 'yes', T0 + 1000));
  const stranger = { ...good, statement: { ...good.statement, author: 'stranger' } };
  const forged = { ...good, statement: { ...good.statement, choice: 'no' } };
  for (const [payload, code] of [
    [stranger, 'UNKNOWN_AUTHOR'],
    [forged, 'BAD_SIGNATURE'],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/statements', payload });
    assert.equal(res.statusCode, 422);
    assert.deepEqual([res.json().code, res.json().rule], [code, 'charter §2']);
  }
  assert.equal(view.submitted, 0, 'the root never saw them');
  view.authorFull = true;
  const full = await app.inject({ method: 'POST', url: '/statements', payload: good });
  assert.equal(full.statusCode, 429);
  assert.equal(full.json().code, 'POOL_AUTHOR_FULL');
  assertSchema(RejectionSchema, full.json());
  assert.equal(view.submitted, 1);
});

test('GET /statements/:id answers committed (with index and height) and pending, by full or short id; 404 and 400', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const committed = await app.inject(`/statements/${passed}`);
  assert.equal(committed.statusCode, 200);
  assert.deepEqual(committed.json(), wire(view.statementStatus(passed)));
  assertSchema(StatementStatusResponse, committed.json());
  assert.deepEqual(Object.keys(committed.json()).sort(), ['height', 'id', 'index', 'status']);
  assert.equal(committed.json().height, 1);
  assert.deepEqual((await app.inject(`/statements/${passed.slice(0, 8)}`)).json(), committed.json());
  const signed = sign(ballot(FEDERATION, 'm02', open, 'yes', T0 + 1000));
  await app.inject({ method: 'POST', url: '/statements', payload: signed });
  const pendingId = statementId(signed);
  for (const id of [pendingId, pendingId.slice(0, 9)]) {
    const pending = await app.inject(`/statements/${id}`);
    assert.deepEqual([pending.statusCode, pending.json()], [200, { id: pendingId, status: 'pending' }]);
  }
  assertProblem(await app.inject(`/statements/${'01'.repeat(32)}`), 404, 'NOT_FOUND');
  assertProblem(await app.inject(`/statements/${'01'.repeat(4)}`), 404, 'NOT_FOUND');
  assertProblem(await app.inject('/statements/XYZ'), 400, 'HTTP_VALIDATION');
  assertProblem(await app.inject('/statements/0123456'), 400, 'HTTP_VALIDATION');
});

test('GET /statements/:id?wait= answers a pending statement once it leaves the pool, a decided one at once; wait is validated', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const atOnce = await app.inject(`/statements/${passed}?wait=5000`);
  assert.equal(atOnce.json().status, 'committed');
  assert.equal(view.changes.waiting, 0);
  const signed = sign(ballot(FEDERATION, 'm02', open, 'yes', T0 + 1000));
  await app.inject({ method: 'POST', url: '/statements', payload: signed });
  const id = statementId(signed);
  const started = performance.now();
  const waiting = app.inject(`/statements/${id}?wait=5000`);
  while (view.changes.waiting === 0) await new Promise((r) => setTimeout(r, 5));
  view.changes.notify(); // a commit without it: still pending, it waits on
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(view.changes.waiting, 1);
  view.pool.delete(id); // gone from the pool (a root that dropped it): answered now
  view.changes.notify();
  assertProblem(await waiting, 404, 'NOT_FOUND');
  assert.ok(performance.now() - started < 4000, 'answered at the change');
  // Nothing changes: answered pending when the wait ends.
  await app.inject({ method: 'POST', url: '/statements', payload: signed });
  const t0 = performance.now();
  assert.equal((await app.inject(`/statements/${id}?wait=100`)).json().status, 'pending');
  assert.ok(performance.now() - t0 >= 95);
  for (const bad of ['-1', '01', 'x', '1e3', '1000000'])
    assertProblem(await app.inject(`/statements/${id}?wait=${bad}`), 400, 'HTTP_VALIDATION');
});

test("GET /status answers the root's status exactly as the view gives it", async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/status');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), wire(view.status()));
  assertSchema(StatusResponse, res.json());
  assert.equal(res.json().timeMs, T0 + 0.5);
});

test('GET /consensus/decisions answers decisions with their certificates, caps the limit, refuses bad queries', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/consensus/decisions?from=1&limit=5');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { decisions: wire([decisionAt(1), decisionAt(2)]) });
  assertSchema(DecisionsResponse, res.json());
  assert.equal(res.json().decisions[0].certificate.length, 3);
  await app.inject('/consensus/decisions?from=2');
  await app.inject('/consensus/decisions?from=1&limit=999');
  assert.deepEqual(view.decisionCalls, [
    [1, 5],
    [2, 16],
    [1, DECISIONS_PER_REQUEST_MAX],
  ]);
  assertProblem(await app.inject('/consensus/decisions?from=0'), 400, 'HTTP_VALIDATION');
  assertProblem(await app.inject('/consensus/decisions'), 400, 'HTTP_VALIDATION');
  assertProblem(await app.inject('/consensus/decisions?from=1&limit=1000'), 400, 'HTTP_VALIDATION');
  assert.equal(view.decisionCalls.length, 3);
});

test('GET /evidence answers the equivocation the root has seen, both kinds', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/evidence');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { evidence: wire(view.evidence()) });
  assertSchema(EvidenceResponse, res.json());
  assert.deepEqual(
    res.json().evidence.map((e: Evidence) => e.type),
    ['votes', 'checkpoints'],
  );
});
