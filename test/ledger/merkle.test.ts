// RFC 6962 / RFC 9162 Merkle math against a naive recursive reference written from the RFC's
// definitions (§2.1, §2.1.1 PATH, §2.1.2 PROOF/SUBPROOF): every tree size 1..300 with every
// index, every consistency pair m < n ≤ 300, and tampered proofs rejected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../src/codec/index.ts';
import { sha256 } from '../../src/crypto/index.ts';
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  type HashReader,
  inclusionProof,
  LedgerError,
  leafHash,
  leafHashesInto,
  nodeHash,
  rootOf,
  type SubtreeId,
  subtreeInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeInclusion,
} from '../../src/ledger/index.ts';

const N = 300;
const entries = Array.from({ length: N + 1 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
const leaves = entries.map(leafHash);

// ---- reference: the RFC's recursive definitions, memoized by range ----
const memo = new Map<string, Uint8Array>();
function mth(start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return sha256();
  if (n === 1) return leaves[start]!;
  const key = `${start}:${end}`;
  const hit = memo.get(key);
  if (hit) return hit;
  let k = 1;
  while (k * 2 < n) k *= 2;
  const h = nodeHash(mth(start, start + k), mth(start + k, end));
  memo.set(key, h);
  return h;
}
function path(m: number, start: number, end: number): Uint8Array[] {
  const n = end - start;
  if (n === 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m < k) return [...path(m, start, start + k), mth(start + k, end)];
  return [...path(m - k, start + k, end), mth(start, start + k)];
}
function subproof(m: number, start: number, end: number, b: boolean): Uint8Array[] {
  const n = end - start;
  if (m === n) return b ? [] : [mth(start, end)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...subproof(m, start, start + k, b), mth(start + k, end)];
  return [...subproof(m - k, start + k, end, false), mth(start, start + k)];
}

// A reader over perfect subtrees of the leaves, built bottom-up (as the store's tiles are).
const perfect: Uint8Array[][] = [leaves.slice()];
for (let h = 1; 2 ** h <= leaves.length; h++) {
  const below = perfect[h - 1]!;
  const row: Uint8Array[] = [];
  for (let i = 0; 2 * i + 1 < below.length; i++) row.push(nodeHash(below[2 * i]!, below[2 * i + 1]!));
  perfect.push(row);
}
const reader: HashReader = {
  readHashes: (ids: readonly SubtreeId[]) => ids.map(({ height, index }) => perfect[height]![index]!),
};

const hex = (hs: readonly Uint8Array[]): string[] => hs.map(toHex);
const sameProof = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && hex(a).every((h, i) => h === toHex(b[i]!));

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const out = h.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Every way we tamper with a proof: each node bit-flipped, dropped, duplicated, and one added. */
function tamperings(proof: readonly Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 0; i < proof.length; i++) {
    out.push(proof.map((p, j) => (j === i ? flipBit(p, (i * 37) % 256) : p)));
    out.push(proof.filter((_, j) => j !== i));
    out.push([...proof.slice(0, i + 1), proof[i]!, ...proof.slice(i + 1)]);
  }
  out.push([...proof, leaves[0]!]);
  out.push([leaves[1]!, ...proof]);
  return out;
}

test('the empty tree root is SHA-256 of the empty string', () => {
  assert.equal(toHex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(toHex(rootOf([])), toHex(EMPTY_ROOT));
  assert.equal(toHex(new CompactRange().root()), toHex(EMPTY_ROOT));
});

test('leaf and node hashes use the RFC 6962 prefixes 0x00 and 0x01', () => {
  const e = new Uint8Array([1, 2, 3]);
  assert.equal(toHex(leafHash(e)), toHex(sha256(new Uint8Array([0, 1, 2, 3]))));
  const a = leafHash(e);
  const b = leafHash(new Uint8Array());
  assert.equal(toHex(nodeHash(a, b)), toHex(sha256(new Uint8Array([1]), a, b)));
  for (const size of [0, 1, 65_535, 65_536, 70_000]) {
    const big = new Uint8Array(size).fill(size & 0xff);
    assert.equal(toHex(leafHash(big)), toHex(sha256(new Uint8Array([0]), big)), `entry of ${size} bytes`);
  }
});

test('roots of every size 1..300: rootOf and CompactRange match the recursive MTH', () => {
  const range = new CompactRange();
  for (let n = 1; n <= N; n++) {
    range.append(leaves[n - 1]!);
    const expected = toHex(mth(0, n));
    assert.equal(toHex(range.root()), expected, `size ${n}`);
    assert.equal(toHex(rootOf(leaves.slice(0, n))), expected, `size ${n}`);
    const restored = new CompactRange(n, range.hashes());
    assert.equal(toHex(restored.root()), expected);
  }
});

test('inclusion proofs for every size 1..300 and every index match PATH and verify', async () => {
  let checked = 0;
  for (let n = 1; n <= N; n++) {
    const root = mth(0, n);
    for (let m = 0; m < n; m++) {
      const proof = await inclusionProof(m, n, reader);
      assert.ok(sameProof(proof, path(m, 0, n)), `PATH(${m}, ${n})`);
      assert.ok(verifyInclusion(m, n, leaves[m]!, proof, root), `verify ${m}/${n}`);
      checked++;
    }
  }
  assert.equal(checked, (N * (N + 1)) / 2);
});

test('every tampered inclusion proof is rejected (sizes 1..300, every index)', async () => {
  for (let n = 1; n <= N; n++) {
    const root = mth(0, n);
    // Every index for small trees; beyond 64, every 23rd index and the last one.
    for (let m = 0; m < n; m++) {
      if (n > 64 && m % 23 !== 0 && m !== n - 1) continue;
      const proof = await inclusionProof(m, n, reader);
      for (const bad of tamperings(proof)) {
        assert.equal(verifyInclusion(m, n, leaves[m]!, bad, root), false, `tampered ${m}/${n}`);
      }
      assert.equal(verifyInclusion(m, n, flipBit(leaves[m]!, 3), proof, root), false);
      assert.equal(verifyInclusion(m, n, leaves[m]!, proof, flipBit(root, 200)), false);
      assert.equal(verifyInclusion(n, n, leaves[m]!, proof, root), false);
      // Another index: valid only if it is the same leaf position, i.e. never.
      for (const other of [m - 1, m + 1]) {
        if (other < 0 || other >= n) continue;
        assert.equal(
          verifyInclusion(other, n, leaves[m]!, proof, root),
          false,
          `index ${other} for ${m}/${n}`,
        );
      }
      // Another size with that size's own root: accepted exactly when the proof is that size's proof too.
      // (A proof alone does not pin the size: RFC 9162 verifiers take size and root from one signed checkpoint.)
      for (const size of [n - 1, n + 1]) {
        if (size <= m || size > N) continue;
        const expected = sameProof(proof, path(m, 0, size));
        assert.equal(
          verifyInclusion(m, size, leaves[m]!, proof, mth(0, size)),
          expected,
          `size ${size} for ${m}/${n}`,
        );
      }
    }
  }
});

test('subtree inclusion proofs (sizes 1..300, every complete subtree) are a leaf path above the subtree', async () => {
  let checked = 0;
  for (let n = 1; n <= N; n++) {
    if (n > 64 && n % 7 !== 0 && n !== N) continue; // every size up to 64, a spread beyond
    const root = mth(0, n);
    for (let height = 1; 2 ** height <= n; height++) {
      const span = 2 ** height;
      for (let index = 0; (index + 1) * span <= n; index++) {
        const id = { height, index };
        const hash = perfect[height]![index]!;
        const proof = await subtreeInclusionProof(id, n, reader);
        assert.ok(
          sameProof(proof, path(index * span, 0, n).slice(height)),
          `subtree ${height}/${index} in ${n}`,
        );
        assert.ok(verifySubtreeInclusion(id, n, hash, proof, root), `verify ${height}/${index} in ${n}`);
        assert.equal(verifySubtreeInclusion(id, n, flipBit(hash, 9), proof, root), false);
        assert.equal(verifySubtreeInclusion({ height: height - 1, index }, n, hash, proof, root), false);
        if ((index + 2) * span <= n)
          assert.equal(verifySubtreeInclusion({ height, index: index + 1 }, n, hash, proof, root), false);
        for (const bad of tamperings(proof).slice(0, 6))
          assert.equal(
            verifySubtreeInclusion(id, n, hash, bad, root),
            false,
            `tampered ${height}/${index} in ${n}`,
          );
        checked++;
      }
    }
    // A subtree that does not end inside the tree has no proof.
    assert.equal(
      verifySubtreeInclusion({ height: 1, index: Math.floor(n / 2) }, n, leaves[0]!, [], root),
      false,
    );
  }
  assert.ok(checked > 5_000, `${checked} subtrees checked`);
  await assert.rejects(subtreeInclusionProof({ height: 3, index: 1 }, 15, reader), /not complete/);
});

test('consistency proofs for every pair 1 ≤ m < n ≤ 300 match PROOF and verify', async () => {
  for (let n = 1; n <= N; n++) {
    const root2 = mth(0, n);
    for (let m = 1; m < n; m++) {
      const proof = await consistencyProof(m, n, reader);
      assert.ok(sameProof(proof, subproof(m, 0, n, true)), `PROOF(${m}, ${n})`);
      assert.ok(verifyConsistency(m, n, proof, mth(0, m), root2), `verify ${m}→${n}`);
    }
    assert.deepEqual(await consistencyProof(n, n, reader), []);
    assert.deepEqual(await consistencyProof(0, n, reader), []);
    assert.ok(verifyConsistency(n, n, [], root2, root2));
    assert.ok(verifyConsistency(0, n, [], EMPTY_ROOT, root2));
    assert.equal(verifyConsistency(n, n, [root2], root2, root2), false);
    assert.equal(verifyConsistency(0, n, [], root2, root2), false);
  }
});

test('every tampered consistency proof is rejected', async () => {
  for (let n = 2; n <= N; n++) {
    for (let m = 1; m < n; m++) {
      if (n > 48 && (m * 13 + n) % 29 !== 0) continue; // all pairs up to 48, a spread beyond
      const root1 = mth(0, m);
      const root2 = mth(0, n);
      const proof = await consistencyProof(m, n, reader);
      for (const bad of tamperings(proof)) {
        assert.equal(verifyConsistency(m, n, bad, root1, root2), false, `tampered ${m}→${n}`);
      }
      assert.equal(verifyConsistency(m, n, proof, flipBit(root1, 1), root2), false);
      assert.equal(verifyConsistency(m, n, proof, root1, flipBit(root2, 9)), false);
      assert.equal(verifyConsistency(m, n, [], root1, root2), false);
      assert.equal(verifyConsistency(n, m, proof, root2, root1), false);
      for (const [a, b] of [
        [m - 1, n],
        [m + 1, n],
        [m, n - 1],
        [m, n + 1],
      ] as const) {
        if (a < 1 || b > N || a >= b || (a === m && b === n)) continue;
        const expected = sameProof(proof, subproof(a, 0, b, true));
        assert.equal(
          verifyConsistency(a, b, proof, mth(0, a), mth(0, b)),
          expected,
          `sizes ${a}→${b} for ${m}→${n}`,
        );
      }
    }
  }
});

test('verification never throws on malformed input', () => {
  const junk = [undefined, null, -1, 1.5, Number.NaN, 2 ** 60, 'x', [], {}, new Uint8Array(31)];
  for (const a of junk) {
    for (const b of junk) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
      const x = a as any;
      // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
      const y = b as any;
      assert.equal(verifyInclusion(x, y, leaves[0]!, [], leaves[0]!), false);
      assert.equal(verifyInclusion(0, 1, x, y, leaves[0]!), false);
      assert.equal(verifyConsistency(x, y, [], leaves[0]!, leaves[0]!), false);
      assert.equal(verifyConsistency(1, 2, x, y, leaves[0]!), false);
    }
  }
});

test('property: proofs from random trees verify, and a flipped bit anywhere is rejected', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: N }), fc.nat(), fc.nat(), fc.nat(), async (n, a, b, bit) => {
      const m = a % n;
      const root = mth(0, n);
      const proof = await inclusionProof(m, n, reader);
      assert.ok(verifyInclusion(m, n, leaves[m]!, proof, root));
      if (proof.length > 0) {
        const i = b % proof.length;
        const bad = proof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
        assert.equal(verifyInclusion(m, n, leaves[m]!, bad, root), false);
      }
      const s1 = 1 + (b % n);
      const cproof = await consistencyProof(s1, n, reader);
      assert.ok(verifyConsistency(s1, n, cproof, mth(0, s1), root));
      if (cproof.length > 0) {
        const i = a % cproof.length;
        const bad = cproof.map((p, j) => (j === i ? flipBit(p, bit % 256) : p));
        assert.equal(verifyConsistency(s1, n, bad, mth(0, s1), root), false);
      }
    }),
    { numRuns: 300, seed: 6962 },
  );
});

