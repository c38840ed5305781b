// The root host's identity, options checks and metrics.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import { DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX } from '../../src/node/p2p/constants.ts';
import { createRootHost, P2PError, peerIdOfNodeKey } from '../../src/node/p2p/index.ts';
import { GENEROUS_RELAY, startRoot, TEST_FEDERATION } from './helpers.ts';

test('the node key is the libp2p identity (peerIdOfNodeKey), listening on TCP and WebSockets', async () => {
  const seed = new Uint8Array(32).fill(7);
  const host = await startRoot({
    nodeSecretKey: seed,
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
  });
  try {
    assert.equal(peerIdOfNodeKey(keyPairFromSeed(seed).publicKey), host.peerId.toString());
    assert.deepEqual(host.topics, {
      consensus: `/witan/${TEST_FEDERATION}/consensus/1`,
      statements: `/witan/${TEST_FEDERATION}/statements/1`,
      cosignatures: `/witan/${TEST_FEDERATION}/cosignatures/1`,
      frost: `/witan/${TEST_FEDERATION}/frost/1`,
    });
    const addrs = host.multiaddrs().map(String);
    assert.ok(
      addrs.some((a) => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a)),
      addrs.join(' '),
    );
    assert.ok(
      addrs.some((a) => a.includes('/ws/')),
      addrs.join(' '),
    );
    await assert.rejects(host.publish('/witan/other/consensus/1', new Uint8Array(1)), {
      code: 'P2P_INVALID_OPTIONS',
    });
  } finally {
    await host.stop();
  }
});

test('bad options are refused with P2P_INVALID_OPTIONS before anything listens', async () => {
  const base = {
    nodeSecretKey: new Uint8Array(32),
    federation: TEST_FEDERATION,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    relay: GENEROUS_RELAY,
  };
  const refused = async (o: Parameters<typeof createRootHost>[0]) =>
    assert.rejects(
      createRootHost(o),
      (e: unknown) => e instanceof P2PError && e.code === 'P2P_INVALID_OPTIONS',
    );
  await refused({ ...base, nodeSecretKey: new Uint8Array(31) });
  await refused({ ...base, listen: [] });
  await refused({ ...base, relay: { ...GENEROUS_RELAY, reservationsMax: 0 } });
  await refused({ ...base, relay: { ...GENEROUS_RELAY, circuitBytesMax: 1.5 } });
});

test('the host holds a connection for every reservation the policy allows, besides its others', async () => {
  // Above the connections kept for everything else: a fixed total would refuse reservations.
  const reservationsMax = 3 * DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX;
  const host = await startRoot({ relay: { ...GENEROUS_RELAY, reservationsMax } });
  try {
    const expected = reservationsMax + DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX;
    assert.equal(host.stats().connectionsMax, expected);
    // What libp2p itself enforces: it refuses inbound connections beyond this.
    const manager = (
      host.libp2p as unknown as { components: { connectionManager: { getMaxConnections(): number } } }
    ).components.connectionManager;
    assert.equal(manager.getMaxConnections(), expected);
  } finally {
    await host.stop();
  }
});

test('with a registry, libp2p metrics and the relay/rendezvous gauges are exported', async () => {
  const registry = new Registry();
  const host = await startRoot({ metrics: registry });
  try {
    const text = await registry.metrics();
    for (const name of [
      'witan_relay_reservations 0',
      'witan_relay_circuits 0',
      'witan_relay_bytes_total 0',
      'witan_peers 0',
      'witan_rendezvous_registrations 0',
      'libp2p_',
    ]) {
      assert.ok(text.includes(name), `${name} in /metrics`);
    }
  } finally {
    await host.stop();
  }
});
