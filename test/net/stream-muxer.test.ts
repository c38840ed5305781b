// The hosts' stream muxer hands credit back by halves: two real libp2p hosts (TCP on 127.0.0.1,
// Noise, our muxer) talk through a TCP relay that counts the bytes each way. Many small messages
// draw no WINDOW_UPDATE per message from the receiver (the stock muxer sends one per frame), and
// a transfer many windows long still flows and arrives whole.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { after, before, test } from 'node:test';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { streamMuxer } from '../../src/net/stream-muxer.ts';

const PROTOCOL = '/witan-test/sink/1.0.0';
const SMALL_MESSAGES = 400;
const SMALL_MESSAGE_BYTES = 100;
/** 16 stock receive windows (256 KiB each): credit must come back again and again. */
const BULK_BYTES = 4 * 1024 * 1024;
/** A WINDOW_UPDATE on the wire: 12-byte yamux header + 16-byte Noise tag + 2-byte length. */
const WINDOW_UPDATE_WIRE_BYTES = 30;

type Counted = { server: Server; port: number; toDialer: () => number; close: () => void };

/** A TCP relay to `targetPort` that counts the bytes flowing back to whoever dialled it. */
async function countingRelay(targetPort: number): Promise<Counted> {
  let back = 0;
  const sockets: Socket[] = [];
  const server = createServer((inbound) => {
    const outbound = tcpConnect(targetPort, '127.0.0.1');
    sockets.push(inbound, outbound);
    inbound.pipe(outbound);
    outbound.on('data', (d: Buffer) => {
      back += d.length;
    });
    outbound.pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    toDialer: () => back,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

async function host(muxer: ReturnType<typeof yamux>): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [muxer],
    connectionMonitor: { enabled: false },
  });
}

/** Received bytes per stream, hashed, reported when the stream ends. */
type Sink = { done: Map<string, { bytes: number; sha256: string }> };

async function sinkOn(node: Libp2p): Promise<Sink> {
  const sink: Sink = { done: new Map() };
  await node.handle(PROTOCOL, async (stream: Stream) => {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of stream) {
      const data = chunk.subarray();
      hash.update(data);
      bytes += data.length;
    }
    sink.done.set(stream.id, { bytes, sha256: hash.digest('hex') });
    await stream.close();
  });
  return sink;
}

async function send(stream: Stream, data: Uint8Array): Promise<void> {
  if (!stream.send(data)) await stream.onDrain({ signal: AbortSignal.timeout(10_000) });
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Pair = { dialer: Libp2p; listener: Libp2p; relay: Counted; sink: Sink };

async function pair(
  dialerMuxer: ReturnType<typeof yamux>,
  listenerMuxer: ReturnType<typeof yamux>,
): Promise<Pair> {
  const listener = await host(listenerMuxer);
  const sink = await sinkOn(listener);
  const dialer = await host(dialerMuxer);
  const port = Number(listener.getMultiaddrs()[0]!.toString().split('/')[4]);
  const relay = await countingRelay(port);
  await dialer.dial(multiaddr(`/ip4/127.0.0.1/tcp/${relay.port}/p2p/${listener.peerId.toString()}`));
  return { dialer, listener, relay, sink };
}

/** Bytes the listener sent back while the dialer sent SMALL_MESSAGES messages, one frame each. */
async function backTrafficOfSmallMessages(p: Pair): Promise<number> {
  const stream = await p.dialer.dialProtocol(p.listener.peerId, PROTOCOL);
  await new Promise((r) => setTimeout(r, 200));
  const before = p.relay.toDialer();
  for (let i = 0; i < SMALL_MESSAGES; i++) {
    await send(stream, new Uint8Array(SMALL_MESSAGE_BYTES).fill(i & 0xff));
    // One frame each, as between roots: the next message waits until this one is out.
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 200));
  const back = p.relay.toDialer() - before;
  await stream.close();
  await waitFor(() => p.sink.done.size > 0, 10_000);
  return back;
}

let ours: Pair;
let stock: Pair;

before(async () => {
  ours = await pair(streamMuxer(), streamMuxer());
  stock = await pair(yamux(), yamux());
});

after(async () => {
  for (const p of [ours, stock]) {
    p.relay.close();
    await p.dialer.stop();
    await p.listener.stop();
  }
});

test('small messages draw no window update each: the receiver sends back next to nothing', async () => {
  const stockBack = await backTrafficOfSmallMessages(stock);
  const ourBack = await backTrafficOfSmallMessages(ours);
  // The stock muxer answers (nearly) every frame with an update; ours sends none for 40 KB.
  assert.ok(
    stockBack >= (SMALL_MESSAGES / 2) * WINDOW_UPDATE_WIRE_BYTES,
    `stock yamux sent back ${stockBack} bytes`,
  );
  assert.ok(ourBack < 10 * WINDOW_UPDATE_WIRE_BYTES, `our muxer sent back ${ourBack} bytes`);
  const [result] = [...ours.sink.done.values()];
  assert.equal(result?.bytes, SMALL_MESSAGES * SMALL_MESSAGE_BYTES);
});

test('a transfer of many windows keeps flowing and arrives whole, between ours and the stock muxer', async () => {
  for (const [dialerMuxer, listenerMuxer] of [
    [streamMuxer(), streamMuxer()],
    [yamux(), streamMuxer()],
    [streamMuxer(), yamux()],
  ] as const) {
    const p = await pair(dialerMuxer, listenerMuxer);
    try {
      const stream = await p.dialer.dialProtocol(p.listener.peerId, PROTOCOL);
      const hash = createHash('sha256');
      const chunk = 64 * 1024;
      for (let sent = 0; sent < BULK_BYTES; sent += chunk) {
        const data = new Uint8Array(chunk).fill((sent / chunk) & 0xff);
        hash.update(data);
        await send(stream, data);
      }
      await stream.close();
      await waitFor(() => p.sink.done.size > 0, 30_000);
      const [result] = [...p.sink.done.values()];
      assert.equal(result?.bytes, BULK_BYTES);
      assert.equal(result?.sha256, hash.digest('hex'));
    } finally {
      p.relay.close();
      await p.dialer.stop();
      await p.listener.stop();
    }
  }
});
