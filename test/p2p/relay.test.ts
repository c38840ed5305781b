// Circuit relay v2 on a root, used by plain js-libp2p nodes built from stock modules: one
// reserves a slot, another reaches it through the relay and they exchange 10 MiB; then the
// configured limits (reservations, bytes, duration) are enforced.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Libp2p, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { waitUntil } from '../helpers/wait.ts';
import { GENEROUS_RELAY, type StockNode, startRoot, startStockNode } from './helpers.ts';

const ECHO = '/witan/test-echo/1.0.0';
const MiB = 1024 * 1024;

function circuitAddr(node: Libp2p): Multiaddr | undefined {
  return node.getMultiaddrs().find((a) => a.toString().includes('/p2p-circuit'));
}

/** Echo server: writes back everything it reads. */
async function handleEcho(node: Libp2p): Promise<void> {
  await node.handle(
    ECHO,
    async (stream: Stream) => {
      for await (const chunk of stream) {
        if (!stream.send(chunk)) await stream.onDrain();
      }
      await stream.close();
    },
    { runOnLimitedConnection: true },
  );
}

/** Sends `total` bytes and counts the echoed bytes; resolves to bytes echoed back. */
async function pump(stream: Stream, total: number): Promise<number> {
  const chunk = new Uint8Array(64 * 1024).fill(7);
  let received = 0;
  const reading = (async () => {
    for await (const c of stream) {
      received += c.byteLength;
      if (received >= total) break;
    }
  })();
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!stream.send(chunk)) await stream.onDrain();
  }
  await reading;
  return received;
}

async function reserve(relayAddr: Multiaddr): Promise<StockNode> {
  return startStockNode(['/ip4/127.0.0.1/tcp/0', `${relayAddr.toString()}/p2p-circuit`]);
}

test('a stock node reserves on the root and another exchanges 10 MiB with it through the relay', {
  timeout: 30_000,
}, async () => {
  const root = await startRoot({ relay: { ...GENEROUS_RELAY, circuitBytesMax: 64 * MiB } });
  const relayAddr = root.multiaddrs()[0];
  assert.ok(relayAddr);
  const nodes: StockNode[] = [];
  try {
    const listener = await reserve(relayAddr);
    nodes.push(listener);
    await handleEcho(listener.node);
    await waitUntil('a /p2p-circuit address', () => circuitAddr(listener.node) !== undefined, {
      timeoutMs: 10_000,
    });
    assert.equal(root.stats().reservations, 1);
    const dialer = await startStockNode();
    nodes.push(dialer);
    const target = circuitAddr(listener.node);
    assert.ok(target);
    const stream = await dialer.node.dialProtocol(target, ECHO, { runOnLimitedConnection: true });
    const conn = dialer.node.getConnections(listener.node.peerId)[0];
    assert.ok(conn?.remoteAddr.toString().includes('/p2p-circuit'), 'the connection is relayed');
    assert.equal(root.stats().circuits, 1);
    const t0 = performance.now();
    const echoed = await pump(stream, 10 * MiB);
    const ms = performance.now() - t0;
    assert.equal(echoed, 10 * MiB);
    console.log(`10 MiB each way through the relay in ${ms.toFixed(0)} ms`);
    // Both directions crossed the relay (plus Noise and Yamux framing).
    assert.ok(root.stats().relayedBytes >= 20 * MiB, `relayed ${root.stats().relayedBytes} bytes`);
    await stream.close();
  } finally {
    await Promise.all(nodes.map((n) => n.node.stop()));
    await root.stop();
  }
});

test('relay limits are enforced: reservations beyond the maximum, bytes and duration per circuit', {
  timeout: 30_000,
}, async () => {
  const root = await startRoot({
    relay: { ...GENEROUS_RELAY, reservationsMax: 1, circuitBytesMax: 256 * 1024, circuitDurationMs: 1500 },
  });
  const relayAddr = root.multiaddrs()[0];
  assert.ok(relayAddr);
  const nodes: StockNode[] = [];
  try {
    const first = await reserve(relayAddr);
    nodes.push(first);
    await handleEcho(first.node);
    await waitUntil('the first reservation', () => circuitAddr(first.node) !== undefined, {
      timeoutMs: 10_000,
    });
    // A second reservation is refused: the node does not start, or starts without a circuit
    // address. Either way its answer is in: a node's start waits for its reservation's outcome.
    const second = await reserve(relayAddr).catch(() => undefined);
    if (second !== undefined) {
      nodes.push(second);
      assert.equal(circuitAddr(second.node), undefined, 'the second node got no relay address');
    }
    assert.equal(root.stats().reservations, 1);

    // Bytes: a 1 MiB echo through a 256 KiB circuit is cut off.
    const target = circuitAddr(first.node);
    assert.ok(target);
    const dialer = await startStockNode();
    nodes.push(dialer);
    const stream = await dialer.node.dialProtocol(target, ECHO, { runOnLimitedConnection: true });
    const echoed = await pump(stream, MiB).catch(() => -1);
    assert.ok(echoed < MiB, `only part of 1 MiB crossed a 256 KiB circuit (${echoed})`);
    await waitUntil('circuit closed', () => dialer.node.getConnections(first.node.peerId).length === 0, {
      timeoutMs: 5000,
    });

    // Duration: an idle circuit is closed after 1.5 s.
    const conn = await dialer.node.dial(target);
    const opened = Date.now();
    await waitUntil('the circuit to expire', () => conn.status !== 'open', { timeoutMs: 10_000 });
    const lived = Date.now() - opened;
    assert.ok(lived >= 1000 && lived < 8000, `circuit lived ${lived} ms`);
  } finally {
    await Promise.all(nodes.map((n) => n.node.stop()));
    await root.stop();
  }
});
