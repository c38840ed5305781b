// rootRoutes through fastify.inject() against a RootView built from real governance state: a
// real genesis, batches of real signed statements executed by the rules engine, a real ledger
// index and a LevelDB ledger with a cosigned checkpoint for the world chain. Every route:
// success bodies equal what the view returned (so no response schema drops a field), 404s,
// 400/422/503 bodies, and the world JSON made once per world.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import {
  DECIDED_MOTIONS_LISTED_MAX,
  DECISIONS_PER_REQUEST_MAX,
  etagMatches,
  rootRoutes,
} from '../../src/api/root-routes.ts';
import {
  DecisionsResponse,
  EvidenceResponse,
  IdProblemSchema,
  MembersResponse,
  MotionDecidedSchema,
  MotionResponse,
  MotionsResponse,
  ProblemSchema,
  RejectionSchema,
  StatementStatusResponse,
  StatusResponse,
  SubmittedResponse,
  WorldChainResponse,
  WorldResponse,
} from '../../src/api/root-schemas.ts';
import type {
  DecidedMotionView,
  DecisionRecord,
  IdMatch,
  MotionOutcome,
  MotionView,
  OpenMotionView,
  RootStatus,
  RootView,
  StatementStatus,
  SubmitResult,
  WorldChain,
} from '../../src/api/root-view.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { toBase64, toHex } from '../../src/codec/index.ts';
import { nodeKeySigner } from '../../src/consensus/index.ts';
import { cosignatureSigner, ed25519NoteSigner, sha256, signNote } from '../../src/crypto/index.ts';
import {
  ballot,
  checkStatement,
  type Evidence,
  encodeEntry,
  type GovernanceState,
  ledgerOrigin,
  motion,
  type SignedStatement,
  verifyWorldChain,
} from '../../src/governance/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { LedgerIndex } from '../../src/node/ledger-index.ts';
import { MotionViews } from '../../src/node/motion-views.ts';
import { IdSpace } from '../../src/node/short-ids.ts';
import { type ChainStore, WorldChainCache } from '../../src/node/world-chain.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';
import { collidingMotions } from '../governance/id-collision.ts';

/** Small, so that a second fresh statement finds the pool full. */
const POOL_CAPACITY = 1;
const PROBLEM_KEYS = ['code', 'message'];

/** Store reads the world chain made: each counted, so a test sees what the cache saves. */
function countingStore(store: LedgerStore, reads: { count: number }): ChainStore {
  return {
    checkpointNote: async (size?: number) => {
      if (size !== undefined) reads.count++;
      return store.checkpointNote(size);
    },
    entry: async (index: number) => {
      reads.count++;
      return store.entry(index);
    },
    inclusionProof: async (index: number, size: number) => {
      reads.count++;
      return store.inclusionProof(index, size);
    },
  };
}

/**
 * A view over a TestLedger: what a root answers, computed from real governance state by the
 * root's own parts (ledger index, motion views, short ids, the world chain cache).
 */
class LedgerView implements RootView {
  readonly ledger: TestLedger;
  readonly index = new LedgerIndex();
  readonly store: LedgerStore;
  readonly pool = new Map<string, SignedStatement>();
  readonly decisionCalls: [number, number][] = [];
  readonly found: Evidence[] = [];
  readonly chainReads = { count: 0 };
  readonly chain: WorldChainCache;
  readonly views: MotionViews;
  poolCapacity = POOL_CAPACITY;
  stateOverride: GovernanceState | undefined;

  constructor(ledger: TestLedger, store: LedgerStore) {
    this.ledger = ledger;
    this.store = store;
    this.index.add(0, encodeEntry({ kind: 'genesis', genesis: ledger.genesis }));
    for (const [i, e] of ledger.entries.entries()) this.index.add(i + 1, e);
    this.chain = new WorldChainCache(countingStore(store, this.chainReads), this.index);
    this.views = new MotionViews(this.index, store);
  }

  state(): GovernanceState {
    return this.stateOverride ?? this.ledger.state;
  }

  async worldChain(): Promise<WorldChain> {
    return { genesis: this.ledger.genesis, ...(await this.chain.chain()) };
  }

  outcome(id: string): MotionOutcome | undefined {
    return this.index.outcome(id);
  }

  ids(): IdSpace {
    const pending = [...this.pool].map(([id, s]) => ({ id, kind: s.statement.kind }));
    return new IdSpace(this.index, pending);
  }

  motion(id: string): Promise<MotionView | undefined> {
    const ids = this.ids();
    return this.views.motion(this.state(), id, (x) => ids.shortId(x));
  }

  async motions(limit: number): Promise<{ open: OpenMotionView[]; decided: DecidedMotionView[] }> {
    const ids = this.ids();
    const shortId = (x: string) => ids.shortId(x);
    return {
      open: await this.views.open(this.state(), shortId),
      decided: await this.views.decided(this.index.decidedIds(limit), shortId),
    };
  }

  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch {
    return this.ids().resolve(prefix, what);
  }

