// 1,000 registrations, discovered over /rendezvous/1.0.0 by a plain js-libp2p client in pages of
// 100, each exactly once; a registration added later appears on the next page with the old cookie.
// 50 plain clients register over the wire; the other 950 (each its own key and signed record)
// go through the server's request handler directly, because 1,000 Noise handshakes take ≈40 s
// on 2 cores and the budget for this file is 30 s.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { MessageType, type RendezvousServer, ResponseStatus } from '../../src/node/p2p/index.ts';
import { RendezvousClient } from '../../src/overlay/rendezvous-client.ts';
import { type StockNode, startRoot, startStockNode } from './helpers.ts';

const NS = 'witan/test/paging';
const CLIENTS = 1000;
const OVER_THE_WIRE = 50;

test('1,000 registrations are discovered in pages of 100, each exactly once, and later ones on the next page', {
  timeout: 30_000,
}, async () => {
  const root = await startRoot();
  const addr = root.multiaddrs()[0];
  assert.ok(addr);
  const clients: StockNode[] = [];
  try {
    const expected = new Set<string>();
    // In batches of 10: 50 Noise handshakes at once can time out on 2 busy cores.
    const wire: StockNode[] = [];
    for (let b = 0; b < OVER_THE_WIRE / 10; b++) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const c = await startStockNode();
          const rc = new RendezvousClient(c.node, addr, { privateKey: c.privateKey });
          await rc.register(NS, 3600);
          await rc.close();
          await c.node.stop();
          return c;
        }),
      );
      wire.push(...batch);
    }
    clients.push(...wire);
    for (const c of wire) expected.add(c.node.peerId.toString());
    const server = (root.libp2p.services as { rendezvous: RendezvousServer }).rendezvous;
    for (let i = OVER_THE_WIRE; i < CLIENTS; i++) {
      const key = await generateKeyPair('Ed25519');
      const peerId = peerIdFromPrivateKey(key);
      const envelope = await RecordEnvelope.seal(new PeerRecord({ peerId, multiaddrs: [] }), key);
      const r = await server.handle(
        { type: MessageType.REGISTER, register: { ns: NS, signedPeerRecord: envelope.marshal(), ttl: 3600 } },
        peerId.toString(),
      );
      assert.ok(r !== null && r !== 'no-reply');
      assert.equal(r.registerResponse?.status, ResponseStatus.OK);
      expected.add(peerId.toString());
    }
    assert.equal(root.stats().rendezvousRegistrations, CLIENTS);
    const d = await startStockNode();
    clients.push(d);
    const rc = new RendezvousClient(d.node, addr, { privateKey: d.privateKey });
    const seen = new Set<string>();
    let cookie: Uint8Array | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await rc.discover(NS, 100, cookie);
      cookie = r.cookie;
      assert.ok(r.registrations.length <= 100);
      if (r.registrations.length === 0) break;
      for (const reg of r.registrations) {
        assert.ok(!seen.has(reg.peerId), `${reg.peerId} returned twice`);
        seen.add(reg.peerId);
      }
    }
    assert.equal(seen.size, CLIENTS);
    assert.deepEqual(seen, expected);
    // A newcomer registers; the old cookie now yields exactly it.
    const late = await startStockNode();
    clients.push(late);
    await new RendezvousClient(late.node, addr, { privateKey: late.privateKey }).register(NS);
    const next = await rc.discover(NS, 100, cookie);
    assert.deepEqual(
      next.registrations.map((r) => r.peerId),
      [late.node.peerId.toString()],
    );
    const after = await rc.discover(NS, 100, next.cookie);
    assert.equal(after.registrations.length, 0);
    await rc.close();
  } finally {
    await Promise.all(clients.map((c) => c.node.stop()));
    await root.stop();
  }
});
