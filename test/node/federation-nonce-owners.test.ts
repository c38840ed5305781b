// Which coordinator a nonce commitment belongs to (src/node/federation/nonce-owners.ts): every
// root names the same owner from the commitment alone, a coordinator takes its own least, and
// coordinators that take one commitment each of a signer never take the same one while its
// owner holds at least as many as there are coordinators; a signer announces each
// coordinator's least few.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { NonceOwners } from '../../src/node/federation/nonce-owners.ts';

const COORDINATORS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

function commitment(): { hiding: string; binding: string } {
  return { hiding: randomBytes(32).toString('hex'), binding: randomBytes(32).toString('hex') };
}

test('every root names the same owner, whatever the order it lists the coordinators in, and every coordinator owns some', () => {
  const a = new NonceOwners(COORDINATORS);
  const b = new NonceOwners([...COORDINATORS].reverse().concat('m3'));
  const commitments = Array.from({ length: 700 }, commitment);
  for (const c of commitments) assert.equal(a.ownerOf(c), b.ownerOf(c));
  const held = a.holdings(commitments);
  assert.deepEqual([...held.keys()], COORDINATORS);
  for (const [name, count] of held) assert.ok(count > 50, `${name} owns ${count} of 700`);
  assert.equal(new NonceOwners([]).ownerOf(commitments[0]!), undefined);
});

test('a coordinator takes its own least commitment; one without any takes from the coordinator that has the most', () => {
  const owners = new NonceOwners(COORDINATORS);
  const available = Array.from({ length: 20 }, commitment);
  for (const self of COORDINATORS) {
    const mine = available.filter((c) => owners.ownerOf(c) === self);
    const picked = available[owners.pick(self, available)]!;
    if (mine.length > 0) {
      assert.equal(owners.ownerOf(picked), self);
      assert.equal(picked.hiding, mine.map((c) => c.hiding).sort()[0]);
    }
  }
  const lonely = available.filter((c) => owners.ownerOf(c) !== 'm1');
  const held = owners.holdings(lonely);
  const picked = lonely[owners.pick('m1', lonely)]!;
  assert.equal(held.get(owners.ownerOf(picked)!), Math.max(...held.values()));
  assert.equal(owners.pick('not-a-coordinator', available), 0);
});

test('coordinators taking one commitment each of a signer take the same one only when its owner holds fewer than there are coordinators', () => {
  const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 9 }),
      fc.uniqueArray(fc.record({ hiding: hex32, binding: hex32 }), {
        minLength: 1,
        maxLength: 64,
        selector: (c) => c.hiding,
      }),
      fc.integer({ min: 1, max: 8 }),
      (k, all, suppliers) => {
        const names = Array.from({ length: k }, (_, i) => `c${i}`);
        const owners = new NonceOwners(names);
        // Only the first few coordinators own any of the signer's commitments: the others must
        // take theirs.
        const available = all.filter((c) => names.indexOf(owners.ownerOf(c)!) < suppliers);
        fc.pre(available.length > 0);
        const held = owners.holdings(available);
        const picks = names.map((name) => available[owners.pick(name, available)]!);
        for (let x = 0; x < k; x++) {
          for (let y = x + 1; y < k; y++) {
            if (picks[x] === picks[y]) assert.ok(held.get(owners.ownerOf(picks[x]!)!)! < k);
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});

test("a signer announces each coordinator's least few, in its own order", () => {
  const owners = new NonceOwners(COORDINATORS);
  const unused = Array.from({ length: 60 }, commitment);
  const announced = owners.announced(unused, 4);
  const held = owners.holdings(unused);
  for (const name of COORDINATORS) {
    const theirs = unused.filter((c) => owners.ownerOf(c) === name).map((c) => c.hiding);
    const shown = announced.filter((c) => owners.ownerOf(c) === name).map((c) => c.hiding);
    assert.equal(shown.length, Math.min(4, held.get(name)!));
    assert.deepEqual([...shown].sort(), [...theirs].sort().slice(0, 4));
  }
  assert.deepEqual(
    announced,
    unused.filter((c) => announced.includes(c)),
    'in the order given',
  );
  assert.deepEqual(new NonceOwners([]).announced(unused, 4), unused);
});
