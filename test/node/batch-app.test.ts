// The proposer's batch and the validator's checks (src/node/batch-app.ts, pending-batch.ts):
// a value always fits one gossip message, a flooding member takes at most its share and every
// other member's statements go in, statements arriving one at a time join the open batch and
// the value still re-executes, and a fresh proposal's batch time must be near the clock.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalBytes, type Json, toBase64 } from '../../src/codec/index.ts';
import { encodeConsensusMessage, nodeKeySigner } from '../../src/consensus/index.ts';
import {
  ballot,
  DEFAULT_POLICY,
  encodeEntry,
  executeBatch,
  type GovernanceState,
  genesisState,
  motion,
  POLICY_RANGES,
  type SignedStatement,
  screenStatement,
  selfUpdate,
  statementId,
} from '../../src/governance/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { BATCH_TIME_SKEW_MS_MAX, BatchApp, PENDING_BATCH_AGE_MS_MAX } from '../../src/node/batch-app.ts';
import { BATCH_VALUE_BYTES_MAX, decodeValue, proposalMessageBytesMax } from '../../src/node/batch-value.ts';
import { GOSSIP_MESSAGE_BYTES_MAX } from '../../src/node/p2p/constants.ts';
import { BATCH_AUTHOR_BYTES_MAX, BATCH_AUTHOR_STATEMENTS_MAX } from '../../src/node/pending-batch.ts';
import { StatementPool } from '../../src/node/statement-pool.ts';
import { FEDERATION, keysFor, makeGenesis, sign, T0 } from '../governance/fixtures.ts';

/** Self-updates are the large statements here: the most per member and window any policy allows. */
const genesis = makeGenesis(4, {
  ...DEFAULT_POLICY,
  selfUpdatesPerWindowMax: POLICY_RANGES.selfUpdatesPerWindowMax[1],
});

async function fixture(t: { after: (fn: () => Promise<void>) => void }, clock: { now: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'witan-batch-app-'));
  const store = await LedgerStore.open(dir, { origin: FEDERATION });
  await store.append([encodeEntry({ kind: 'genesis', genesis })]);
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  let state: GovernanceState = genesisState(genesis);
  // One committed motion for the ballots to vote on.
  const open = sign(
    motion(state, 'm03', [{ type: 'update-member', member: 'm03', organisation: 'Org m03 b' }], T0),
  );
  const result = executeBatch(state, { height: 1, timeMs: T0, proposer: 'm00', statements: [open] });
  await store.append(result.entries);
  state = result.state;
  const pool = new StatementPool<SignedStatement>();
  const app = new BatchApp(store, () => clock.now);
  const validator = new BatchApp(store, () => clock.now);
  const add = (signed: SignedStatement) => {
    const screened = screenStatement(state.world, signed);
    assert.ok(!('code' in screened));
    const author = state.world.members.find((m) => m.name === signed.statement.author)!;
    const e = {
      ...screened,
      statement: signed,
      author: author.name,
      signerKey: author.governanceKey,
      receivedMs: 0,
    };
    assert.equal(pool.add(e), 'added');
    return { ...e, seq: 0 };
  };
  const build = () => app.build(state, 2, 'm01', () => pool.fairOrder(() => 0));
  const check = (bytes: Uint8Array) =>
    validator.check(state, 2, new Set(['m00', 'm01', 'm02', 'm03']), bytes);
  return { store, state, pool, app, add, build, check, motionId: statementId(open) };
}

/** A self-update as large as the endpoint limits allow (≈ 3 KB), one per createdMs. */
function bigSelfUpdate(author: string, createdMs: number): SignedStatement {
  // DNS names of three 63-character labels: near the longest an endpoint may carry.
  const long = (i: number) => `${['a', 'b', 'c'].map((c) => c.repeat(63)).join('.')}.h${i}.example.org`;
  const endpoints = {
    p2p: Array.from({ length: 8 }, (_, i) => `/dns4/${long(i)}/tcp/4001`),
    http: Array.from({ length: 4 }, (_, i) => `https://${long(i)}/`),
  };
  return sign(selfUpdate(FEDERATION, author, createdMs, { endpoints }));
}

test('a batch value never passes BATCH_VALUE_BYTES_MAX, so its block proposal fits one gossip message', async (t) => {
  const clock = { now: T0 + 10 };
  const f = await fixture(t, clock);
  for (let i = 0; i < 100; i++) for (const a of ['m00', 'm01', 'm02', 'm03']) f.add(bigSelfUpdate(a, T0 + i));
  assert.ok(f.pool.bytes > BATCH_VALUE_BYTES_MAX, `the pool holds ${f.pool.bytes} bytes`);
  const built = f.build();
  assert.ok(built.bytes !== undefined);
  assert.ok(built.bytes.length <= BATCH_VALUE_BYTES_MAX, `${built.bytes.length} bytes`);
  assert.ok(decodeValue(built.bytes).statements.length >= 4, 'every author got statements in');
  assert.ok(typeof f.check(built.bytes) !== 'string', 'and the value re-executes');
  const signer = nodeKeySigner(keysFor('m01').node.secretKey);
  const proposal = signer.proposal(
    {
      federation: FEDERATION,
      height: 2,
      round: 0,
      validRound: -1,
      proposer: toBase64(keysFor('m01').node.publicKey),
    },
    built.bytes,
  );
  const message = encodeConsensusMessage({ kind: 'proposal', proposal, pol: [] });
  assert.ok(message.length <= GOSSIP_MESSAGE_BYTES_MAX, `${message.length} bytes on the wire`);
  assert.ok(proposalMessageBytesMax('a'.repeat(64)) <= GOSSIP_MESSAGE_BYTES_MAX, 'the largest proposal fits');
});