  submit(signed: SignedStatement): SubmitResult {
    const id = statementId(signed);
    if (this.index.statements.has(id) || this.pool.has(id)) return { id, rejection: null, known: true };
    const rejection = checkStatement(this.state(), signed, { timeMs: this.ledger.timeMs });
    if (rejection !== null) return { id, rejection, known: false };
    if (this.pool.size >= this.poolCapacity) {
      return { id, rejection: { code: 'POOL_FULL', message: 'too many pending statements' }, known: false };
    }
    this.pool.set(id, signed);
    return { id, rejection: null, known: false };
  }
  statementStatus(id: string): StatementStatus {
    const committed = this.index.statements.get(id);
    if (committed !== undefined) return { id, status: 'committed', ...committed };
    return this.pool.has(id) ? { id, status: 'pending' } : { id, status: 'unknown' };
  }

  status(): RootStatus {
    const s = this.state();
    return {
      member: 'm00',
      federation: s.world.federation,
      worldVersion: s.world.version,
      height: s.height,
      consensus: { height: s.height + 1, round: 2, step: 'prevote', active: true },
      ledger: { size: this.ledger.entries.length + 1, checkpointCosigners: ['m00', 'm01', 'm02'] },
      pending: this.pool.size,
      peerId: '12D3KooWRootRoutesTest',
      addrs: ['/ip4/127.0.0.1/tcp/4001'],
      peers: [],
      lastCommit: { height: s.height, size: this.ledger.entries.length + 1, timeMs: s.timeMs, atMs: T0 + 5 },
      timeMs: T0 + 0.5,
    };
  }

  async decisions(from: number, limit: number): Promise<DecisionRecord[]> {
    this.decisionCalls.push([from, limit]);
    const out: DecisionRecord[] = [];
    for (let h = from; h < from + limit && h <= this.ledger.state.height; h++) out.push(decisionAt(h));
    return out;
  }

  evidence(): readonly Evidence[] {
    return this.found;
  }
}

/** A decision as a root records it: the value and a certificate of three signed precommits. */
function decisionAt(height: number): DecisionRecord {
  const value = new TextEncoder().encode(`batch ${height}`);
  const valueId = toHex(sha256(value));
  const certificate = ['m00', 'm01', 'm02'].map((name) =>
    nodeKeySigner(keysFor(name).node.secretKey).vote({
      federation: FEDERATION,
      height,
      round: 0,
      type: 'precommit',
      valueId,
      validator: toBase64(keysFor(name).node.publicKey),
    }),
  );
  return { height, round: 0, valueId, value: toBase64(value), certificate };
}

function conflictingVotes(): Evidence {
  const vote = (valueId: string) =>
    nodeKeySigner(keysFor('m03').node.secretKey).vote({
      federation: FEDERATION,
      height: 2,
      round: 0,
      type: 'prevote',
      valueId,
      validator: toBase64(keysFor('m03').node.publicKey),
    });
  return { type: 'votes', first: vote('aa'.repeat(32)), second: vote('bb'.repeat(32)) };
}

type Fixture = {
  app: FastifyInstance;
  view: LedgerView;
  /** Passed at height 1: admits n00 (world 2). */
  passed: string;
  /** Open at height 2: removes m03, one yes so far. */
  open: string;
  /** With `ambiguous`: two motions moved at height 3 whose ids share their first 8 hex digits. */
  twins: [string, string] | undefined;
};

const ADMISSION_SUMMARY = 'admit n00: a university network in PT';
const REMOVAL_SUMMARY = 'm03 has left the consortium';

/** The two motions whose ids share a short id: a search of a few seconds, made once for the file. */
let twinsFound: Promise<[SignedStatement, SignedStatement]> | undefined;
function twinMotions(state: GovernanceState): Promise<[SignedStatement, SignedStatement]> {
  const template = motion(
    state,
    'm02',
    [{ type: 'update-member', member: 'm02', organisation: 'Org m02 renamed' }],
    T0 + 2000,
  );
  twinsFound ??= collidingMotions(template, keysFor('m02').gov.secretKey);
  return twinsFound;
}

/**
 * Height 1: m00 moves to admit n00; m03 votes no, then three of four vote yes, each with a
 * reason (it passes: world 2). Height 2: m01 moves to remove m03, m00 votes yes (still open).
 * With `ambiguous`, height 3: m02 moves two motions whose ids share their first 8 hex digits.
 * The ledger holds every entry, with a checkpoint after height 1 and one over all of them,
 * each cosigned by three members.
 */
