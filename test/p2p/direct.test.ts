// Direct streams between root hosts: broadcast gives a message to every member it holds a
// connection to on that member's stream, with no gossip; a member reachable only through
// another root still gets it by gossip; a member that does not speak the protocol gets it by
// gossip too, and so does what does not fit a member's full queue; streams from non-members and
// oversized frames are refused; a message on a direct stream is judged by the topic's validator,
// as a gossip one is, and reaches the handler only if accepted.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GossipSub } from '@libp2p/gossipsub';
import { DIRECT_QUEUE_MESSAGES_MAX } from '../../src/node/p2p/constants.ts';
import type { RootHost } from '../../src/node/p2p/index.ts';
import { encodeFrame } from '../../src/wire/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startRoot } from './helpers.ts';

const MESSAGE_BYTES_MAX = 4096;
/** a, b, c are connected to each other; d only to b. */
let a: RootHost;
let b: RootHost;
let c: RootHost;
let d: RootHost;
let outsider: RootHost;
let topic = '';
const received = new Map<RootHost, { text: string; from: string }[]>();
/** What each host's topic validator was asked, and the prefix it rejects. */
const judged = new Map<RootHost, string[]>();
const REFUSED = 'refused-';

const texts = (h: RootHost) => (received.get(h) ?? []).map((m) => m.text);
const pubsub = (h: RootHost) => (h.libp2p.services as { pubsub: GossipSub }).pubsub;

before(async () => {
  const start = () => startRoot({ gossip: { messageBytesMax: MESSAGE_BYTES_MAX } });
  [a, b, c, d, outsider] = [await start(), await start(), await start(), await start(), await start()];
  const members = [a, b, c, d];
  const ids = members.map((h) => h.peerId.toString());
  topic = a.topics.consensus;
  for (const h of [...members, outsider]) {
    h.setAllowedPeers(ids);
    const got: { text: string; from: string }[] = [];
    received.set(h, got);
    h.subscribe(
      topic,
      (data, from) => got.push({ text: new TextDecoder().decode(data), from }),
      (data) => {
        const text = new TextDecoder().decode(data);
        judged.set(h, [...(judged.get(h) ?? []), text]);
        return text.startsWith(REFUSED) ? 'reject' : 'accept';
      },
    );
  }
  const dial = (from: RootHost, to: RootHost) => from.dial(to.multiaddrs()[0]!);
  await dial(a, b);
  await dial(a, c);
  await dial(b, c);
  await dial(d, b);
  // d reaches a and c only through b's gossip mesh.
  await waitUntil('b to see a, c and d subscribed', () => pubsub(b).getSubscribers(topic).length, {
    until: (n) => n === 3,
    timeoutMs: 10_000,
  });
  await waitUntil(
    'a and d to see b subscribed',
    () => [a, d].map((h) => pubsub(h).getSubscribers(topic).length),
    {
      until: (n) => n.every((x) => x >= 1),
      timeoutMs: 10_000,
    },
  );
});

after(async () => {
  await Promise.all([a, b, c, d, outsider].map((h) => h.stop()));
});

test('a broadcast reaches connected members on their direct streams, named by the connection', {
  timeout: 15_000,
}, async () => {
  const before = [b, c].map((h) => h.stats().direct.received);
  // b is connected to a, c and d: all three directly, no gossip.
  const direct = await b.broadcast(topic, new TextEncoder().encode('from-b'));
  assert.equal(direct, 3);
  await waitUntil('from-b at a, c and d', () => [a, c, d].map(texts), {
    until: (t) => t.every((x) => x.includes('from-b')),
    timeoutMs: 5000,
  });
  for (const h of [a, c, d]) {
    const m = received.get(h)!.find((x) => x.text === 'from-b')!;
    assert.equal(m.from, b.peerId.toString());
  }
  assert.ok(c.stats().direct.received > before[1]!);
  assert.equal(b.stats().direct.lost, 0);
});

test("a message on a direct stream is judged by the topic's validator: one it rejects never reaches the handler", {
  timeout: 15_000,
}, async () => {
  const text = `${REFUSED}from-b`;
  const direct = await b.broadcast(topic, new TextEncoder().encode(text));
  assert.equal(direct, 3);
  await waitUntil('a, c and d to judge it', () => [a, c, d].map((h) => judged.get(h) ?? []), {
    until: (j) => j.every((x) => x.includes(text)),
    timeoutMs: 5000,
  });
  for (const h of [a, c, d]) assert.ok(!texts(h).includes(text), 'delivered though rejected');
  assert.ok((judged.get(c) ?? []).filter((x) => x === 'from-b').length >= 1, 'accepted ones are judged too');
});

