import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { Level } from 'level';
import { toBase64 } from '../../src/codec/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import {
  BATCH_ENTRIES_MAX,
  EMPTY_ROOT,
  ENTRY_BYTES_MAX,
  formatCheckpoint,
  LedgerError,
  leafHash,
  nodeHash,
  rootOf,
  TILE_WIDTH,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/index.ts';
import { decodeSize, SIZE_KEY, TILED_KEY } from '../../src/ledger/keys.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { tempDir } from '../helpers/temp.ts';

const ORIGIN = 'witan/test';

function entry(i: number): Uint8Array {
  return new TextEncoder().encode(`{"i":${i}}`);
}

/** RFC 6962 §2.1 MTH, recursively, as a reference. */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function isLedgerError(code: string): (err: unknown) => boolean {
  return (err) => err instanceof LedgerError && err.code === code;
}

test('appends in batches give the RFC 6962 root, proofs that verify, and C2SP tiles', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  assert.deepEqual(store.rootHash(), EMPTY_ROOT);
  const leaves: Uint8Array[] = [];
  const roots: Uint8Array[] = [EMPTY_ROOT];
  let next = 0;
  for (const batch of [1, 2, 253, 1, 300, 0, 7, 256, 65]) {
    const entries = Array.from({ length: batch }, () => entry(next++));
    const predicted = store.rootAfter(entries);
    const result = await store.append(entries);
    assert.deepEqual(result, predicted);
    for (const e of entries) leaves.push(leafHash(e));
    assert.equal(store.size(), leaves.length);
    assert.deepEqual(store.rootHash(), mth(leaves));
    while (roots.length <= leaves.length) roots.push(mth(leaves.slice(0, roots.length)));
  }
  const size = store.size();
  assert.deepEqual(store.rootHash(), rootOf(leaves));
  for (const s of [1, 2, 3, 255, 256, 257, 511, 512, 600, size]) {
    assert.deepEqual(await store.rootAt(s), roots[s]);
  }
  for (const [index, s] of [
    [0, 1],
    [5, 256],
    [255, 256],
    [256, 257],
    [700, size],
    [size - 1, size],
  ] as const) {
    const proof = await store.inclusionProof(index, s);
    assert.ok(verifyInclusion(index, s, leaves[index]!, proof, roots[s]!), `inclusion ${index}/${s}`);
  }
  for (const [a, b] of [
    [1, 2],
    [3, 257],
    [256, 512],
    [300, size],
    [size, size],
    [0, size],
  ] as const) {
    const proof = await store.consistencyProof(a, b);
    assert.ok(verifyConsistency(a, b, proof, roots[a]!, roots[b]!), `consistency ${a}→${b}`);
  }
  // Level 0 tile 1 is full: leaf hashes 256..511; level 1 tile 0 partial: one hash per full tile.
  const tile = await store.tile(0, 1);
  assert.equal(tile.length, 8192);
  assert.deepEqual(tile.subarray(0, 32), leaves[256]);
  const partial = await store.tile(0, 1, 3);
  assert.deepEqual(partial, tile.subarray(0, 96));
  const level1 = await store.tile(1, 0, 3);
  assert.deepEqual(level1.subarray(32, 64), mth(leaves.slice(256, 512)));
  await assert.rejects(store.tile(1, 0), isLedgerError('NOT_FOUND'));
  const bundle = await store.entryBundle(0);
  assert.equal(bundle[0], 0);
  assert.equal(bundle[1], entry(0).length);
  assert.deepEqual(await store.entry(700), entry(700));
  assert.deepEqual(await store.leafHashAt(700), leaves[700]);
  assert.equal(await store.indexOfLeafHash(leaves[700]!), 700);
  assert.equal(await store.indexOfLeafHash(new Uint8Array(32)), undefined);
  await store.close();

  const reopened = await LedgerStore.open(dir, { origin: ORIGIN });
  assert.equal(reopened.size(), size);
  assert.deepEqual(reopened.rootHash(), roots[size]);
  const more = await reopened.append([entry(next)]);
  leaves.push(leafHash(entry(next)));
  assert.deepEqual(more.rootHash, mth(leaves));
  await reopened.close();
});

