// Bad input against live roots changes nothing. Three roots run as
// processes; the fourth member's node key is held by a test host (an allowed publisher) and a
// fresh key by a non-member host. Garbage, oversized and replayed gossip on every topic, and
// garbage, oversized and malformed HTTP bodies, are dropped or answered 4xx with {code,message};
// ledger size, checkpoint and world stay as they were. A flood of relay reservations beyond the
// genesis policy's small reservationsMax is refused while the federation commits a motion.
// "Nothing changed" is checked once the roots say they judged the input (their refusal
// counters in /metrics, or the HTTP answer), never after a pause.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { GossipSub } from '@libp2p/gossipsub';
import type { Libp2p } from '@libp2p/interface';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';
import { GOSSIP_MESSAGE_BYTES_MAX, type GossipRefusal, peerIdOfNodeKey } from '../../src/node/p2p/index.ts';
import { getJson, getText, metricValue, post } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { type StockNode, startStockNode } from '../p2p/helpers.ts';
import { type ByzantineRoot, startByzantineRoot } from './fixtures/byzantine-root.ts';
import {
  checkpointOf,
  committedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  STEP,
  sizeOf,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

const RESERVATIONS_MAX = 2;
const FLOOD_CLIENTS = 6;

let fed: TestFederation;
let honest: [TestMember, TestMember, TestMember];
let member: ByzantineRoot | undefined;
let stranger: ByzantineRoot | undefined;
const stock: StockNode[] = [];

/**
 * What must not change: ledger size, the checkpoint body (origin, size, root) and /world bytes,
 * taken once every root serves a cosigned checkpoint of its whole ledger (cosigning trails the
 * append by a moment).
 */
async function snapshot(): Promise<string[]> {
  const views = await waitUntil(
    'every root settled (checkpoint covers the ledger)',
    () =>
      Promise.all(
        honest.map(async (m) => {
          const size = await sizeOf(m);
          const body = (await checkpointOf(m)).body;
          return {
            settled: body.split('\n')[1] === String(size),
            view: `${size}|${body}|${await getText(`${m.httpUrl}/world`)}`,
          };
        }),
      ),
    { ...STEP, until: (v) => v.every((x) => x.settled) },
  );
  return views.map((v) => v.view);
}

const metricsOf = (m: TestMember) => getText(`http://127.0.0.1:${m.operatorPort}/metrics`);

/** Gossip messages each honest root refused so far for one of `reasons`. */
async function refused(reasons: GossipRefusal[]): Promise<number[]> {
  const texts = await Promise.all(honest.map(metricsOf));
  return texts.map((t) =>
    reasons.reduce((n, reason) => n + metricValue(t, 'witan_gossip_refused', { reason }), 0),
  );
}

/** Resolves once every root (or the one at `only`) refused more messages for `reasons` than `before` says. */
function refusedMore(what: string, reasons: GossipRefusal[], before: number[], only?: number) {
  return waitUntil(what, () => refused(reasons), {
    ...STEP,
    until: (now) => now.every((n, i) => (only !== undefined && i !== only) || n > before[i]!),
  });
}

/** Resolves once `host` sees every honest root subscribed to every federation topic. */
function meshed(host: ByzantineRoot, what: string) {
  const pubsub = (host.host.libp2p.services as { pubsub: GossipSub }).pubsub;
  const ids = (n: number) => honest.slice(0, n).map((m) => peerIdOfNodeKey(m.nodeKey.publicKey));
  return (n: number) =>
    waitUntil(what, () => Object.values(host.host.topics).map((t) => pubsub.getSubscribers(t).map(String)), {
      ...STEP,
      until: (subs) => subs.every((s) => ids(n).every((id) => s.includes(id))),
    });
}

before(async () => {
  fed = await createFederation({
    members: 4,
    policy: { ...DEFAULT_POLICY, relay: { ...DEFAULT_POLICY.relay, reservationsMax: RESERVATIONS_MAX } },
  });
  honest = fed.members.slice(0, 3) as [TestMember, TestMember, TestMember];
  await Promise.all(honest.map((m) => fed.start(m)));
  const allowedPeers = honest.map((m) => peerIdOfNodeKey(m.nodeKey.publicKey));
  const culprit = fed.members[3]!;
  member = await startByzantineRoot({
    federation: FEDERATION,
    nodeKey: culprit.nodeKey,
    p2pPort: culprit.p2pPort,
    allowedPeers,
    messageBytesMax: 4 * GOSSIP_MESSAGE_BYTES_MAX,
  });
  stranger = await startByzantineRoot({
    federation: FEDERATION,
    nodeKey: generateKeyPair(),
    p2pPort: 0,
    allowedPeers,
    messageBytesMax: 4 * GOSSIP_MESSAGE_BYTES_MAX,
  });
  const status = await getJson<{ addrs: string[] }>(`${honest[0].httpUrl}/status`);
  for (const addr of status.addrs) await stranger.host.dial(addr).catch(() => undefined);
  const memberPeer = member.host.peerId.toString();
  await waitUntil(
    'every root connected to the member-key host',
    () =>
      Promise.all(honest.map(async (m) => (await getJson<{ peers: string[] }>(`${m.httpUrl}/status`)).peers)),
    { ...STEP, until: (peers) => peers.every((p) => p.includes(memberPeer)) },
  );
  // Both attackers reach their roots directly: the member every honest root, the stranger the
  // root it dialled.
  await meshed(member, 'the member-key host to see every root on every topic')(3);
  await meshed(stranger, 'the stranger to see the first root on every topic')(1);
  // One committed statement first, so there is real traffic on every topic to replay.
  const first = await fillerMotion(honest[0], 'before-attack');
  await committedOn(honest, first.id);
  // The federation-key topic is quiet in a federation without a key (this policy asks for
  // none): its replays are the signer's to refuse (test/node/federation-signer.test.ts).
  const quiet = member.host.topics.frost;
  await waitUntil(
    'traffic heard on every topic that carries any',
    () => [...member!.heard].map(([topic, l]) => (topic === quiet ? 1 : l.length)),
    { ...STEP, until: (counts) => counts.every((n) => n > 0) },
  );
});

after(async () => {
  await Promise.all(stock.map((s) => Promise.resolve(s.node.stop()).catch(() => undefined)));
  await member?.stop().catch(() => undefined);
  await stranger?.stop().catch(() => undefined);
  await fed?.close();
});

test('garbage, oversized and replayed gossip on every topic, from a member and a non-member, changes nothing', {
  timeout: 60_000,
}, async () => {
  const before = await snapshot();
  const byMember = await refused(['invalid', 'too-large']);
  const byStranger = await refused(['not-member']);
  for (const attacker of [member!, stranger!]) {
    const topics = Object.values(attacker.host.topics);
    // Replays first, garbage last: a root handles one sender's messages in order, so once it has
    // refused the garbage it has judged the replays too. (After a few refusals a root ignores
    // the sender altogether; what it ignores changes nothing either.)
    const replays = topics.map((topic) => [topic, (member!.heard.get(topic) ?? []).slice(0, 4)] as const);
    const garbage = topics.map(
      (topic) =>
        [
          topic,
          [
            randomBytes(200),
            new TextEncoder().encode('{"statement":{"kind":"motion"},"signature":"AAAA"}'),
            new Uint8Array(GOSSIP_MESSAGE_BYTES_MAX + 1).fill(0x7b),
            new Uint8Array(0),
          ],
        ] as const,
    );
    for (const [topic, payloads] of [...replays, ...garbage])
      for (const p of payloads) await attacker.host.publish(topic, p).catch(() => 0);
  }
  await refusedMore("every root refused the member-key host's garbage", ['invalid', 'too-large'], byMember);
  await refusedMore("the first root refused the stranger's messages", ['not-member'], byStranger, 0);
  assert.deepEqual(await snapshot(), before, 'ledger size, checkpoint and world unchanged on every root');
  // The roots still work: a statement submitted now commits.
  const s = await fillerMotion(honest[1], 'after-gossip-attack');
  await committedOn(honest, s.id);
});

test('garbage, oversized and malformed HTTP bodies to POST /statements and tlog routes get 4xx {code,message}; nothing changes', {
  timeout: 60_000,
}, async () => {
  const a = honest[0];
  const before = await snapshot();
  const goodSigned = (await fillerMotion(a, 'template')).signed;
  await committedOn(honest, (await fillerMotion(a, 'settle')).id);
  const baseline = await snapshot();
  const accepted = metricValue(await metricsOf(a), 'witan_statements_accepted_total');
  assert.notDeepEqual(baseline, before);
  const forged = { ...goodSigned, signature: Buffer.alloc(64, 1).toString('base64') };
  const alteredStatement = { ...goodSigned, statement: { ...goodSigned.statement, createdMs: 1 } };
  const bodies: [string, string | Uint8Array, string?][] = [
    ['/statements', 'not json at all'],
    ['/statements', '{"statement":'],
    ['/statements', '[]'],
    ['/statements', '{}'],
    ['/statements', JSON.stringify({ statement: { kind: 'motion' }, signature: 'x' })],
    [
      '/statements',
      JSON.stringify({ statement: { kind: 'nonsense', federation: FEDERATION }, signature: 'AAAA' }),
    ],
    ['/statements', JSON.stringify(forged)],
    ['/statements', JSON.stringify(alteredStatement)],
    ['/statements', `{"statement":{"pad":"${'x'.repeat(200 * 1024)}"},"signature":"A"}`],
    ['/statements', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['/statements', randomBytes(512), 'application/octet-stream'],
    ['/ledger/add-checkpoint', 'garbage'],
    ['/ledger/add-checkpoint', 'old 1\n\nnot a checkpoint\n', 'text/plain'],
    ['/ledger/add-checkpoint', 'x'.repeat(200 * 1024), 'text/plain'],
    ['/ledger/add-checkpoint', randomBytes(1024), 'application/octet-stream'],
  ];
  for (const [path, body, type] of bodies) {
    const res = await post(`${a.httpUrl}${path}`, body, type);
    const what = `${path} ${String(body).slice(0, 40)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    assert.ok(res.status >= 400 && res.status < 500, what);
    const problem = res.body as { code?: unknown; message?: unknown };
    assert.equal(typeof problem.code, 'string', what);
    assert.equal(typeof problem.message, 'string', what);
  }
  // A replay of a committed statement is recognised, not committed again.
  const replay = await post(`${a.httpUrl}/statements`, JSON.stringify(goodSigned));
  assert.ok(
    replay.status === 202 || (replay.status >= 400 && replay.status < 500),
    `replay → ${replay.status}`,
  );
  // Every request was answered, and none put a statement in the pool: nothing is on its way.
  assert.equal(
    metricValue(await metricsOf(a), 'witan_statements_accepted_total'),
    accepted,
    'no statement entered the pending pool',
  );
  assert.deepEqual(await snapshot(), baseline, 'ledger size, checkpoint and world unchanged');
});

test('a flood of relay reservations beyond policy.relay.reservationsMax is refused while a motion commits', {
  timeout: 60_000,
}, async () => {
  const a = honest[0];
  const status = await getJson<{ addrs: string[] }>(`${a.httpUrl}/status`);
  const relayAddr = status.addrs.find((x) => x.includes('/tcp/') && !x.includes('/ws'))!;
  const circuit = (n: Libp2p) => n.getMultiaddrs().some((x) => x.toString().includes('/p2p-circuit'));
  const motionDuringFlood = fillerMotion(honest[2], 'during-flood');
  const clients = await Promise.all(
    Array.from({ length: FLOOD_CLIENTS }, () =>
      startStockNode(['/ip4/127.0.0.1/tcp/0', `${relayAddr}/p2p-circuit`]).catch(() => undefined),
    ),
  );
  // Every client has its answer: a node's start waits for its reservation to be granted or
  // refused (refused ones fail to start).
  for (const c of clients) if (c !== undefined) stock.push(c);
  await committedOn(honest, (await motionDuringFlood).id);
  const reserved = stock.filter((c) => circuit(c.node)).length;
  assert.ok(
    reserved >= 1 && reserved <= RESERVATIONS_MAX,
    `${reserved} of ${FLOOD_CLIENTS} got a reservation`,
  );
  const metrics = await metricsOf(a);
  assert.match(metrics, /^witan_relay_reservations /m);
  const gauge = metricValue(metrics, 'witan_relay_reservations');
  assert.ok(gauge >= reserved && gauge <= RESERVATIONS_MAX, `relay gauge ${gauge}`);
  // And the federation still commits after the flood.
  const s = await fillerMotion(a, 'after-flood');
  await committedOn(honest, s.id);
});
