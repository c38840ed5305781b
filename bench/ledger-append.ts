// Durable appends per second through LedgerStore, in batches of 1, 256 and 4,096 entries,
// against raw LevelDB batch writes of the same entry bytes with the same sync flag.
// The project's goal: ratio ≥ 0.8.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { HASH_BYTES } from '../src/ledger/constants.ts';
import { CompactRange, leafHashesInto } from '../src/ledger/merkle.ts';
import { LedgerStore } from '../src/ledger/store.ts';
import { type BenchResult, type Figure, opsPerSecond, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ENTRY_BYTES = 320; // a typical signed ballot or motion

function makeEntries(count: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const e = new Uint8Array(ENTRY_BYTES);
    e.fill((seed + i) & 0xff);
    new DataView(e.buffer).setUint32(0, seed * 100_000 + i);
    out.push(e);
  }
  return out;
}

async function rawLevel(dir: string, batch: number, ms: number): Promise<number> {
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  let next = 0;
  const rate = await opsPerSecond(async () => {
    const entries = makeEntries(batch, next);
    await db.batch(
      entries.map((value, i) => ({ type: 'put' as const, key: String(next + i).padStart(12, '0'), value })),
      { sync: true },
    );
    next += batch;
    return batch;
  }, ms);
  await db.close();
  return rate;
}

async function ledger(dir: string, batch: number, ms: number): Promise<number> {
  const store = await LedgerStore.open(dir, { origin: 'witan/bench' });
  let next = 0;
  const rate = await opsPerSecond(async () => {
    await store.append(makeEntries(batch, next));
    next += batch;
    return batch;
  }, ms);
  await store.close();
  return rate;
}

/**
 * The Merkle work alone, done as the store does it (leaf hashes into one buffer, the tree above
 * them one height at a time, the root): the cost raw LevelDB never pays.
 */
function hashingOnly(batch: number, ms: number): Promise<number> {
  const frontier = new CompactRange();
  let next = 0;
  return opsPerSecond(() => {
    const leaves = new Uint8Array(batch * HASH_BYTES);
    leafHashesInto(makeEntries(batch, next), leaves, 0);
    frontier.extend(leaves);
    frontier.root();
    next += batch;
    return batch;
  }, ms);
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const ms = options.quick ? 500 : 4000;
  const loadBefore = loadavg()[0]!;
  const figures: Figure[] = [];
  for (const batch of [1, 256, 4096]) {
    const root = mkdtempSync(join(tmpdir(), 'witan-bench-append-'));
    try {
      // Alternate and repeat so that disk cache warm-up and other load on the machine fall on both.
      const rounds = options.quick ? 2 : 4;
      const window = options.quick ? ms : ms / 2;
      let raw = 0;
      let ours = 0;
      for (let r = 0; r < rounds; r++) {
        raw += (await rawLevel(join(root, `raw${r}`), batch, window)) / rounds;
        ours += (await ledger(join(root, `ours${r}`), batch, window)) / rounds;
      }
      const hashing = await hashingOnly(batch, ms / 2);
      figures.push(
        ratioFigure(
          `durable appends, batch ${batch}`,
          ours,
          'entries/s',
          'raw LevelDB sync batch, same bytes',
          raw,
          { atLeast: 0.8 },
        ),
        // Storing exactly what raw stores, then hashing: 1 / (1/raw + 1/hashing) entries/s.
        ratioFigure(
          `  ceiling: raw write + Merkle hashing, batch ${batch}`,
          1 / (1 / raw + 1 / hashing),
          'entries/s',
          'raw LevelDB sync batch, same bytes',
          raw,
        ),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return {
    id: 'ledger-append',
    title: 'Ledger: durable appends',
    figures,
    notes: [
      `entries of ${ENTRY_BYTES} bytes; each batch is one LevelDB write with sync: true on both sides`,
      'ours writes a full entry bundle as one record (C2SP encoding), full level-0 tiles, the touched higher tiles and the size; an append hashes while its synced write is in flight, and its tiles go to disk with the next append; the leaf-hash index is in memory',
      '"ceiling" = the raw write followed by the SHA-256 leaf and node hashes of the same entries, computed as the store computes them (measured alone): what a store that computes the tree before its one synced write can reach',
      `1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end on ${availableParallelism()} cores, while other work may share them`,
    ],
  };
}