test('bad input is refused with a typed error and changes nothing', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  await store.append([entry(0), entry(1)]);
  const root = store.rootHash();
  const meta = { marker: new Uint8Array([1]) };
  await assert.rejects(
    store.append([entry(2), new Uint8Array(ENTRY_BYTES_MAX + 1)], meta),
    isLedgerError('ENTRY_TOO_LARGE'),
  );
  await assert.rejects(store.append(['x' as unknown as Uint8Array], meta), isLedgerError('BAD_ARGUMENT'));
  await assert.rejects(
    store.append([entry(2)], { 'bad key': new Uint8Array(1) }),
    isLedgerError('BAD_ARGUMENT'),
  );
  await assert.rejects(
    store.append([entry(2)], { k: 'v' as unknown as Uint8Array }),
    isLedgerError('BAD_ARGUMENT'),
  );
  await assert.rejects(
    store.append(Array.from({ length: BATCH_ENTRIES_MAX + 1 }, () => new Uint8Array(0))),
    isLedgerError('BATCH_TOO_LARGE'),
  );
  assert.throws(
    () => store.rootAfter([new Uint8Array(ENTRY_BYTES_MAX + 1)]),
    isLedgerError('ENTRY_TOO_LARGE'),
  );
  assert.equal(await store.getMeta('marker'), undefined);
  await assert.rejects(store.entries(0, 3), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.entries(1, 1), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.rootAt(3), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.entryBundle(0), isLedgerError('NOT_FOUND'));
  await assert.rejects(store.entryBundle(0, 3), isLedgerError('NOT_FOUND'));
  await assert.rejects(store.tile(0, 0, 0), isLedgerError('BAD_ARGUMENT'));
  await assert.rejects(store.tile(64, 0), isLedgerError('BAD_ARGUMENT'));
  await assert.rejects(store.saveCheckpoint(3, 'x'), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.saveCheckpoint(2, 'not a note'), isLedgerError('BAD_CHECKPOINT'));
  assert.equal(await store.indexOfLeafHash(leafHash(entry(2))), undefined);
  await assert.rejects(store.entry(2), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.inclusionProof(2, 2), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.consistencyProof(1, 3), isLedgerError('INDEX_OUT_OF_RANGE'));
  await assert.rejects(store.tile(0, 0, 3), isLedgerError('NOT_FOUND'));
  assert.equal(store.size(), 2);
  assert.deepEqual(store.rootHash(), root);
  await store.close();
  await assert.rejects(LedgerStore.open(dir, { origin: 'witan/other' }), isLedgerError('ORIGIN_MISMATCH'));
});

test('meta keys move with the batch; checkpoints are stored only for this tree', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  const { size, rootHash } = await store.append([entry(0)], { commit: new Uint8Array([7]) });
  assert.deepEqual(await store.getMeta('commit'), new Uint8Array([7]));
  assert.equal(await store.getMeta('absent'), undefined);
  const body = formatCheckpoint({ origin: ORIGIN, size, rootHash, extensions: [] });
  const note = `${body}\n— ${ORIGIN} AAAAAA==\n`;
  await store.saveCheckpoint(size, note);
  assert.equal(await store.checkpointNote(), note);
  assert.equal(await store.checkpointNote(size), note);
  assert.equal(await store.checkpointNote(0), undefined);
  // The first note saved in a range of sizes, as the world chain asks when a batch's own is missing.
  const later = await store.append([entry(1), entry(2)]);
  const laterNote = `${formatCheckpoint({ origin: ORIGIN, size: later.size, rootHash: later.rootHash, extensions: [] })}\n— ${ORIGIN} AAAAAA==\n`;
  await store.saveCheckpoint(later.size, laterNote);
  assert.deepEqual(await store.firstCheckpointNote(size + 1, later.size + 1), {
    size: later.size,
    note: laterNote,
  });
  assert.deepEqual(await store.firstCheckpointNote(0, later.size + 1), { size, note });
  assert.equal(await store.firstCheckpointNote(size + 1, later.size), undefined);
  await assert.rejects(store.firstCheckpointNote(2, 1), isLedgerError('BAD_ARGUMENT'));
  const wrong = `${formatCheckpoint({ origin: ORIGIN, size, rootHash: EMPTY_ROOT, extensions: [] })}\n— x AAAA\n`;
  await assert.rejects(store.saveCheckpoint(size, wrong), isLedgerError('CHECKPOINT_MISMATCH'));
  assert.equal(toBase64(store.rootHash()), toBase64(later.rootHash));
  assert.equal(TILE_WIDTH, 256);
  await store.close();
});

