// Gossip among 4 root hosts: a message from a member reaches all; messages from a peer that is
// not an allowed publisher, or larger than the named maximum, are dropped by every validator.
// A drop is shown by the receivers' refusal counters (host.stats().gossipRefused), not by
// waiting a while and seeing nothing.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GossipSub } from '@libp2p/gossipsub';
import type { GossipRefusal, RootHost } from '../../src/node/p2p/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startRoot } from './helpers.ts';

const MESSAGE_BYTES_MAX = 4096;
const hosts: RootHost[] = [];
const received: Map<string, string[]>[] = [];
let topic = '';

before(async () => {
  for (let i = 0; i < 4; i++) hosts.push(await startRoot({ gossip: { messageBytesMax: MESSAGE_BYTES_MAX } }));
  const ids = hosts.map((h) => h.peerId.toString());
  topic = hosts[0]?.topics.statements ?? '';
  for (const [i, h] of hosts.entries()) {
    h.setAllowedPeers(ids);
    const got = new Map<string, string[]>();
    received.push(got);
    h.subscribe(
      topic,
      (data, from) => got.set(from, [...(got.get(from) ?? []), new TextDecoder().decode(data)]),
      (data) => (data[0] === 0x21 /* '!' */ ? 'reject' : 'accept'),
    );
    for (const other of hosts.slice(0, i)) {
      const addr = other.multiaddrs()[0];
      assert.ok(addr);
      await h.dial(addr);
    }
  }
  const pubsub = (h: RootHost) => (h.libp2p.services as { pubsub: GossipSub }).pubsub;
  await waitUntil(
    'every host to see the other three subscribed',
    () => hosts.map((h) => pubsub(h).getSubscribers(topic).length),
    { until: (n) => n.every((x) => x === 3), timeoutMs: 10_000 },
  );
});

after(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

function texts(i: number, from: RootHost): string[] {
  return received[i]?.get(from.peerId.toString()) ?? [];
}

/** Resolves once each of `receivers` has refused `why` more often than `before` says it had. */
function refusedBy(receivers: RootHost[], why: GossipRefusal, before: number[]): Promise<number[]> {
  return waitUntil(
    `${receivers.length} hosts to refuse a message (${why})`,
    () => receivers.map((h) => h.stats().gossipRefused[why]),
    { until: (n) => n.every((x, i) => x > before[i]!), timeoutMs: 5000 },
  );
}

const refusals = (receivers: RootHost[], why: GossipRefusal) =>
  receivers.map((h) => h.stats().gossipRefused[why]);

test('a message published by a member reaches all four roots', { timeout: 15_000 }, async () => {
  const [a] = hosts;
  assert.ok(a);
  await a.publish(topic, new TextEncoder().encode('hello'));
  await waitUntil('delivery to 3 roots', () => [1, 2, 3].map((i) => texts(i, a)), {
    until: (t) => t.every((x) => x.includes('hello')),
    timeoutMs: 5000,
  });
});

test("the caller's validator verdict is applied (reject drops)", { timeout: 15_000 }, async () => {
  const [a] = hosts;
  assert.ok(a);
  const receivers = hosts.slice(1);
  const before = refusals(receivers, 'invalid');
  await a.publish(topic, new TextEncoder().encode('!bad'));
  await a.publish(topic, new TextEncoder().encode('good'));
  await refusedBy(receivers, 'invalid', before);
  await waitUntil('the good message at 3 roots', () => [1, 2, 3].map((i) => texts(i, a)), {
    until: (t) => t.every((x) => x.includes('good')),
    timeoutMs: 5000,
  });
  for (const i of [1, 2, 3]) assert.ok(!texts(i, a).includes('!bad'));
});

test('a message from a peer that is not an allowed publisher is dropped', { timeout: 15_000 }, async () => {
  const [a, b, c, d] = hosts;
  assert.ok(a && b && c && d);
  const members = [a, b, c].map((h) => h.peerId.toString());
  for (const h of hosts) h.setAllowedPeers(members);
  const before = refusals([a, b, c], 'not-member');
  await d.publish(topic, new TextEncoder().encode('from-d'));
  await a.publish(topic, new TextEncoder().encode('marker'));
  await refusedBy([a, b, c], 'not-member', before);
  await waitUntil('the marker at 2 roots', () => [1, 2].map((i) => texts(i, a)), {
    until: (t) => t.every((x) => x.includes('marker')),
    timeoutMs: 5000,
  });
  for (const i of [0, 1, 2]) assert.deepEqual(texts(i, d), []);
  for (const h of hosts) h.setAllowedPeers([...members, d.peerId.toString()]);
});

test('an oversized message is refused by publish and dropped by receivers', { timeout: 15_000 }, async () => {
  const [a] = hosts;
  assert.ok(a);
  const big = new Uint8Array(MESSAGE_BYTES_MAX + 1).fill(0x41);
  await assert.rejects(a.publish(topic, big), /exceeds/);
  const receivers = hosts.slice(1);
  const before = refusals(receivers, 'too-large');
  // Bypass our own check, as a misbehaving member would.
  await (a.libp2p.services as { pubsub: GossipSub }).pubsub.publish(topic, big);
  await a.publish(topic, new TextEncoder().encode('marker-2'));
  await refusedBy(receivers, 'too-large', before);
  await waitUntil('the marker at 3 roots', () => [1, 2, 3].map((i) => texts(i, a)), {
    until: (t) => t.every((x) => x.includes('marker-2')),
    timeoutMs: 5000,
  });
  for (const i of [1, 2, 3]) assert.ok(texts(i, a).every((t) => t.length <= MESSAGE_BYTES_MAX));
});
