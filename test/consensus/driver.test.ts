// The WAL on real LevelDB and the driver (the shell around the core) with four roots over an
// in-memory transport: persist before send, commits, restart from the WAL, catch-up.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import {
  ConsensusDriver,
  ConsensusError,
  decodeConsensusMessage,
  MemoryWal,
  nodeKeySigner,
  type PersistRecord,
  proposerOf,
  type Transport,
  type Wal,
} from '../../src/consensus/index.ts';
import { LevelWal } from '../../src/consensus/level-wal.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitUntil } from '../helpers/wait.ts';
import { TestApp } from './fixtures/test-app.ts';
import { FED, type Keyed, makeValidators } from './helpers.ts';

const V = makeValidators(4);
const TIMEOUTS = { proposeMs: 150, prevoteMs: 60, precommitMs: 60, deltaMs: 20 };

class Network {
  readonly handlers = new Map<number, (b: Uint8Array) => void>();
  transport(i: number, spy?: (b: Uint8Array) => void): Transport {
    return {
      broadcast: (bytes) => {
        spy?.(bytes);
        for (const [j, h] of this.handlers) if (j !== i) setImmediate(() => h(bytes));
      },
      onMessage: (cb) => {
        this.handlers.set(i, cb);
      },
    };
  }
}

/** Records what was saved, so a test can check it was saved before it was sent. */
class SpyWal implements Wal {
  readonly inner: Wal;
  last: PersistRecord | null = null;
  constructor(inner: Wal) {
    this.inner = inner;
  }
  load(): Promise<PersistRecord | null> {
    return this.inner.load();
  }
  async save(r: PersistRecord): Promise<void> {
    await this.inner.save(r);
    this.last = r;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Waits until every app in `apps` decided at least `target` heights. */
function decided(apps: TestApp[], target: () => number): Promise<number[]> {
  return waitUntil(
    `${apps.map((a) => a.name).join(', ')} to decide ${target()} heights`,
    () => apps.map((a) => a.decided.length),
    { until: (heights) => heights.every((h) => h >= target()), timeoutMs: 30_000, intervalMs: 10 },
  );
}

function start(
  k: Keyed,
  i: number,
  net: Network,
  wal: Wal,
  app: TestApp,
  spy?: (b: Uint8Array) => void,
  catchUp?: TestApp,
): Promise<ConsensusDriver> {
  return ConsensusDriver.start({
    config: { federation: FED, self: k.id, signer: nodeKeySigner(k.secretKey), timeouts: TIMEOUTS },
    wal,
    transport: net.transport(i, spy),
    app,
    resendMs: 300,
    ...(catchUp === undefined
      ? {}
      : { catchUp: { decisionsFrom: async (h, limit) => catchUp.decided.slice(h - 1, h - 1 + limit) } }),
  });
}

test('LevelWal: a saved record survives close and reopen; a corrupt one is refused', async () => {
  const dir = tempDir('consensus');
  let wal = await LevelWal.open(dir);
  assert.equal(await wal.load(), null);
  const record: PersistRecord = {
    height: 3,
    active: true,
    round: 1,
    step: 'prevote',
    lockedRound: -1,
    lockedValue: null,
    validRound: -1,
    validValue: null,
    lastSigned: { round: 1, step: 1 },
    ownVotes: [],
    ownProposal: null,
  };
  await wal.save(record);
  await wal.close();
  await assert.rejects(
    () => wal.load(),
    (e: unknown) => e instanceof ConsensusError && e.code === 'CLOSED',
  );
  wal = await LevelWal.open(dir);
  assert.deepEqual(await wal.load(), record);
  await wal.close();
  const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
  await db.put('consensus/record', '{"height":"x"}');
  await db.close();
  wal = await LevelWal.open(dir);
  await assert.rejects(
    () => wal.load(),
    (e: unknown) => e instanceof ConsensusError && e.code === 'WAL_CORRUPT',
  );
  await wal.close();
});

test('LevelWal: saving the record that is already durable writes nothing; a changed one is written', async () => {
  const dir = tempDir('consensus');
  const logBytes = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const record: PersistRecord = {
    height: 5,
    active: true,
    round: 0,
    step: 'precommit',
    lockedRound: 0,
    lockedValue: null,
    validRound: -1,
    validValue: null,
    lastSigned: { round: 0, step: 2 },
    ownVotes: [],
    ownProposal: null,
  };
  let wal = await LevelWal.open(dir);
  await wal.save(record);
  const written = logBytes();
  await wal.save({ ...record });
  assert.equal(logBytes(), written, 'an equal record is not written again');
  await wal.save({ ...record, round: 1, lastSigned: { round: 1, step: 0 } });
  assert.ok(logBytes() > written, 'a changed record is written');
  await wal.close();
  // After a restart the loaded record counts as durable too; going back to the first is a write.
  wal = await LevelWal.open(dir);
  const loaded = await wal.load();
  assert.equal(loaded?.round, 1);
  const reopened = logBytes();
  await wal.save(loaded!);
  assert.equal(logBytes(), reopened);
  await wal.save(record);
  assert.ok(logBytes() > reopened);
  await wal.close();
  wal = await LevelWal.open(dir);
  assert.deepEqual(await wal.load(), record);
  await wal.close();
});

test('the driver refuses the simulator-only mutation hook', async () => {
  const net = new Network();
  await assert.rejects(
    () =>
      ConsensusDriver.start({
        config: {
          federation: FED,
          self: V[0]!.id,
          signer: nodeKeySigner(V[0]!.secretKey),
          unsafeMutationForSimulation: 'no-locking',
        },
        wal: new SpyWal(new (class extends SpyWal {})(null as unknown as Wal)),
        transport: net.transport(0),
        app: new TestApp(V, 'x'),
      }),
    (e: unknown) => e instanceof ConsensusError && e.code === 'BAD_CONFIG',
  );
});

test('four drivers on LevelDB WALs commit the same heights; every vote was durable before it was sent; a restarted root resumes from its WAL', async () => {
  const dirs = V.map(() => tempDir('consensus'));
  const net = new Network();
  const wals: SpyWal[] = [];
  const apps = V.map((_, i) => new TestApp(V, `root-${i}`));
  const drivers: ConsensusDriver[] = [];
  const violations: string[] = [];
  try {
    for (let i = 0; i < V.length; i++) {
      const wal = new SpyWal(await LevelWal.open(dirs[i]!));
      wals.push(wal);
      const spy = (bytes: Uint8Array): void => {
        const m = decodeConsensusMessage(bytes);
        if (m.kind !== 'vote') return;
        const saved = wal.last?.ownVotes.some((v) => v.signature === m.vote.signature);
        const resent = m.vote.height < (wal.last?.height ?? 0) || m.vote.round < (wal.last?.round ?? 0);
        if (!saved && !resent) violations.push(`root ${i} sent a vote not in its WAL`);
      };
      // A root that starts after the others decided (a loaded machine opens LevelDB slowly)
      // catches up from the next one instead of waiting at height 0.
      drivers.push(await start(V[i]!, i, net, wal, apps[i]!, spy, apps[(i + 1) % V.length]!));
    }
    await decided(apps, () => 3);
    // Restart root 0 from its WAL.
    await drivers[0]!.stop();
    await wals[0]!.close();
    net.handlers.delete(0);
    const reopened = new SpyWal(await LevelWal.open(dirs[0]!));
    wals[0] = reopened;
    drivers[0] = await start(V[0]!, 0, net, reopened, apps[0]!, undefined, apps[1]!);
    const target = Math.max(...apps.map((a) => a.decided.length)) + 2;
    await decided(apps.slice(1), () => target);
    for (const a of apps) a.idle = true; // no new heights: the restarted root must reach the others
    await decided([apps[0]!], () => Math.min(...apps.slice(1).map((a) => a.decided.length)));
    assert.deepEqual(violations, []);
    for (let h = 0; h < target; h++) {
      const ids = new Set(apps.map((a) => a.decided[h]?.valueId));
      assert.equal(ids.size, 1, `height ${h + 1} agreed`);
    }
  } finally {
    for (const a of apps) a.idle = true;
    for (const d of drivers) await d.stop();
    for (const w of wals) await w.close();
  }
});

test('the driver asks the app for a value only when the core would use it now', async () => {
  // Long timeouts: round 0 of height 1 lasts the whole test unless the proposer proposes.
  const slow = { proposeMs: 30_000, prevoteMs: 30_000, precommitMs: 30_000, deltaMs: 0 };
  const net = new Network();
  const asked = V.map(() => 0);
  const apps = V.map(
    (_, i) =>
      new (class extends TestApp {
        override proposeValue(height: number): Uint8Array | undefined {
          asked[i]!++;
          return super.proposeValue(height);
        }
      })(V, `root-${i}`),
  );
  for (const a of apps) a.idle = true;
  const drivers: ConsensusDriver[] = [];
  try {
    for (let i = 0; i < V.length; i++) {
      drivers.push(
        await ConsensusDriver.start({
          config: { federation: FED, self: V[i]!.id, signer: nodeKeySigner(V[i]!.secretKey), timeouts: slow },
          wal: new MemoryWal(),
          transport: net.transport(i),
          app: apps[i]!,
          resendMs: 0,
        }),
      );
    }
    const p = V.findIndex((v) => v.id === proposerOf(V, 1, 0).id);
    const x = (p + 1) % V.length;
    for (const a of apps) a.idle = false;
    asked.fill(0);
    // A value starts the idle height at a root that does not propose round 0 ...
    drivers[x]!.pending();
    await drivers[x]!.settled();
    assert.equal(drivers[x]!.state.active, true);
    // ... and after that it has no use for another: a hundred statements build nothing more.
    for (let n = 0; n < 100; n++) drivers[x]!.pending();
    await drivers[x]!.settled();
    assert.equal(asked[x], 1);
    // The proposer of round 0, woken by the same statements, builds its value and the height
    // is decided in round 0 (the timeouts are far off).
    for (let n = 0; n < 100; n++) drivers[p]!.pending();
    await decided(apps, () => 1);
    assert.ok(apps.every((a) => a.decided[0]!.round === 0));
  } finally {
    for (const a of apps) a.idle = true;
    for (const d of drivers) await d.stop();
  }
});

test('a root that starts late catches up through the CatchUpSource and verifies certificates', async () => {
  const net = new Network();
  const apps = V.map((_, i) => new TestApp(V, `root-${i}`));
  const drivers: ConsensusDriver[] = [];
  try {
    for (let i = 1; i < V.length; i++) drivers.push(await start(V[i]!, i, net, new MemoryWal(), apps[i]!));
    await decided(apps.slice(1), () => 3);
    drivers.push(await start(V[0]!, 0, net, new MemoryWal(), apps[0]!, undefined, apps[1]!));
    const target = Math.max(...apps.map((a) => a.decided.length)) + 1;
    await decided(apps.slice(1), () => target);
    for (const a of apps) a.idle = true;
    await decided([apps[0]!], () => target);
    for (let h = 0; h < target; h++) assert.equal(apps[0]!.decided[h]!.valueId, apps[1]!.decided[h]!.valueId);
  } finally {
    for (const a of apps) a.idle = true;
    for (const d of drivers) await d.stop();
  }
});