test('property: CompactRange reports every perfect subtree it completes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: N }), (n) => {
      const seen = new Map<string, string>();
      const range = new CompactRange();
      for (let i = 0; i < n; i++) {
        range.append(leaves[i]!, (height, index, hash) => seen.set(`${height}/${index}`, toHex(hash)));
      }
      for (let h = 0; 2 ** h <= n; h++) {
        for (let i = 0; (i + 1) * 2 ** h <= n; i++) {
          assert.equal(seen.get(`${h}/${i}`), toHex(perfect[h]![i]!));
        }
      }
    }),
    { numRuns: 50, seed: 9162 },
  );
});

test('leafHashesInto packs the leaf hash of each entry from the offset and refuses an oversize entry', () => {
  const some = [new Uint8Array(0), entries[1]!, new Uint8Array(65_535).fill(7), entries[2]!];
  const out = new Uint8Array(3 + some.length * 32 + 5).fill(0xee);
  leafHashesInto(some, out, 3);
  for (let i = 0; i < some.length; i++) {
    assert.equal(toHex(out.subarray(3 + 32 * i, 3 + 32 * (i + 1))), toHex(leafHash(some[i]!)), `entry ${i}`);
  }
  assert.deepEqual([...out.subarray(0, 3), ...out.subarray(3 + some.length * 32)], Array(8).fill(0xee));
  assert.throws(
    () => leafHashesInto([new Uint8Array(65_536)], new Uint8Array(32), 0),
    (err) => err instanceof LedgerError && err.code === 'ENTRY_TOO_LARGE',
  );
});