test('a note saved with durable: false is served and checked but not written, unless its size has none on disk yet', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  const { size, rootHash } = await store.append([entry(0)]);
  const body = formatCheckpoint({ origin: ORIGIN, size, rootHash, extensions: [] });
  const written = `${body}\n— ${ORIGIN} AAAAAA==\n`;
  const fresher = `${body}\n— ${ORIGIN} BBBBBB==\n`;
  await store.saveCheckpoint(size, written);
  await store.saveCheckpoint(size, fresher, { durable: false });
  assert.equal(store.latestCheckpointNote(), fresher);
  assert.equal(await store.checkpointNote(), fresher);
  assert.equal(await store.checkpointNote(size), written);
  const wrong = `${formatCheckpoint({ origin: ORIGIN, size, rootHash: EMPTY_ROOT, extensions: [] })}\n— x AAAA\n`;
  await assert.rejects(
    store.saveCheckpoint(size, wrong, { durable: false }),
    isLedgerError('CHECKPOINT_MISMATCH'),
  );
  assert.equal(store.latestCheckpointNote(), fresher);
  // A note for a size with nothing on disk yet is written whatever was asked.
  const later = await store.append([entry(1)]);
  const laterNote = `${formatCheckpoint({ origin: ORIGIN, size: later.size, rootHash: later.rootHash, extensions: [] })}\n— ${ORIGIN} AAAAAA==\n`;
  await store.saveCheckpoint(later.size, laterNote, { durable: false });
  assert.equal(await store.checkpointNote(later.size), laterNote);
  await store.close();
  const reopened = await LedgerStore.open(dir, { origin: ORIGIN });
  assert.equal(reopened.latestCheckpointNote(), laterNote);
  assert.equal(await reopened.checkpointNote(size), written);
  await reopened.close();
});

test('concurrent appends are serialized in call order; reads during appends stay consistent', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  const leaves: Uint8Array[] = [];
  let next = 0;
  const pending: Promise<{ size: number; rootHash: Uint8Array }>[] = [];
  const reads: Promise<void>[] = [];
  for (let k = 0; k < 20; k++) {
    const entries = Array.from({ length: 1 + ((k * 37) % 90) }, () => entry(next++));
    for (const e of entries) leaves.push(leafHash(e));
    pending.push(store.append(entries));
    // A read issued mid-stream sees some committed size and proves against that size's root.
    reads.push(
      (async () => {
        const size = store.size();
        if (size === 0) return;
        const root = await store.rootAt(size);
        const proof = await store.inclusionProof(size - 1, size);
        assert.ok(verifyInclusion(size - 1, size, leaves[size - 1]!, proof, root));
      })(),
    );
  }
  const results = await Promise.all(pending);
  await Promise.all(reads);
  let expected = 0;
  for (let k = 0; k < results.length; k++) {
    expected += 1 + ((k * 37) % 90);
    assert.equal(results[k]!.size, expected);
    assert.deepEqual(results[k]!.rootHash, mth(leaves.slice(0, expected)));
  }
  await store.close();
  await assert.rejects(store.entry(0), isLedgerError('CLOSED'));
});

