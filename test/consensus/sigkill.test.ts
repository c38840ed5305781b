// Crash safety through the real storage path: a child process runs the driver with a LevelDB WAL
// and votes with three scripted peers (drivers in this process) over a pipe. It is SIGKILLed at
// random moments 50+ times and restarted from its data folder. Across all its lives it must never
// sign two conflicting votes (or two proposals for one round), and never lose a committed batch.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fromBase64, toBase64, toHex } from '../../src/codec/index.ts';
import {
  ConsensusDriver,
  type ConsensusMessage,
  decodeConsensusMessage,
  decodeRecord,
  MemoryWal,
  nodeKeySigner,
  type PersistRecord,
} from '../../src/consensus/index.ts';
import { LevelWal } from '../../src/consensus/level-wal.ts';
import { Prng } from '../../src/sim/prng.ts';
import { TestApp } from './fixtures/test-app.ts';
import { FED, makeValidators } from './helpers.ts';

const V = makeValidators(4);
const LIVES = 52;
const CHILD = join(import.meta.dirname, 'fixtures', 'voter-child.ts');
/** A loop guard, not the goal: ~55 s measured on a shared 2-core machine, much more under heavy load. */
const BUDGET_MS = 300_000;
/** Children loading their modules while the current life runs: enough for a loaded machine. */
const WARM_LIVES = 3;

interface Life {
  c: ChildProcess;
  exited: Promise<void>;
  isReady: Promise<void>;
}

