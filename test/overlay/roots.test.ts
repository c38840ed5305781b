// Which roots a peer uses: the world's roots that are not suspended, with peer ids from their
// node keys; every peer of a namespace ranks them the same way (highest random weight), and the
// example table of docs/overlay-client.md §2 is what the code computes for the vector keys.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromBase64 } from '../../src/codec/index.ts';
import { PUBLIC_KEY_BYTES } from '../../src/crypto/index.ts';
import {
  contactOf,
  contactOfAddr,
  peerIdOfNodeKey,
  rankRoots,
  rootsOfWorld,
  worldRoots,
} from '../../src/overlay/index.ts';
import { makeGenesis } from '../governance/fixtures.ts';

const DOC = readFileSync(new URL('../../docs/overlay-client.md', import.meta.url), 'utf8');
const KEYS = JSON.parse(
  readFileSync(new URL('../../ledger/vectors/governance/keys.json', import.meta.url), 'utf8'),
).keys as { name: string; nodeKey: string }[];

function docTable(): { ids: Map<string, string>; orders: Map<string, string[]> } {
  const block = DOC.slice(DOC.indexOf('<!-- root-order -->'), DOC.indexOf('<!-- /root-order -->'));
  const rows = [...block.matchAll(/^\| ([^|]+?) \| ([^|]+?) \|$/gm)].map(
    (m) => [m[1], m[2]] as [string, string],
  );
  const ids = new Map(rows.filter(([, v]) => v.startsWith('12D3KooW')));
  const orders = new Map(
    rows.filter(([k, v]) => k.includes('/') && !v.startsWith('12D3')).map(([k, v]) => [k, v.split(' ')]),
  );
  return { ids, orders };
}

test('the documented root order is what the code computes for the vector node keys', () => {
  const { ids, orders } = docTable();
  assert.equal(ids.size, 4);
  assert.equal(orders.size, 2);
  const roots = KEYS.filter((k) => ids.has(k.name)).map((k) => ({
    name: k.name,
    peerId: peerIdOfNodeKey(fromBase64(k.nodeKey, PUBLIC_KEY_BYTES)),
    p2p: ['/ip4/192.0.2.1/tcp/4001'],
  }));
  for (const r of roots) assert.equal(r.peerId, ids.get(r.name), `${r.name}'s peer id`);
  for (const [ns, order] of orders) {
    assert.deepEqual(
      rankRoots(roots, ns).map((r) => r.name),
      order,
      ns,
    );
    // The order does not depend on the order the roots are listed in.
    assert.deepEqual(
      rankRoots([...roots].reverse(), ns).map((r) => r.name),
      order,
    );
  }
});

test("a world's roots: suspended members left out, endpoints completed with the peer id", () => {
  const world = structuredClone(makeGenesis(4).world);
  (world.members[3] as { status: string }).status = 'suspended';
  const roots = rootsOfWorld(world);
  assert.deepEqual(
    roots.map((r) => r.name),
    ['m00', 'm01', 'm02'],
  );
  const contacts = worldRoots({ world, worldHash: '', freshAtMs: 0 });
  for (const c of contacts) {
    assert.ok(c.p2p.every((a) => a.endsWith(`/p2p/${c.peerId}`)));
    assert.deepEqual(contactOf(roots.find((r) => r.name === c.name)!), c);
  }
});

test('a root given by address needs its peer id; a bad one is OVERLAY_INVALID_OPTIONS', () => {
  const id = peerIdOfNodeKey(fromBase64(KEYS[0]!.nodeKey, PUBLIC_KEY_BYTES));
  assert.deepEqual(contactOfAddr(`/ip4/127.0.0.1/tcp/4001/p2p/${id}`), {
    name: id,
    peerId: id,
    p2p: [`/ip4/127.0.0.1/tcp/4001/p2p/${id}`],
  });
  assert.throws(() => contactOfAddr('/ip4/127.0.0.1/tcp/4001'), { code: 'OVERLAY_INVALID_OPTIONS' });
  assert.throws(() => contactOfAddr('not a multiaddr'), { code: 'OVERLAY_INVALID_OPTIONS' });
});
