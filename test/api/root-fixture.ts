// The root's routes over a real ledger, for the route tests (root-routes.test.ts) and the
// OpenAPI test: a RootView built from real governance state — a real genesis, batches of real
// signed statements executed by the rules engine, the root's own ledger index, motion views,
// short ids and world chain cache over a LevelDB ledger with cosigned checkpoints.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ChangeSignal } from '../../src/api/change-signal.ts';
import { publicRoutes } from '../../src/api/public-routes.ts';
import { rootRoutes } from '../../src/api/root-routes.ts';
import { ProblemSchema } from '../../src/api/root-schemas.ts';
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
  evidence,
  type GovernanceState,
  ledgerOrigin,
  motion,
  type SignedRecovery,
  type SignedStatement,
} from '../../src/governance/index.ts';
import { formatCheckpoint } from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { LedgerIndex } from '../../src/node/ledger-index.ts';
import { MotionViews } from '../../src/node/motion-views.ts';
import { RecoveryDesk } from '../../src/node/recovery-desk.ts';
import { WorldChainCache } from '../../src/node/world-chain.ts';
import {
  admit,
  DAY_MS,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';
import { collidingMotions } from '../governance/id-collision.ts';
import { type ChainReads, countingChainStore } from '../node/fixtures/chain-reads.ts';

/** Small, so that a second fresh statement finds the pool full. */
export const POOL_CAPACITY = 1;
const PROBLEM_KEYS = ['code', 'message'];

/**
 * A view over a TestLedger: what a root answers, computed from real governance state by the
 * root's own parts (ledger index, motion views, short ids, the world chain cache).
 */
export class LedgerView implements RootView {
  readonly ledger: TestLedger;
  readonly index = new LedgerIndex();
  readonly store: LedgerStore;
  readonly pool = new Map<string, SignedStatement>();
  readonly decisionCalls: [number, number][] = [];
  readonly found: Evidence[] = [];
  readonly chainReads: ChainReads;
  readonly chain: WorldChainCache;
  readonly views: MotionViews;
  poolCapacity = POOL_CAPACITY;
  stateOverride: GovernanceState | undefined;
  /** Statements that reached submit(), and whether the author's share of the pool is full. */
  submitted = 0;
  authorFull = false;
  /** Wakes GET /statements/<id>?wait= (a root notifies it after each commit). */
  readonly changes = new ChangeSignal(5_000);

  constructor(ledger: TestLedger, store: LedgerStore) {
    this.ledger = ledger;
    this.store = store;
    this.index.add(0, encodeEntry({ kind: 'genesis', genesis: ledger.genesis }));
    for (const [i, e] of ledger.entries.entries()) this.index.add(i + 1, e);
    const counted = countingChainStore(store);
    this.chainReads = counted.reads;
    this.chain = new WorldChainCache(counted.store, this.index);
    this.views = new MotionViews(this.index, store, () =>
      [...this.pool].map(([id, signed]) => ({ id, kind: signed.statement.kind })),
    );
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

  motion(id: string): Promise<MotionView | undefined> {
    return this.views.motion(this.state(), id);
  }

  motions(limit: number): Promise<{ open: OpenMotionView[]; decided: DecidedMotionView[] }> {
    return this.views.motions(this.state(), limit);
  }

  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch {
    return this.views.resolve(prefix, what);
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
      relay: { reservations: 2, circuits: 1, relayedBytes: 4096 },
      rendezvous: { registrations: 3 },
      timeMs: T0 + 0.5,
      version: '0.1.0',
      health: {
        verdict: 'degraded',
        ready: true,
        reasons: [{ code: 'ROUNDS_CLIMBING', message: 'round 3 at the current height' }],
      },
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
export function decisionAt(height: number): DecisionRecord {
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

export function conflictingVotes(): Evidence {
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

export type Fixture = {
  app: FastifyInstance;
  view: LedgerView;
  /** Passed at height 1: admits n00 (world 2). */
  passed: string;
  /** Open at height 2: removes m03, one yes so far. */
  open: string;
  /** With `ambiguous`: two motions moved at height 3 whose ids share their first 8 hex digits. */
  twins: [string, string] | undefined;
  /** With `expiry`: the evidence (height 3) whose removal motion expired at height 4. */
  convicted: string | undefined;
};

export const ADMISSION_SUMMARY = 'admit n00: a university network in PT';
export const REMOVAL_SUMMARY = 'm03 has left the consortium';

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
 * With `expiry`, height 3: m00 shows m03's double prevote (m03 suspended, world 3, a removal
 * motion opened by the rules); height 4, fifteen days on: both removal motions expire.
 * The ledger holds every entry, with a checkpoint after height 1 and one over all of them,
 * each cosigned by three members.
 */
export async function fixture(
  t: TestContext,
  o: { ambiguous?: boolean; expiry?: boolean; routes?: 'root' | 'public' } = {},
): Promise<Fixture> {
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
  let convicted: string | undefined;
  if (o.expiry) {
    const shown = sign(evidence(FEDERATION, 'm00', conflictingVotes(), T0 + 2000));
    assert.deepEqual(ledger.run([shown], T0 + 2000).rejected, []);
    assert.deepEqual(ledger.run([], T0 + 15 * DAY_MS).rejected, []);
    assert.equal(ledger.state.openMotions.length, 0);
    convicted = statementId(shown);
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
  if (o.routes === 'public') {
    const health = () => ({ ok: true, detail: { height: ledger.state.height, size: store.size() } });
    const ready = () => view.status().health;
    const desk = recoveryDeskOf(ledger, store);
    const recovery = { recovery: () => desk.status(), submitRecovery: (s: SignedRecovery) => desk.submit(s) };
    await app.register(publicRoutes, {
      health,
      ready,
      tlog: { store, checkpointRefreshMs: 0 },
      view,
      recovery,
      // A federation without a federation key: no key, no ceremony, no signed world.
      federation: {
        federation: () => ({ key: null, ceremony: null, pendingWorlds: [], faults: [] }),
        signedWorld: () => undefined,
        signedWorldNotes: () => [],
        zeroTierFile: () => ({ inForce: undefined, newestWorld: 0 }),
      },
    });
  } else await app.register(rootRoutes, { view });
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, view, passed, open, twins, convicted };
}

/** A checkpoint of the first `size` entries: m00's log signature, m00–m02 cosigning at `timeS`. */
export async function checkpoint(store: LedgerStore, size: number, timeS = T0 / 1000 + 2): Promise<string> {
  const origin = store.origin;
  const text = formatCheckpoint({ origin, size, rootHash: await store.rootAt(size), extensions: [] });
  return signNote(text, [
    ed25519NoteSigner(origin, keysFor('m00').node.secretKey),
    ...['m00', 'm01', 'm02'].map((m) => cosignatureSigner(m, keysFor(m).node.secretKey, timeS)),
  ]);
}

/** JSON as it crosses the wire: what a client parses from the view's own answer. */
export const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** The body keeps the route's documented schema (root-schemas.ts). */
export function assertSchema(schema: TSchema, body: unknown): void {
  const errors = [...Value.Errors(schema, body)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, []);
}

export function assertProblem(
  res: { statusCode: number; json(): unknown },
  status: number,
  code: string,
): void {
  assert.equal(res.statusCode, status);
  const body = res.json() as Record<string, unknown>;
  assertSchema(ProblemSchema, body);
  assert.deepEqual(Object.keys(body).sort(), PROBLEM_KEYS);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
}

/** The root's recovery desk over the fixture's ledger; it never gets to append anything. */
export function recoveryDeskOf(ledger: TestLedger, store: LedgerStore): RecoveryDesk {
  return new RecoveryDesk({
    state: () => ledger.state,
    head: () => ({ size: store.size(), rootHash: toHex(store.rootHash()) }),
    now: () => ledger.timeMs,
    wallNow: () => Date.now(),
    adopt: async () => {
      throw new Error('the fixture appends no recovery');
    },
    awaiting: () => [],
    log: pino({ level: 'silent' }),
  });
}