test(`SIGKILL a voting root ${LIVES} times: no conflicting signature, no lost batch`, async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'witan-sigkill-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'witan-sigkill-cache-'));
  const rng = new Prng(20261129);
  const peers: ConsensusDriver[] = [];
  const apps = [1, 2, 3].map((i) => new TestApp(V, `peer-${i}`));
  const handlers = new Map<number, (b: Uint8Array) => void>();
  let child: ChildProcess | null = null;
  const pool: Life[] = [];
  const votingLives = new Set<number>();
  let currentLife = -1;
  const signed: ConsensusMessage[] = [];
  const readyHeights: number[] = [];
  // What a WAL holds was signed too, even if it never left.
  const walSigned = (record: PersistRecord | null) => {
    if (record === null) return;
    for (const vote of record.ownVotes) signed.push({ kind: 'vote', vote });
    if (record.ownProposal !== null) signed.push({ kind: 'proposal', proposal: record.ownProposal, pol: [] });
  };
  const toChild = (bytes: Uint8Array): void => {
    if (child?.stdin?.writable) child.stdin.write(`${JSON.stringify({ m: toBase64(bytes) })}\n`);
  };
  try {
    for (let i = 1; i <= 3; i++) {
      peers.push(
        await ConsensusDriver.start({
          config: {
            federation: FED,
            self: V[i]!.id,
            signer: nodeKeySigner(V[i]!.secretKey),
            timeouts: { proposeMs: 100, prevoteMs: 40, precommitMs: 40, deltaMs: 10 },
          },
          wal: new MemoryWal(),
          app: apps[i - 1]!,
          resendMs: 150,
          transport: {
            broadcast: (bytes) => {
              for (const [j, h] of handlers) if (j !== i) setImmediate(() => h(bytes));
              toChild(bytes);
            },
            onMessage: (cb) => {
              handlers.set(i, cb);
            },
          },
        }),
      );
    }
    const spawnLife = (): Life => {
      const c = spawn(process.execPath, [CHILD, dir, '0'], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, NODE_COMPILE_CACHE: cacheDir }, // lives share compiled modules
      });
      c.stdin!.on('error', () => {}); // writes racing the kill fail with EPIPE: expected
      const exited = new Promise<void>((resolve) => c.on('exit', () => resolve()));
      let ready: () => void = () => {};
      const isReady = new Promise<void>((resolve) => {
        ready = resolve;
      });
      createInterface({ input: c.stdout! }).on('line', (line) => {
        const x = JSON.parse(line) as { m?: string; c?: number; ready?: number; wal?: string | null };
        if (x.ready !== undefined) {
          readyHeights.push(x.ready);
          // The previous life's last record, read by this life before it does anything.
          walSigned(x.wal == null ? null : decodeRecord(fromBase64(x.wal)));
          ready();
        }
        if (x.m !== undefined) {
          const bytes = fromBase64(x.m);
          const m = decodeConsensusMessage(bytes);
          signed.push(m);
          if (m.kind === 'vote' && c === child) votingLives.add(currentLife);
          for (const h of handlers.values()) setImmediate(() => h(bytes));
        }
        if (x.c !== undefined && c.stdin?.writable) {
          const d = apps[0]!.decided
            .slice(x.c - 1, x.c - 1 + 64)
            .map((d) => ({ ...d, value: toHex(d.value) }));
          c.stdin.write(`${JSON.stringify({ d })}\n`);
        }
      });
      return { c, exited, isReady };
    };
    // Lives start ahead of time (module loading is the slow part) and open nothing until "go".
    while (pool.length < WARM_LIVES) pool.push(spawnLife());
    for (let life = 0; life < LIVES; life++) {
      assert.ok(Date.now() - started < BUDGET_MS, `over budget after ${life} lives`);
      const { c, exited, isReady } = pool.shift()!;
      child = c;
      currentLife = life;
      c.stdin!.write(`${JSON.stringify({ go: true })}\n`);
      if (life + pool.length + 1 < LIVES) pool.push(spawnLife());
      // Kill at a random moment after start-up: while catching up, voting, or writing its WAL.
      await Promise.race([isReady, exited, new Promise((r) => setTimeout(r, 10_000))]);
      // The peers propose only while the child lives, so it stays a few heights behind at most
      // and spends its lives voting rather than catching up.
      for (const a of apps) a.idle = false;
      for (const p of peers) p.pending();
      await new Promise((r) => setTimeout(r, rng.range(20, 500)));
      c.kill('SIGKILL');
      for (const a of apps) a.idle = true;
      await exited;
      child = null;
    }
    // Each life reported the record it found; the last life's own record is still in the WAL.
    const wal = await LevelWal.open(join(dir, 'wal'));
    walSigned(await wal.load());
    await wal.close();
    // No two conflicting signatures across all lives.
    const votes = new Map<string, string | null>();
    const proposals = new Map<string, string>();
    let ownVotes = 0;
    for (const m of signed) {
      if (m.kind === 'vote' && m.vote.validator === V[0]!.id) {
        ownVotes++;
        const key = `${m.vote.height}/${m.vote.round}/${m.vote.type}`;
        const prior = votes.get(key);
        assert.ok(prior === undefined || prior === m.vote.valueId, `conflicting ${key}`);
        votes.set(key, m.vote.valueId);
      } else if (m.kind === 'proposal' && m.proposal.proposer === V[0]!.id) {
        const key = `${m.proposal.height}/${m.proposal.round}`;
        const prior = proposals.get(key);
        assert.ok(prior === undefined || prior === m.proposal.valueId, `two proposals at ${key}`);
        proposals.set(key, m.proposal.valueId);
      }
    }
    // The test means something only if the child was killed while voting, in many lives.
    assert.ok(ownVotes >= LIVES / 2, `the child voted (${ownVotes} votes)`);
    assert.ok(votingLives.size >= 10, `the child voted in ${votingLives.size} lives`);
    // No committed batch lost: each life starts at or above the previous one, and the child's
    // ledger agrees with the peers'.
    for (let i = 1; i < readyHeights.length; i++) assert.ok(readyHeights[i]! >= readyHeights[i - 1]!);
    assert.ok(readyHeights.at(-1)! > 5, 'the child committed batches across lives');
    const childApp = await TestApp.open(join(dir, 'app'), V, 'check');
    for (const d of childApp.decided) assert.equal(d.valueId, apps[0]!.decided[d.height - 1]?.valueId);
    await childApp.db?.close();
  } finally {
    if (child !== null) (child as ChildProcess).kill('SIGKILL');
    for (const l of pool) l.c.kill('SIGKILL');
    for (const a of apps) a.idle = true;
    for (const p of peers) await p.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