test('full bundles are one record; entries, bundles and the leaf index agree across bundle edges and reopen', async () => {
  const dir = tempDir('ledger');
  let store = await LedgerStore.open(dir, { origin: ORIGIN });
  const all: Uint8Array[] = [];
  // Batches that start and end inside bundles, complete several at once, and land on an edge.
  for (const n of [1, 254, 3, 600, 166]) {
    const batch = Array.from({ length: n }, (_, j) => entry(all.length + j));
    all.push(...batch.map((e) => e.slice()));
    await store.append(batch);
    batch[0]!.fill(0); // the caller reuses its buffers: the store kept its own
  }
  assert.equal(store.size(), 1024);
  const check = async (s: LedgerStore): Promise<void> => {
    assert.deepEqual(await s.entries(250, 600), all.slice(250, 600));
    assert.deepEqual(await s.entry(1023), all[1023]);
    const bundle = await s.entryBundle(2);
    assert.equal(
      bundle.length,
      all.slice(512, 768).reduce((n, e) => n + 2 + e.length, 0),
    );
    assert.equal(await s.indexOfLeafHash(leafHash(all[777]!)), 777);
  };
  await check(store);
  await store.append([entry(5)]); // a duplicate of entry 5: the latest index wins
  all.push(entry(5));
  assert.equal(await store.indexOfLeafHash(leafHash(entry(5))), 1024);
  await store.close();
  store = await LedgerStore.open(dir, { origin: ORIGIN });
  await check(store);
  assert.deepEqual(await store.entries(1000, 1025), all.slice(1000, 1025));
  assert.deepEqual(store.rootHash(), mth(all.map(leafHash)));
  await store.close();
});

test('a ledger written with one record per entry and a stored partial level-0 tile still reads and grows', async () => {
  const dir = tempDir('ledger');
  const all = Array.from({ length: 300 }, (_, i) => entry(i));
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  await store.append(all);
  const level0Partial = (await store.tile(0, 1, 44)).slice();
  await store.close();
  // Rewrite it in the older layout: bundle 0 as e/ records, the partial level-0 tile stored.
  const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  const hex = (n: number, d: number): string => n.toString(16).padStart(d, '0');
  await db.batch([
    { type: 'del', key: `b/${hex(0, 14)}` },
    ...all.slice(0, 256).map((value, i) => ({ type: 'put' as const, key: `e/${hex(i, 16)}`, value })),
    { type: 'put', key: `t/00/${hex(1, 14)}`, value: level0Partial },
  ]);
  await db.close();
  const legacy = await LedgerStore.open(dir, { origin: ORIGIN });
  assert.deepEqual(await legacy.entries(200, 300), all.slice(200, 300));
  assert.equal(
    (await legacy.entryBundle(0)).length,
    all.slice(0, 256).reduce((n, e) => n + 2 + e.length, 0),
  );
  assert.equal(await legacy.indexOfLeafHash(leafHash(all[299]!)), 299);
  const more = Array.from({ length: 300 }, (_, i) => entry(300 + i));
  all.push(...more);
  const { rootHash } = await legacy.append(more);
  assert.deepEqual(rootHash, mth(all.map(leafHash)));
  assert.deepEqual(await legacy.entries(0, 600), all);
  await legacy.close();
});

test('the latest checkpoint note is the one with the largest size, also after re-saving an older one and reopening, and is read from memory', async () => {
  const dir = tempDir('ledger');
  const store = await LedgerStore.open(dir, { origin: ORIGIN });
  const noteAt = (size: number, rootHash: Uint8Array, sig: string): string =>
    `${formatCheckpoint({ origin: ORIGIN, size, rootHash, extensions: [] })}\n— ${ORIGIN} ${sig}\n`;
  const one = await store.append([entry(0)]);
  await store.saveCheckpoint(1, noteAt(1, one.rootHash, 'AAAA'));
  const two = await store.append([entry(1)]);
  const latest = noteAt(2, two.rootHash, 'BBBB');
  await store.saveCheckpoint(2, latest);
  await store.saveCheckpoint(1, noteAt(1, one.rootHash, 'CCCC')); // more cosignatures on an old one
  assert.equal(await store.checkpointNote(), latest);
  assert.equal(store.latestCheckpointNote(), latest); // the same note, read from memory
  await store.close();
  assert.throws(() => store.latestCheckpointNote(), isLedgerError('CLOSED'));
  const reopened = await LedgerStore.open(dir, { origin: ORIGIN });
  assert.equal(await reopened.checkpointNote(), latest);
  assert.equal(reopened.latestCheckpointNote(), latest);
  assert.equal(await reopened.checkpointNote(1), noteAt(1, one.rootHash, 'CCCC'));
  await reopened.close();
});

