// Crash safety: a child process appends batches in a loop and prints every checkpoint it has
// durably saved; we SIGKILL it at random moments (seeded) at least 20 times and after each
// kill reopen the ledger and check that
//   - the tree is consistent with every checkpoint printed before any kill (consistency
//     proofs verify, roots match, the notes are there);
//   - no partial batch is visible: every entry carries its batch's start and length, the size
//     lands on a batch boundary, and the meta record written with the last batch matches it;
//   - the ledger never shrinks.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromHex, toHex } from '../../src/codec/index.ts';
import { CompactRange, ENTRIES_RANGE_MAX, leafHash, verifyConsistency } from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { tempDir } from '../helpers/temp.ts';

const KILLS = 24;
const SEED = Number(process.env.WITAN_CRASH_SEED ?? 20261125);
const TEST_BUDGET_MS = 55_000;
const WRITER = join(import.meta.dirname, 'fixtures', 'crash-writer.ts');
const ORIGIN = 'witan/crash-test';

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Printed = { size: number; root: string };

/** A writer that loads its modules now and opens the ledger when told to. */
function spawnWriter(dir: string, seed: number): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [WRITER, dir, String(seed)], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => {}); // a writer killed early: nothing to tell it any more
  return child;
}

/** Lets the writer run until it has printed at least one checkpoint, waits delayMs more, kills it. */
function runAndKill(child: ChildProcessWithoutNullStreams, delayMs: number): Promise<Printed[]> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`writer exited before it was started (${child.exitCode ?? child.signalCode})`));
      return;
    }
    const printed: Printed[] = [];
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000); // never hang the suite
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const [size, root] = buffered.slice(0, nl).split(' ');
        printed.push({ size: Number(size), root: root! });
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
      if (timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
      else resolve(printed); // a partial last line (no newline) was never a printed checkpoint
    });
    child.stdin.write('go\n');
  });
}

test(`a ledger SIGKILLed ${KILLS} times mid-append keeps every saved checkpoint and whole batches`, async (t) => {
  const dir = tempDir('crash');
  const random = mulberry32(SEED);
  // Each kill's delay and writer seed, drawn in the order the test has always drawn them.
  const plan = Array.from({ length: KILLS }, () => ({
    delayMs: Math.floor(random() * 120),
    seed: Math.floor(random() * 2 ** 32),
  }));
  // The next writer loads its modules while the current one runs.
  let next = spawnWriter(dir, plan[0]!.seed);
  t.after(() => {
    next.kill('SIGKILL');
  });
  const deadline = Date.now() + TEST_BUDGET_MS;
  const checkpoints = new Map<number, string>(); // every checkpoint printed so far
  const frontier = new CompactRange(); // our own recomputation of the tree from the entries
  let verified = 0; // entries [0, verified) already checked
  let previousSize = 0;
  let killsLandedMidBatch = 0;

  for (let kill = 0; kill < KILLS; kill++) {
    assert.ok(Date.now() < deadline, `over the time budget after ${kill} kills (seed ${SEED})`);
    const current = next;
    if (kill + 1 < KILLS) next = spawnWriter(dir, plan[kill + 1]!.seed);
    const printed = await runAndKill(current, plan[kill]!.delayMs);
    for (const p of printed) checkpoints.set(p.size, p.root);
    const lastPrinted = printed.at(-1)?.size ?? 0;

    const store = await LedgerStore.open(dir, { origin: ORIGIN });
    try {
      const size = store.size();
      const root = store.rootHash();
      assert.ok(size >= previousSize, `the ledger shrank from ${previousSize} to ${size} (seed ${SEED})`);
      assert.ok(size >= lastPrinted, `lost a durable checkpoint: size ${size} < printed ${lastPrinted}`);
      if (size > lastPrinted) killsLandedMidBatch++;

      // Whole batches only: walk the new entries, check their markers, extend our own tree.
      let batchEnd = verified;
      for (let start = verified; start < size; start += ENTRIES_RANGE_MAX) {
        const entries = await store.entries(start, Math.min(size, start + ENTRIES_RANGE_MAX));
        entries.forEach((bytes, k) => {
          const index = start + k;
          const { b, i, n } = JSON.parse(new TextDecoder().decode(bytes)) as {
            b: number;
            i: number;
            n: number;
          };
          assert.equal(b + i, index, `entry ${index} is not where its batch put it`);
          if (i === 0) {
            assert.equal(b, batchEnd, `batch at ${b} does not start where the previous one ended`);
            batchEnd = b + n;
          }
          frontier.append(leafHash(bytes));
        });
      }
      assert.equal(
        batchEnd,
        size,
        `size ${size} is not on a batch boundary (last batch ends at ${batchEnd})`,
      );
      verified = size;
      assert.equal(toHex(frontier.root()), toHex(root), 'root recomputed from the entries');
      if (size > 0) {
        const meta = JSON.parse(new TextDecoder().decode(await store.getMeta('last-batch'))) as {
          b: number;
          n: number;
        };
        assert.equal(meta.b + meta.n, size, 'the meta record moved with its batch');
      }

      // Consistent with every checkpoint ever printed.
      for (const [cpSize, cpRoot] of checkpoints) {
        assert.equal(toHex(await store.rootAt(cpSize)), cpRoot, `root at checkpoint ${cpSize}`);
        const proof = await store.consistencyProof(cpSize, size);
        assert.ok(
          verifyConsistency(cpSize, size, proof, fromHex(cpRoot), root),
          `consistency ${cpSize}→${size}`,
        );
        assert.ok(
          (await store.checkpointNote(cpSize))?.startsWith(`${ORIGIN}\n${cpSize}\n`),
          `note ${cpSize}`,
        );
      }
      previousSize = size;
    } finally {
      await store.close();
    }
  }
  assert.ok(previousSize > 0, 'the writer appended something');
  t.diagnostic(
    `seed ${SEED}: ${KILLS} kills, final size ${previousSize}, ${checkpoints.size} checkpoints, ${killsLandedMidBatch} kills after an unprinted append`,
  );
});
