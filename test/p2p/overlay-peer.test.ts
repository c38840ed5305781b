// Two overlay peers bootstrap from two roots: each reserves a relay slot on both, registers in a
// namespace, discovers the other and exchanges a message with it through /p2p-circuit.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOverlayPeer, type OverlayPeer } from '../../src/overlay/index.ts';
import { startRoot } from './helpers.ts';

test('overlay peers reserve on roots, meet by rendezvous and chat through a relay', {
  timeout: 30_000,
}, async () => {
  const roots = [await startRoot(), await startRoot()];
  const bootstrap = roots.map((r) => `${r.multiaddrs()[0]?.toString()}`);
  const peers: OverlayPeer[] = [];
  try {
    const alice = await createOverlayPeer({ bootstrap, namespace: 'witan/test/chat' });
    peers.push(alice);
    const bob = await createOverlayPeer({ bootstrap, namespace: 'witan/test/chat' });
    peers.push(bob);
    assert.equal(alice.relayAddrs().length, 2, 'a reservation on each root');
    for (const r of roots) assert.equal(r.stats().reservations, 2);
    const found = await bob.discover();
    assert.deepEqual(
      found.map((f) => f.peerId),
      [alice.peerId],
    );
    const echo = await bob.chat(alice.peerId, new TextEncoder().encode('hello through the relay'));
    assert.equal(new TextDecoder().decode(echo), 'hello through the relay');
    const conn = bob.node.getConnections(alice.node.peerId)[0];
    assert.ok(conn?.remoteAddr.toString().includes('/p2p-circuit'));
    assert.equal(
      roots.reduce((n, r) => n + r.stats().circuits, 0),
      1,
    );
    await assert.rejects(bob.chat('12D3KooWNotRegistered', new Uint8Array([1])), { code: 'PEER_NOT_FOUND' });
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await Promise.all(roots.map((r) => r.stop()));
  }
});
