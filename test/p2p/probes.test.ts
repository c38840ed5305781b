// The one-shot uses of a root's duties (src/overlay/probes.ts), as a prober checking a root
// would run them from any libp2p node: a raw RESERVE answered with the relay's limits (the
// duration in seconds), a rendezvous round trip that finds its own record, a message exchanged
// through the relay; and a refusal is a typed error that carries the spec's status.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '@libp2p/interface';
import { exchangeMessage, rendezvousRoundTrip, reserveOnce, serveChat } from '../../src/overlay/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { GENEROUS_RELAY, startRoot, startStockNode } from './helpers.ts';

const CIRCUIT_STATUS_RESERVATION_REFUSED = 200;

test('reserve, rendezvous round trip and a relayed message, probed from plain libp2p nodes', {
  timeout: 60_000,
}, async () => {
  const root = await startRoot();
  const prober = await startStockNode();
  const target = await startStockNode();
  try {
    const rootAddr = root.multiaddrs()[0];
    assert.ok(rootAddr);
    const seen = await reserveOnce(prober.node, rootAddr, AbortSignal.timeout(10_000));
    assert.equal(seen.durationS, GENEROUS_RELAY.circuitDurationMs / 1000, 'the duration limit in seconds');
    assert.equal(seen.dataBytes, GENEROUS_RELAY.circuitBytesMax);
    assert.ok(seen.expireS !== undefined && seen.expireS * 1000 > Date.now());
    assert.ok(seen.addrs.length > 0);

    const rt = await rendezvousRoundTrip(prober.node, rootAddr, prober.privateKey, 'witan/probe', 600);
    assert.equal(rt.found, true);
    assert.equal(rt.ttlS, 600);
    // UNREGISTER has no response: the root drops the registration when it reads it.
    await waitUntil('the probe unregistered', () => root.stats().rendezvousRegistrations === 0);

    // The target holds a reservation; the prober reaches it through the root and gets its echo.
    await reserveOnce(target.node, rootAddr, AbortSignal.timeout(10_000));
    await serveChat(target.node);
    const circuit = rootAddr.encapsulate(`/p2p-circuit/p2p/${target.node.peerId}`);
    const conn: Connection = await prober.node.dial(circuit, { signal: AbortSignal.timeout(10_000) });
    const echo = await exchangeMessage(conn, new TextEncoder().encode('probe'), AbortSignal.timeout(10_000));
    assert.equal(new TextDecoder().decode(echo), 'probe');
    assert.ok(conn.remoteAddr.toString().includes('/p2p-circuit'));
  } finally {
    await prober.node.stop();
    await target.node.stop();
    await root.stop();
  }
});

test('a relay that refuses a reservation gives RELAY_REFUSED with the circuit status', {
  timeout: 30_000,
}, async () => {
  const root = await startRoot({ relay: { ...GENEROUS_RELAY, reservationsMax: 1 } });
  const a = await startStockNode();
  const b = await startStockNode();
  try {
    const rootAddr = root.multiaddrs()[0];
    assert.ok(rootAddr);
    await reserveOnce(a.node, rootAddr, AbortSignal.timeout(10_000));
    await assert.rejects(reserveOnce(b.node, rootAddr, AbortSignal.timeout(10_000)), {
      code: 'RELAY_REFUSED',
      status: CIRCUIT_STATUS_RESERVATION_REFUSED,
    });
  } finally {
    await a.node.stop();
    await b.node.stop();
    await root.stop();
  }
});