/** The leaf hashes [from, to), packed. */
function packed(from: number, to: number): Uint8Array {
  const out = new Uint8Array((to - from) * 32);
  for (let i = from; i < to; i++) out.set(leaves[i]!, (i - from) * 32);
  return out;
}

test('property: CompactRange.extend gives the frontier of appending one by one and the subtrees completed, by height', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: N }), fc.integer({ min: 0, max: N }), (size, count) => {
      fc.pre(size + count <= N);
      const range = new CompactRange();
      for (let i = 0; i < size; i++) range.append(leaves[i]!);
      const rows = range.extend(packed(size, size + count));
      const end = size + count;
      assert.equal(range.size, end);
      assert.equal(toHex(range.root()), toHex(mth(0, end)));
      const oneByOne = new CompactRange();
      for (let i = 0; i < end; i++) oneByOne.append(leaves[i]!);
      assert.deepEqual(range.hashes().map(toHex), oneByOne.hashes().map(toHex));
      for (let h = 0; h < rows.length || Math.floor(end / 2 ** h) > Math.floor(size / 2 ** h); h++) {
        const first = Math.floor(size / 2 ** h);
        const expected = perfect[h]!.slice(first, Math.floor(end / 2 ** h)).map(toHex);
        const row = rows[h]!;
        assert.deepEqual(
          Array.from({ length: row.length / 32 }, (_, i) => toHex(row.subarray(32 * i, 32 * (i + 1)))),
          expected,
          `height ${h}`,
        );
      }
    }),
    { numRuns: 300, seed: 2025 },
  );
});