test('a member with no connection gets the message by gossip through another root', {
  timeout: 15_000,
}, async () => {
  // a holds no connection to d: b and c directly, d through b's mesh.
  const direct = await a.broadcast(topic, new TextEncoder().encode('from-a'));
  assert.equal(direct, 2);
  await waitUntil('from-a at b, c and d', () => [b, c, d].map(texts), {
    until: (t) => t.every((x) => x.includes('from-a')),
    timeoutMs: 5000,
  });
});

test('what does not fit a member queue goes by gossip, and every message arrives', {
  timeout: 30_000,
}, async () => {
  // One burst, handed over before any stream can drain a frame: each member's queue takes
  // DIRECT_QUEUE_MESSAGES_MAX of them, and the rest are published on gossip instead.
  const extra = 10;
  const burst = Array.from({ length: DIRECT_QUEUE_MESSAGES_MAX + extra }, (_, i) => `burst-${i}`);
  const directs = await Promise.all(burst.map((t) => b.broadcast(topic, new TextEncoder().encode(t))));
  assert.deepEqual(
    directs,
    burst.map((_, i) => (i < DIRECT_QUEUE_MESSAGES_MAX ? 3 : 0)),
  );
  await waitUntil('the whole burst at a, c and d', () => [a, c, d].map((h) => new Set(texts(h))), {
    until: (sets) => sets.every((got) => burst.every((t) => got.has(t))),
    timeoutMs: 20_000,
  });
  assert.equal(b.stats().direct.lost, 0);
});

test('a member that does not speak the protocol gets the message by gossip', {
  timeout: 15_000,
}, async () => {
  // c runs a release without direct streams: a's stream to it cannot be opened.
  await c.libp2p.unhandle(topic);
  const fresh = await startRoot({ gossip: { messageBytesMax: MESSAGE_BYTES_MAX } });
  try {
    // A new sender, so no stream to c is open from before.
    const ids = [a, b, c, d, fresh].map((h) => h.peerId.toString());
    for (const h of [a, b, c, d, fresh]) h.setAllowedPeers(ids);
    fresh.subscribe(
      topic,
      () => undefined,
      () => 'accept',
    );
    await fresh.dial(c.multiaddrs()[0]!);
    await waitUntil('fresh to see c subscribed', () => pubsub(fresh).getSubscribers(topic).length, {
      until: (n) => n >= 1,
      timeoutMs: 10_000,
    });
    await fresh.broadcast(topic, new TextEncoder().encode('to-old-c'));
    await waitUntil('the stream to c to fail', () => fresh.stats().direct.lost, { until: (n) => n >= 1 });
    await waitUntil('to-old-c at c', () => texts(c), {
      until: (t) => t.includes('to-old-c'),
      timeoutMs: 5000,
    });
    // Within the retry period c gets gossip only.
    assert.equal(await fresh.broadcast(topic, new TextEncoder().encode('again')), 0);
    await waitUntil('again at c', () => texts(c), { until: (t) => t.includes('again'), timeoutMs: 5000 });
  } finally {
    await fresh.stop();
    const ids = [a, b, c, d].map((h) => h.peerId.toString());
    for (const h of [a, b, c, d]) h.setAllowedPeers(ids);
  }
});

test('a stream from a peer that is not a member is refused and nothing is delivered', {
  timeout: 15_000,
}, async () => {
  const before = b.stats().direct.refused;
  const stream = await outsider.libp2p.dialProtocol(b.multiaddrs()[0]!, topic);
  try {
    stream.send(encodeFrame(new TextEncoder().encode('from-outsider')));
  } catch {
    // b may have cut the stream before a byte was written: refused either way.
  }
  await waitUntil('b to refuse the outsider', () => b.stats().direct.refused, { until: (n) => n > before });
  await waitUntil("the outsider's stream to end", () => stream.status, { until: (s) => s !== 'open' });
  assert.ok(!texts(b).includes('from-outsider'));
});

test('an oversized frame from a member ends its stream and is not delivered', {
  timeout: 15_000,
}, async () => {
  await assert.rejects(a.broadcast(topic, new Uint8Array(MESSAGE_BYTES_MAX + 1)), /exceeds/);
  // As a misbehaving member would: past our own check, straight onto a stream.
  const stream = await d.libp2p.dialProtocol(b.peerId, topic);
  stream.send(encodeFrame(new Uint8Array(MESSAGE_BYTES_MAX + 1).fill(0x41)));
  await waitUntil('b to end the stream', () => stream.status, { until: (s) => s !== 'open' });
  assert.ok(texts(b).every((t) => t.length <= MESSAGE_BYTES_MAX));
});
