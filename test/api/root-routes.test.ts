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
  rootRoutes,
} from '../../src/api/root-routes.ts';
import {
  DecisionsResponse,
  EvidenceResponse,
  MembersResponse,
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
  DecisionRecord,
  MotionOutcome,
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
} from '../../src/governance/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { LedgerIndex } from '../../src/node/ledger-index.ts';
import { worldChain } from '../../src/node/world-chain.ts';
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

/** Small, so that a second fresh statement finds the pool full. */
const POOL_CAPACITY = 1;
const PROBLEM_KEYS = ['code', 'message'];

/** A view over a TestLedger: what a root answers, computed from real governance state. */
class LedgerView implements RootView {
  readonly ledger: TestLedger;
  readonly index = new LedgerIndex();
  readonly store: LedgerStore;
  readonly pool = new Map<string, SignedStatement>();
  readonly decisionCalls: [number, number][] = [];
  readonly found: Evidence[] = [];
  stateOverride: GovernanceState | undefined;
  /** Statements that reached submit(), and whether the author's share of the pool is full. */
  submitted = 0;
  authorFull = false;

  constructor(ledger: TestLedger, store: LedgerStore) {
    this.ledger = ledger;
    this.store = store;
    this.index.add(0, encodeEntry({ kind: 'genesis', genesis: ledger.genesis }));
    for (const [i, e] of ledger.entries.entries()) this.index.add(i + 1, e);
  }

  state(): GovernanceState {
    return this.stateOverride ?? this.ledger.state;
  }

  async worldChain(): Promise<WorldChain> {
    return { genesis: this.ledger.genesis, ...(await worldChain(this.store, this.index)) };
  }

  outcome(id: string): MotionOutcome | undefined {
    return this.index.outcome(id);
  }

  decidedMotions(limit: number): MotionOutcome[] {
    return this.index.decidedMotions(limit);
  }