test('property: CompactRange.extend from a frontier of a large tree agrees with append and its visits', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 52 - 1000 }),
      fc.integer({ min: 0, max: 600 }),
      fc.integer({ min: 0, max: 255 }),
      (size, count, fill) => {
        const frontier = CompactRange.frontierIds(size).map((_, i) =>
          new Uint8Array(32).fill((fill + i) & 0xff),
        );
        const one = new CompactRange(size, frontier);
        const all = new CompactRange(size, frontier);
        const byHeight: string[][] = [];
        for (let i = 0; i < count; i++) {
          one.append(leaves[i % N]!, (height, _index, hash) => {
            byHeight[height] = [...(byHeight[height] ?? []), toHex(hash)];
          });
        }
        const leavesPacked = new Uint8Array(count * 32);
        for (let i = 0; i < count; i++) leavesPacked.set(leaves[i % N]!, i * 32);
        const rows = all.extend(leavesPacked);
        assert.equal(all.size, one.size);
        assert.deepEqual(all.hashes().map(toHex), one.hashes().map(toHex));
        assert.equal(toHex(all.root()), toHex(one.root()));
        const got = rows.map((row) =>
          Array.from({ length: row.length / 32 }, (_, i) => toHex(row.subarray(32 * i, 32 * (i + 1)))),
        );
        assert.deepEqual(got.length === 1 && got[0]!.length === 0 ? [] : got, byHeight);
      },
    ),
    { numRuns: 300, seed: 6962 },
  );
});

test('CompactRange.extend refuses leaf bytes that are not whole hashes and a tree past 2^52', () => {
  assert.throws(
    () => new CompactRange().extend(new Uint8Array(33)),
    (err) => err instanceof LedgerError && err.code === 'BAD_ARGUMENT',
  );
  const full = new CompactRange(2 ** 52, [new Uint8Array(32)]);
  assert.throws(
    () => full.extend(new Uint8Array(32)),
    (err) => err instanceof LedgerError && err.code === 'BATCH_TOO_LARGE',
  );
  assert.equal(full.size, 2 ** 52);
});
