// Overlay peers on root hosts (127.0.0.1): each reserves a relay slot on two of three roots —
// the same two, by the namespace's order — registers there, discovers the other and exchanges a
// message with it through /p2p-circuit. When one of those roots stops, each peer moves its
// reservation and registration to the third root and they still meet. Reservations here last
// 60 s, below js-libp2p's 10-minute refresh window, where its relay discovery can drop a
// reservation it has just made (src/overlay/host.ts NO_RELAY_DISCOVERY).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RootHost } from '../../src/node/p2p/index.ts';
import { contactOfAddr, createOverlayPeer, type OverlayPeer, rankRoots } from '../../src/overlay/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startRoot } from './helpers.ts';

const NAMESPACE = 'witan/test/chat';
/** A failover on one machine: the stopped root's connections close at once. */
const FAILOVER_TIMEOUT_MS = 20_000;

type Setup = { roots: RootHost[]; addrs: string[]; alice: OverlayPeer; bob: OverlayPeer };

/** Three roots and two peers of one namespace on them; all stopped once `body` is done. */
async function withTwoPeers(body: (s: Setup) => Promise<void>): Promise<void> {
  const roots = [await startRoot(), await startRoot(), await startRoot()];
  const addrs = roots.map((r) => `${r.multiaddrs()[0]?.toString()}`);
  const peers: OverlayPeer[] = [];
  try {
    for (let i = 0; i < 2; i++) peers.push(await createOverlayPeer({ roots: addrs, namespace: NAMESPACE }));
    await body({ roots, addrs, alice: peers[0] as OverlayPeer, bob: peers[1] as OverlayPeer });
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await Promise.all(roots.map((r) => r.stop()));
  }
}

test('overlay peers reserve on two roots, meet by rendezvous and chat through a relay', {
  timeout: 60_000,
}, async () => {
  await withTwoPeers(async ({ roots, addrs, alice, bob }) => {
    const expected = rankRoots(addrs.map(contactOfAddr), NAMESPACE)
      .slice(0, 2)
      .map((r) => r.peerId)
      .sort();
    for (const p of [alice, bob]) {
      assert.deepEqual(
        p
          .roots()
          .map((r) => r.peerId)
          .sort(),
        expected,
        'both peers use the first two roots of the namespace order',
      );
      assert.ok(p.roots().every((r) => r.reserved && r.registered));
      assert.equal(p.relayAddrs().length, 2, 'a relay address through each root');
    }
    const found = await bob.discover();
    assert.deepEqual(
      found.map((f) => f.peerId),
      [alice.peerId],
    );
    const echo = await bob.send(alice.peerId, new TextEncoder().encode('hello through the relay'));
    assert.equal(new TextDecoder().decode(echo), 'hello through the relay');
    const conn = bob.node.getConnections(alice.node.peerId)[0];
    assert.ok(conn?.remoteAddr.toString().includes('/p2p-circuit'));
    assert.equal(
      roots.reduce((n, r) => n + r.stats().circuits, 0),
      1,
    );
    await assert.rejects(bob.send('12D3KooWNotRegistered', new Uint8Array([1])), { code: 'PEER_NOT_FOUND' });
    // Identify has run on every root connection by now; a second ("discovered") reservation
    // request after it would have dropped a reservation.
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of [alice, bob])
      assert.equal(p.relayAddrs().length, 2, 'no reservation lost after identify');
  });
});

test('when a root stops, its reservations and registrations move to the third root and peers still meet', {
  timeout: 90_000,
}, async () => {
  await withTwoPeers(async ({ roots, addrs, alice, bob }) => {
    const order = rankRoots(addrs.map(contactOfAddr), NAMESPACE);
    const victim = roots.find((r) => r.peerId.toString() === order[0]?.peerId);
    assert.ok(victim);
    const t0 = Date.now();
    await victim.stop();
    for (const p of [alice, bob]) {
      const done = await waitUntil(
        'a complete failover',
        () => p.failovers().find((f) => f.registeredAtMs !== null),
        {
          timeoutMs: FAILOVER_TIMEOUT_MS,
          intervalMs: 50,
        },
      );
      assert.equal(done.lost, order[0]?.peerId);
      assert.equal(done.replacement, order[2]?.peerId, 'the next root of the namespace order');
      console.log(
        `failover of ${p.peerId.slice(-6)}: ${(done.registeredAtMs as number) - t0} ms after the root stopped`,
      );
      assert.deepEqual(
        p
          .roots()
          .map((r) => r.peerId)
          .sort(),
        [order[1]?.peerId, order[2]?.peerId].sort(),
      );
      assert.equal(p.relayAddrs().length, 2);
    }
    // Bob finds Alice at the new root as well as the old one, and reaches her.
    const third = roots.find((r) => r.peerId.toString() === order[2]?.peerId);
    assert.ok(third && third.stats().reservations >= 2);
    const echo = await bob.send(alice.peerId, new TextEncoder().encode('after the failover'));
    assert.equal(new TextDecoder().decode(echo), 'after the failover');
  });
});

test('no root reachable is RELAY_UNAVAILABLE after the start-up passes; fewer than two roots is ROOTS_TOO_FEW', {
  timeout: 60_000,
}, async () => {
  const gone = [await startRoot(), await startRoot()];
  const addrs = gone.map((r) => `${r.multiaddrs()[0]?.toString()}`);
  await Promise.all(gone.map((r) => r.stop()));
  await assert.rejects(createOverlayPeer({ roots: addrs, namespace: NAMESPACE }), {
    code: 'RELAY_UNAVAILABLE',
  });
  await assert.rejects(createOverlayPeer({ roots: addrs.slice(0, 1) }), { code: 'ROOTS_TOO_FEW' });
  await assert.rejects(createOverlayPeer({ roots: addrs, rootsWanted: 1 }), {
    code: 'OVERLAY_INVALID_OPTIONS',
  });
});