  submit(signed: SignedStatement): SubmitResult {
    this.submitted++;
    const id = statementId(signed);
    if (this.authorFull) {
      return {
        id,
        rejection: { code: 'POOL_AUTHOR_FULL', message: 'wait for some to commit' },
        known: false,
      };
    }
    if (this.index.statements.has(id) || this.pool.has(id)) return { id, rejection: null, known: true };
    const rejection = checkStatement(this.state(), signed, { timeMs: this.ledger.timeMs });
    if (rejection !== null) return { id, rejection, known: false };
    if (this.pool.size >= POOL_CAPACITY) {
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
      relay: { reservations: 2, circuits: 1, relayedBytes: 4096 },
      rendezvous: { registrations: 3 },
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
};

/**
 * Height 1: m00 moves to admit n00 and three of four vote yes (it passes: world 2). Height 2:
 * m01 moves to remove m03, m00 votes yes (still open). The ledger holds every entry, with a
 * checkpoint over all of them cosigned by three members.
 */
async function fixture(t: TestContext): Promise<Fixture> {
  const ledger = new TestLedger(makeGenesis(4));
  const admission = sign(motion(ledger.state, 'm00', [admit('n00', 'PT')], T0));
  const passed = statementId(admission);
  const yes = ['m00', 'm01', 'm02'].map((m) => sign(ballot(FEDERATION, m, passed, 'yes', T0)));
  assert.deepEqual(ledger.run([admission, ...yes], T0).rejected, []);
  assert.equal(ledger.state.world.version, 2);
  const removal = sign(motion(ledger.state, 'm01', [{ type: 'remove', member: 'm03' }], T0 + 1000));
  const open = statementId(removal);
  const first = sign(ballot(FEDERATION, 'm00', open, 'yes', T0 + 1000));
  assert.deepEqual(ledger.run([removal, first], T0 + 1000).rejected, []);

  const dir = mkdtempSync(join(tmpdir(), 'witan-root-routes-'));
  const origin = ledgerOrigin(ledger.genesis.world);
  const store = await LedgerStore.open(dir, { origin });
  await store.append([encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries]);
  const size = store.size();
  const text = formatCheckpoint({ origin, size, rootHash: await store.rootAt(size), extensions: [] });
  const signers = [
    ed25519NoteSigner(origin, keysFor('m00').node.secretKey),
    ...['m00', 'm01', 'm02'].map((m) => cosignatureSigner(m, keysFor(m).node.secretKey, T0 / 1000 + 2)),
  ];
  await store.saveCheckpoint(size, signNote(text, signers));

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
  return { app, view, passed, open };
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

test('GET /world answers the world in force with its version and hash', async (t) => {
  const { app, view } = await fixture(t);
  const res = await app.inject('/world');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  const { world, worldHash } = view.state();
  assert.deepEqual(res.json(), wire({ version: 2, hash: worldHash, world }));
  assertSchema(WorldResponse, res.json());
});

test('GET /world makes its JSON once per world: the same hash is served from cache, a new world anew', async (t) => {
  const { app, view } = await fixture(t);
  const first = (await app.inject('/world')).body;
  // Same world hash, different object: the cached body is served, not a new serialization.
  const real = view.state();
  view.stateOverride = { ...real, world: { ...real.world, version: 99 } };
  assert.equal((await app.inject('/world')).body, first);
  // A new world hash makes a new body.
  view.stateOverride = { ...real, world: { ...real.world, version: 99 }, worldHash: 'cd'.repeat(32) };
  const changed = (await app.inject('/world')).json();
  assert.equal(changed.version, 99);
  assert.equal(changed.hash, 'cd'.repeat(32));
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

test('GET /motions lists open motions with their tallies and decided ones, newest first', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const res = await app.inject('/motions');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assertSchema(MotionsResponse, body);
  assert.equal(body.open.length, 1);
  const m = body.open[0];
  assert.equal(m.id, open);
  assert.equal(m.status, 'open');
  assert.deepEqual(m.changes, [{ type: 'remove', member: 'm03' }]);
  assert.deepEqual(Object.keys(m.ballots), ['m00']);
  assert.equal(m.tally.yes, 1);
  assert.equal(m.tally.passes, false);
  const state = view.state();
  assert.deepEqual(m, wire({ ...state.openMotions[0], status: 'open', tally: m.tally }));
  assert.deepEqual(body.decided, wire(view.decidedMotions(DECIDED_MOTIONS_LISTED_MAX)));
  assert.deepEqual(body.decided, [{ id: passed, result: 'passed', index: body.decided[0].index, height: 1 }]);
});

test('GET /motions/:id answers an open motion, a decided one, 404 for an unknown id and 400 for a bad id', async (t) => {
  const { app, passed, open } = await fixture(t);
  const openRes = await app.inject(`/motions/${open}`);
  assert.equal(openRes.statusCode, 200);
  assertSchema(MotionResponse, openRes.json());
  assert.equal(openRes.json().status, 'open');
  assert.equal(openRes.json().tally.needed, 3);
  const decided = await app.inject(`/motions/${passed}`);
  assert.equal(decided.statusCode, 200);
  assert.deepEqual(Object.keys(decided.json()).sort(), ['height', 'id', 'index', 'result', 'status']);
  assertSchema(MotionResponse, decided.json());
  assert.equal(decided.json().status, 'decided');
  assert.equal(decided.json().result, 'passed');
  const unknown = await app.inject(`/motions/${'ef'.repeat(32)}`);
  assertProblem(unknown, 404, 'NOT_FOUND');
  assert.match(unknown.json().message, /GET \/statements\//);
  assertProblem(await app.inject('/motions/not-a-hash'), 400, 'HTTP_VALIDATION');
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

test('GET /statements/:id answers committed (with index and height), pending, 404 and 400', async (t) => {
  const { app, view, passed, open } = await fixture(t);
  const committed = await app.inject(`/statements/${passed}`);
  assert.equal(committed.statusCode, 200);
  assert.deepEqual(committed.json(), wire(view.statementStatus(passed)));
  assertSchema(StatementStatusResponse, committed.json());
  assert.deepEqual(Object.keys(committed.json()).sort(), ['height', 'id', 'index', 'status']);
  assert.equal(committed.json().height, 1);
  const signed = sign(ballot(FEDERATION, 'm02', open, 'yes', T0 + 1000));
  await app.inject({ method: 'POST', url: '/statements', payload: signed });
  const pending = await app.inject(`/statements/${statementId(signed)}`);
  assert.deepEqual(
    [pending.statusCode, pending.json()],
    [200, { id: statementId(signed), status: 'pending' }],
  );
  assertProblem(await app.inject(`/statements/${'01'.repeat(32)}`), 404, 'NOT_FOUND');
  assertProblem(await app.inject('/statements/XYZ'), 400, 'HTTP_VALIDATION');
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