test('a member that floods takes at most its share of a batch, and every other member’s statements go in', async (t) => {
  const clock = { now: T0 + 10 };
  const f = await fixture(t, clock);
  for (let i = 0; i < 120; i++) f.add(bigSelfUpdate('m00', T0 - 1000 + i));
  const ballots = ['m01', 'm02'].map((a) => f.add(sign(ballot(FEDERATION, a, f.motionId, 'no', T0 + 5))));
  const built = f.build();
  const value = decodeValue(built.bytes!);
  const flood = value.statements.filter((s) => s.statement.author === 'm00');
  assert.ok(flood.length <= BATCH_AUTHOR_STATEMENTS_MAX);
  const floodBytes = flood.reduce((n, s) => n + canonicalBytes(s as unknown as Json).length + 1, 0);
  assert.ok(floodBytes <= BATCH_AUTHOR_BYTES_MAX, `${floodBytes} bytes of the flood`);
  const ids = new Set(value.statements.map(statementId));
  for (const b of ballots) assert.ok(ids.has(b.id), 'an honest ballot waits for no flood');
  assert.equal(
    value.statements.findIndex((s) => s.statement.author !== 'm00'),
    1,
    'round robin: a ballot second',
  );
});

test('statements arriving one at a time join the open batch; the value re-executes and keeps its time', async (t) => {
  const clock = { now: T0 + 10 };
  const f = await fixture(t, clock);
  f.add(bigSelfUpdate('m00', T0));
  const first = f.build();
  const late = [
    f.add(sign(ballot(FEDERATION, 'm01', f.motionId, 'no', T0 + 6))),
    f.add(sign(ballot(FEDERATION, 'm02', f.motionId, 'yes', T0 + 7))),
  ];
  clock.now += 1000;
  for (const e of late) assert.equal(f.app.offer(f.state, e), 'added');
  const second = f.build();
  const v1 = decodeValue(first.bytes!);
  const v2 = decodeValue(second.bytes!);
  assert.equal(v2.timeMs, v1.timeMs, 'the same open batch');
  assert.deepEqual(v2.statements.map(statementId), [
    ...v1.statements.map(statementId),
    ...late.map((e) => e.id),
  ]);
  assert.ok(typeof f.check(second.bytes!) !== 'string');
  // A ballot older than one already pending breaks a rule among the pending statements.
  const older = f.add(sign(ballot(FEDERATION, 'm01', f.motionId, 'yes', T0 + 1)));
  const offered = f.app.offer(f.state, older);
  assert.ok(typeof offered === 'object' && offered.code === 'BALLOT_SUPERSEDED');
  // Too old an open batch is opened again from the pool at the current time.
  clock.now += PENDING_BATCH_AGE_MS_MAX + 1;
  assert.equal(
    f.app.offer(f.state, f.add(sign(ballot(FEDERATION, 'm03', f.motionId, 'no', T0 + 9)))),
    'not-open',
  );
  const third = f.build();
  assert.equal(decodeValue(third.bytes!).timeMs, clock.now);
});

test('an open batch with nothing in it proposes nothing however often it is asked, and the first statement offered makes its value', async (t) => {
  const clock = { now: T0 + 10 };
  const f = await fixture(t, clock);
  // A root at rest asks every second whether time alone makes a batch.
  for (let i = 0; i < 3; i++) assert.equal(f.build().bytes, undefined);
  const e = f.add(sign(ballot(FEDERATION, 'm01', f.motionId, 'yes', T0 + 6)));
  assert.equal(f.app.offer(f.state, e), 'added');
  const built = f.build();
  assert.deepEqual(decodeValue(built.bytes!).statements.map(statementId), [e.id]);
  assert.ok(typeof f.check(built.bytes!) !== 'string');
});

test('a fresh proposal is timely within BATCH_TIME_SKEW_MS_MAX of the clock, either way, scaled by a devnet clock', async (t) => {
  const clock = { now: T0 + 10 };
  const f = await fixture(t, clock);
  f.add(bigSelfUpdate('m00', T0));
  const bytes = f.build().bytes!;
  const timeMs = decodeValue(bytes).timeMs;
  assert.equal(f.app.untimely(bytes), null);
  clock.now = timeMs + BATCH_TIME_SKEW_MS_MAX;
  assert.equal(f.app.untimely(bytes), null);
  clock.now = timeMs + BATCH_TIME_SKEW_MS_MAX + 1;
  assert.match(f.app.untimely(bytes) ?? '', /behind our clock/);
  clock.now = timeMs - BATCH_TIME_SKEW_MS_MAX - 1;
  assert.match(f.app.untimely(bytes) ?? '', /ahead of our clock/);
  const devnet = new BatchApp(f.store, () => timeMs + 100 * BATCH_TIME_SKEW_MS_MAX, 100);
  assert.equal(devnet.untimely(bytes), null);
  // Validity itself does not depend on the clock: a decided value stays valid.
  assert.ok(typeof f.check(bytes) !== 'string');
});

test('a value past BATCH_VALUE_BYTES_MAX is refused however valid its statements', async (t) => {
  const f = await fixture(t, { now: T0 + 10 });
  const padding = 'x'.repeat(BATCH_VALUE_BYTES_MAX);
  const verdict = f.check(canonicalBytes({ padding }));
  assert.match(String(verdict), /exceeds/);
});