async function fixture(t: TestContext, o: { ambiguous?: boolean } = {}): Promise<Fixture> {
  const ledger = new TestLedger(makeGenesis(4));
  const admission = sign(
    motion(ledger.state, 'm00', [admit('n00', 'PT')], T0, { summary: ADMISSION_SUMMARY }),
  );
  const passed = statementId(admission);
  const no = sign(ballot(FEDERATION, 'm03', passed, 'no', T0, 'too soon after the last admission'));
  const yes = ['m00', 'm01', 'm02'].map((m) =>
    sign(ballot(FEDERATION, m, passed, 'yes', T0, `${m}: meets charter §3`)),
  );
  assert.deepEqual(ledger.run([admission, no, ...yes], T0).rejected, []);
  assert.equal(ledger.state.world.version, 2);
  const afterFirst = ledger.entries.length + 1;
  const removal = sign(
    motion(ledger.state, 'm01', [{ type: 'remove', member: 'm03' }], T0 + 1000, { summary: REMOVAL_SUMMARY }),
  );
  const open = statementId(removal);
  const first = sign(ballot(FEDERATION, 'm00', open, 'yes', T0 + 1000, 'it said so itself'));
  assert.deepEqual(ledger.run([removal, first], T0 + 1000).rejected, []);
  let twins: [string, string] | undefined;
  if (o.ambiguous) {
    const pair = await twinMotions(ledger.state);
    assert.deepEqual(ledger.run(pair, T0 + 2000).rejected, []);
    twins = [statementId(pair[0]), statementId(pair[1])];
  }

  const dir = mkdtempSync(join(tmpdir(), 'witan-root-routes-'));
  const origin = ledgerOrigin(ledger.genesis.world);
  const store = await LedgerStore.open(dir, { origin });
  await store.append([encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries]);
  for (const size of [afterFirst, store.size()])
    await store.saveCheckpoint(size, await checkpoint(store, size));

  const view = new LedgerView(ledger, store);
  view.found.push(conflictingVotes(), {
    type: 'checkpoints',
    member: 'm02',
    first: 'note one\n',
    second: 'note two\n',
  });
  const app = await buildApiServer({
    bodyBytesMax: 256 * 1024,
    requestsPerMinute: 100_000,
    requestTimeoutMs: 5000,
    eventLoopDelayMaxMs: 5000,
    docs: true,
  });
  await app.register(rootRoutes, { view });
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, view, passed, open, twins };
}

/** A checkpoint of the first `size` entries: m00's log signature, m00–m02 cosigning at `timeS`. */
async function checkpoint(store: LedgerStore, size: number, timeS = T0 / 1000 + 2): Promise<string> {
  const origin = store.origin;
  const text = formatCheckpoint({ origin, size, rootHash: await store.rootAt(size), extensions: [] });
  return signNote(text, [
    ed25519NoteSigner(origin, keysFor('m00').node.secretKey),
    ...['m00', 'm01', 'm02'].map((m) => cosignatureSigner(m, keysFor(m).node.secretKey, timeS)),
  ]);
}

/** JSON as it crosses the wire: what a client parses from the view's own answer. */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** The body keeps the route's documented schema (root-schemas.ts). */
function assertSchema(schema: TSchema, body: unknown): void {
  const errors = [...Value.Errors(schema, body)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, []);
}

function assertProblem(res: { statusCode: number; json(): unknown }, status: number, code: string): void {
  assert.equal(res.statusCode, status);
  const body = res.json() as Record<string, unknown>;
  assertSchema(ProblemSchema, body);
  assert.deepEqual(Object.keys(body).sort(), PROBLEM_KEYS);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
}

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
  const reads = view.chainReads.count;
  assert.ok(reads > 0);
  for (let i = 0; i < 3; i++) assert.equal((await app.inject('/world/chain?since=1')).statusCode, 200);
  assert.equal((await app.inject('/world/chain')).body, first);
  assert.equal(view.chainReads.count, reads, 'the same checkpoint: no read');
  // A fresher cosignature of the same tree: a new answer, made without reading world 2's step
  // again (it is proven under the checkpoint of its own batch, which no longer changes).
  const size = view.store.size();
  await view.store.saveCheckpoint(size, await checkpoint(view.store, size, T0 / 1000 + 60));
  const fresher = (await app.inject('/world/chain')).json();
  assert.notEqual(fresher.head.checkpointNote, JSON.parse(first).head.checkpointNote);
  assert.deepEqual(fresher.steps[1], JSON.parse(first).steps[1]);
  const again = view.chainReads.count - reads;
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
  // Four voting members; m03 cannot vote on its own removal but stays in the denominator.
  assert.deepEqual(
    { ...m.tally, threshold: `${m.tally.threshold.num}/${m.tally.threshold.den}` },
    {
      yes: 1,
      no: 0,
      abstain: 0,
      voting: 4,
      eligible: 3,
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

test('every root route declares a response schema for its success status', async (t) => {
  const { app } = await fixture(t);
  await app.ready();
  const paths = (await app.inject('/docs/json')).json().paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: unknown }> }>
  >;
  const routes = [
    ['/world', 'get', '200'],
    ['/world/chain', 'get', '200'],
    ['/members', 'get', '200'],
    ['/motions', 'get', '200'],
    ['/motions/{id}', 'get', '200'],
    ['/statements', 'post', '202'],
    ['/statements/{id}', 'get', '200'],
    ['/status', 'get', '200'],
    ['/consensus/decisions', 'get', '200'],
    ['/evidence', 'get', '200'],
  ] as const;
  for (const [path, method, status] of routes) {
    assert.ok(paths[path]?.[method]?.responses[status]?.content, `${method} ${path} ${status}`);
  }
  assert.equal(Object.keys(paths).filter((p) => !p.startsWith('/docs')).length, routes.length);
});
