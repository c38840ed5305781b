// The hosts' connection encrypter hands each small encrypted message to the transport whole:
// two real libp2p hosts (TCP on 127.0.0.1, Noise, our muxer) in this process, messages sent one
// at a time as between roots, and the process's write syscalls counted from /proc/self/io — one
// per message with ours, two with the stock encrypter side by side. What arrives is what was
// sent, small messages and a bulk transfer alike.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { noise } from '@chainsafe/libp2p-noise';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { connectionEncrypter, WHOLE_SEND_BYTES_MAX } from '../../src/net/connection-encrypter.ts';
import { streamMuxer } from '../../src/net/stream-muxer.ts';

const PROTOCOL = '/witan-test/count/1.0.0';
const MESSAGES = 200;
const MESSAGE_BYTES = 300;
/** Many Noise messages long, each larger than WHOLE_SEND_BYTES_MAX. */
const BULK_BYTES = 2 * 1024 * 1024;

type Encrypter = typeof noise;

/** Write syscalls this process made so far (Linux). */
function writeSyscalls(): number {
  return Number(/syscw:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

type Pair = {
  dialer: Libp2p;
  listener: Libp2p;
  stream: Stream;
  received: () => { bytes: number; sha256: string };
  /** Bytes received so far (what the waits poll: no hash made). */
  receivedBytes: () => number;
  /** Starts counting and hashing what arrives afresh. */
  reset: () => void;
};

async function host(encrypter: ReturnType<Encrypter>): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [encrypter],
    streamMuxers: [streamMuxer()],
    connectionMonitor: { enabled: false },
  });
}

async function pair(encrypter: () => ReturnType<Encrypter>): Promise<Pair> {
  const listener = await host(encrypter());
  let hash = createHash('sha256');
  let bytes = 0;
  await listener.handle(PROTOCOL, (stream: Stream) => {
    stream.addEventListener('message', (e) => {
      const data = e.data.subarray();
      hash.update(data);
      bytes += data.length;
    });
  });
  const dialer = await host(encrypter());
  const stream = await dialer.dialProtocol(listener.getMultiaddrs()[0]!, PROTOCOL);
  return {
    dialer,
    listener,
    stream,
    received: () => ({ bytes, sha256: hash.copy().digest('hex') }),
    receivedBytes: () => bytes,
    reset: () => {
      hash = createHash('sha256');
      bytes = 0;
    },
  };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Write syscalls per message while MESSAGES go one at a time, each received before the next. */
async function writesPerMessage(p: Pair): Promise<number> {
  const start = p.receivedBytes();
  const before = writeSyscalls();
  for (let i = 0; i < MESSAGES; i++) {
    p.stream.send(new Uint8Array(MESSAGE_BYTES).fill(i & 0xff));
    await waitFor(() => p.receivedBytes() >= start + (i + 1) * MESSAGE_BYTES, 10_000);
  }
  return (writeSyscalls() - before) / MESSAGES;
}

let ours: Pair;
let stock: Pair;

before(async () => {
  ours = await pair(connectionEncrypter);
  stock = await pair(noise);
});

after(async () => {
  for (const p of [ours, stock]) {
    await p.dialer.stop();
    await p.listener.stop();
  }
});

test('a small message costs one write syscall, where the stock encrypter makes two', async () => {
  const oursWrites = await writesPerMessage(ours);
  const stockWrites = await writesPerMessage(stock);
  assert.ok(oursWrites < 1.3, `ours: ${oursWrites} writes per message`);
  assert.ok(stockWrites >= 1.8, `stock: ${stockWrites} writes per message (the comparison tells them apart)`);
});

test('what arrives is what was sent: small messages and a bulk transfer of large sends', async () => {
  ours.reset();
  const sent = createHash('sha256');
  for (let i = 0; i < 10; i++) {
    const small = new Uint8Array(MESSAGE_BYTES).fill(i);
    ours.stream.send(small);
    sent.update(small);
  }
  for (let off = 0; off < BULK_BYTES; off += WHOLE_SEND_BYTES_MAX * 4) {
    // A new buffer each time: a send may hold on to the one it is given until it is written.
    const chunk = new Uint8Array(WHOLE_SEND_BYTES_MAX * 4).fill((off >> 16) & 0xff);
    if (!ours.stream.send(chunk)) await ours.stream.onDrain({ signal: AbortSignal.timeout(10_000) });
    sent.update(chunk);
  }
  const total = 10 * MESSAGE_BYTES + BULK_BYTES;
  await waitFor(() => ours.receivedBytes() >= total, 20_000);
  assert.deepEqual(ours.received(), { bytes: total, sha256: sent.digest('hex') });
});
