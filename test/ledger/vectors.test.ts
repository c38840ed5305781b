// The frozen vectors in ledger/vectors/trees/ are what outside verifiers test against: check
// that the generator still reproduces them byte for byte, that they agree with an independent
// recursive MTH written here, that every proof in them verifies, and that a LedgerStore
// built from the same entries serves exactly the same proofs and tile bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { treeVectors, VECTORS_DIR } from '../../scripts/gen-tree-vectors.ts';
import { canonicalBytes, fromHex, toHex } from '../../src/codec/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import { parseTilePath, verifyConsistency, verifyInclusion } from '../../src/ledger/index.ts';
import { LedgerStore } from '../../src/ledger/store.ts';
import { tempDir } from '../helpers/temp.ts';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
const entriesFile = read<{ entries: string[]; leafHashes: string[] }>('entries.json');
const rootsFile = read<{ roots: string[] }>('roots.json');
type InclusionVector = { index: number; size: number; leafHash: string; proof: string[]; root: string };
type ConsistencyVector = { size1: number; size2: number; root1: string; root2: string; proof: string[] };
const inclusion = read<{ proofs: InclusionVector[] }>('inclusion.json').proofs;
const consistency = read<{ proofs: ConsistencyVector[] }>('consistency.json').proofs;
const tiles = read<{ tiles: Array<{ treeSize: number; path: string; hex: string }> }>('tiles.json').tiles;

test('the generator reproduces the committed vectors byte for byte', () => {
  for (const [name, text] of Object.entries(treeVectors())) {
    assert.equal(
      readFileSync(join(VECTORS_DIR, name), 'utf8'),
      text,
      `${name} is stale: run scripts/gen-tree-vectors.ts`,
    );
  }
});

test('entries, leaf hashes and roots agree with the RFC 6962 definitions', () => {
  const entries = entriesFile.entries.map((h) => fromHex(h));
  entries.forEach((e, i) => {
    assert.equal(toHex(e), toHex(canonicalBytes({ index: i, vector: 'witan ledger' })));
    assert.equal(entriesFile.leafHashes[i], toHex(sha256(new Uint8Array([0]), e)));
  });
  const leaves = entriesFile.leafHashes.map((h) => fromHex(h));
  const memo = new Map<string, Uint8Array>();
  const mth = (start: number, end: number): Uint8Array => {
    if (end - start === 1) return leaves[start]!;
    const key = `${start}/${end}`;
    const hit = memo.get(key);
    if (hit) return hit;
    let k = 1;
    while (k * 2 < end - start) k *= 2;
    const h = sha256(new Uint8Array([1]), mth(start, start + k), mth(start + k, end));
    memo.set(key, h);
    return h;
  };
  assert.equal(rootsFile.roots[0], toHex(sha256()));
  assert.equal(rootsFile.roots.length, entries.length + 1);
  for (let n = 1; n <= entries.length; n++) assert.equal(rootsFile.roots[n], toHex(mth(0, n)), `root ${n}`);
});

test('every proof in the vectors verifies', () => {
  for (const v of inclusion) {
    assert.equal(v.root, rootsFile.roots[v.size]);
    assert.ok(
      verifyInclusion(
        v.index,
        v.size,
        fromHex(v.leafHash),
        v.proof.map((h) => fromHex(h)),
        fromHex(v.root),
      ),
    );
  }
  for (const v of consistency) {
    const proof = v.proof.map((h) => fromHex(h));
    assert.ok(
      verifyConsistency(v.size1, v.size2, proof, fromHex(v.root1), fromHex(v.root2)),
      `${v.size1}→${v.size2}`,
    );
  }
  assert.ok(inclusion.length >= (32 * 33) / 2);
  assert.ok(consistency.length >= (33 * 34) / 2 - 1);
});

test('a LedgerStore built from the vector entries serves the same proofs and tiles', async () => {
  const dir = tempDir('vectors');
  const store = await LedgerStore.open(dir, { origin: 'witan/vectors' });
  const entries = entriesFile.entries.map((h) => fromHex(h));
  const sizes = [...new Set(tiles.map((x) => x.treeSize))];
  let done = 0;
  for (const size of sizes) {
    // Grow in uneven batches so tile boundaries fall inside batches.
    while (done < size) {
      const n = Math.min(size - done, 1 + ((done * 7) % 97));
      await store.append(entries.slice(done, done + n));
      done += n;
    }
    for (const v of tiles.filter((x) => x.treeSize === size)) {
      const id = parseTilePath(v.path);
      const bytes =
        id.level === 'entries'
          ? await store.entryBundle(id.index, id.width)
          : await store.tile(id.level, id.index, id.width);
      assert.equal(toHex(bytes), v.hex, `${v.path} at size ${size}`);
    }
  }
  // Partial tiles of the earlier tree are still served after the tree grew past them.
  for (const v of tiles.filter((x) => x.treeSize === sizes[0])) {
    const id = parseTilePath(v.path);
    const bytes =
      id.level === 'entries'
        ? await store.entryBundle(id.index, id.width)
        : await store.tile(id.level, id.index, id.width);
    assert.equal(toHex(bytes), v.hex, `${v.path} after growth`);
  }
  for (const v of inclusion) {
    assert.deepEqual(
      (await store.inclusionProof(v.index, v.size)).map(toHex),
      v.proof,
      `${v.index}/${v.size}`,
    );
  }
  for (const v of consistency) {
    assert.deepEqual(
      (await store.consistencyProof(v.size1, v.size2)).map(toHex),
      v.proof,
      `${v.size1}→${v.size2}`,
    );
  }
  for (let n = 0; n <= done; n += 37) assert.equal(toHex(await store.rootAt(n)), rootsFile.roots[n]);
  await store.close();
});