test("an append's tiles go to disk with the next append; killed before that, the ledger recomputes them when opened", async () => {
  const batches = [300, 700]; // the second completes level-0 tiles 1 and 2 and extends level 1
  const killed = tempDir('ledger');
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'fixtures', 'append-and-wait.ts'), killed, ORIGIN, ...batches.map(String)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  assert.equal(line.toString(), 'appended 1000\n');
  child.kill('SIGKILL');
  await once(child, 'exit');

  // On disk: the entries and the size of both appends, the tiles of the first one only.
  const raw = new Level<string, Uint8Array>(killed, { valueEncoding: 'view' });
  await raw.open();
  assert.equal(decodeSize((await raw.get(SIZE_KEY))!), 1000);
  assert.equal(decodeSize((await raw.get(TILED_KEY))!), 300);
  assert.equal(await raw.get('t/00/00000000000001'), undefined);
  await raw.close();

  // The same appends, closed normally: the reference.
  const clean = tempDir('ledger');
  const reference = await LedgerStore.open(clean, { origin: ORIGIN });
  const all = Array.from({ length: 1000 }, (_, i) => entry(i));
  await reference.append(all.slice(0, 300));
  await reference.append(all.slice(300));

  const recovered = await LedgerStore.open(killed, { origin: ORIGIN });
  assert.equal(recovered.size(), 1000);
  assert.deepEqual(recovered.rootHash(), mth(all.map(leafHash)));
  for (let n = 0; n < 4; n++) {
    const width = Math.min(TILE_WIDTH, 1000 - n * TILE_WIDTH);
    assert.deepEqual(await recovered.tile(0, n, width), await reference.tile(0, n, width), `tile 0/${n}`);
    assert.deepEqual(await recovered.entryBundle(n, width), await reference.entryBundle(n, width));
  }
  assert.deepEqual(await recovered.tile(1, 0, 3), await reference.tile(1, 0, 3));
  const proof = await recovered.inclusionProof(777, 1000);
  assert.ok(verifyInclusion(777, 1000, leafHash(all[777]!), proof, recovered.rootHash()));
  const consistency = await recovered.consistencyProof(300, 1000);
  assert.ok(
    verifyConsistency(300, 1000, consistency, mth(all.slice(0, 300).map(leafHash)), recovered.rootHash()),
  );
  // The recomputed tiles were written when opening: the ledger grows on from them.
  const more = Array.from({ length: 100 }, (_, i) => entry(1000 + i));
  all.push(...more);
  assert.deepEqual((await recovered.append(more)).rootHash, mth(all.map(leafHash)));
  await recovered.close();
  await reference.close();
  const reopened = await LedgerStore.open(killed, { origin: ORIGIN });
  const edge = new Uint8Array(76 * 32);
  for (const [j, e] of all.slice(1024).entries()) edge.set(leafHash(e), j * 32);
  assert.deepEqual(await reopened.tile(0, 4, 76), edge);
  assert.equal(await reopened.indexOfLeafHash(leafHash(all[1099]!)), 1099);
  await reopened.close();
  const closed = new Level<string, Uint8Array>(killed, { valueEncoding: 'view' });
  await closed.open();
  assert.equal(decodeSize((await closed.get(TILED_KEY))!), 1100, 'close writes the last tiles');
  await closed.close();
});
