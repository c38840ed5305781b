// Bad input against live roots changes nothing. Three roots run as
// processes; the fourth member's node key is held by a test host (an allowed publisher) and a
// fresh key by a non-member host. Garbage, oversized and replayed gossip on every topic, and
// garbage, oversized and malformed HTTP bodies, are dropped or answered 4xx with {code,message};
// ledger size, checkpoint and world stay as they were. A flood of relay reservations beyond the
// genesis policy's small reservationsMax is refused while the federation commits a motion.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Libp2p } from '@libp2p/interface';
import { generateKeyPair } from '../../src/crypto/index.ts';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';
import { GOSSIP_MESSAGE_BYTES_MAX, peerIdOfNodeKey } from '../../src/node/p2p/index.ts';
import { type StockNode, startStockNode } from '../p2p/helpers.ts';
import { type ByzantineRoot, startByzantineRoot } from './fixtures/byzantine-root.ts';
import {
  checkpointOf,
  committedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  getText,
  send,
  sizeOf,
  type TestFederation,
  type TestMember,
  until,
} from './fixtures/federation.ts';

const STEP_TIMEOUT_MS = 30_000;
const RESERVATIONS_MAX = 2;
const FLOOD_CLIENTS = 6;
/** Time for gossip to reach and be judged by every root before the state is compared. */
const SETTLE_MS = 2_000;

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
function snapshot(): Promise<string[]> {
  return until(
    'every root settled (checkpoint covers the ledger)',
    async () => {
      const views = await Promise.all(
        honest.map(async (m) => {
          const size = await sizeOf(m);
          const body = (await checkpointOf(m)).body;
          return {
            settled: body.split('\n')[1] === String(size),
            view: `${size}|${body}|${await getText(`${m.httpUrl}/world`)}`,
          };
        }),
      );
      return views.every((v) => v.settled) ? views.map((v) => v.view) : undefined;
    },
    STEP_TIMEOUT_MS,
  );
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
  const status = JSON.parse(await getText(`${honest[0].httpUrl}/status`)) as { addrs: string[] };
  for (const addr of status.addrs) await stranger.host.dial(addr).catch(() => undefined);
  const memberPeer = member.host.peerId.toString();
  await until(
    'every root connected to the member-key host',
    async () => {
      const peers = await Promise.all(
        honest.map(
          async (m) => (JSON.parse(await getText(`${m.httpUrl}/status`)) as { peers: string[] }).peers,
        ),
      );
      return peers.every((p) => p.includes(memberPeer)) ? true : undefined;
    },
    STEP_TIMEOUT_MS,
  );
  // One committed statement first, so there is real traffic on every topic to replay.
  const first = await fillerMotion(honest[0], 'before-attack');
  await committedOn(honest, first.id, STEP_TIMEOUT_MS);
  // The federation-key topic is quiet in a federation without a key (this policy asks for
  // none): its replays are the signer's to refuse (test/node/federation-signer.test.ts).
  const quiet = member.host.topics.frost;
  await until(
    'traffic heard on every topic that carries any',
    async () =>
      [...member!.heard].every(([topic, l]) => topic === quiet || l.length > 0) ? true : undefined,
    STEP_TIMEOUT_MS,
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
  for (const attacker of [member!, stranger!]) {
    for (const topic of Object.values(attacker.host.topics)) {
      const payloads = [
        randomBytes(200),
        new TextEncoder().encode('{"statement":{"kind":"motion"},"signature":"AAAA"}'),
        new Uint8Array(GOSSIP_MESSAGE_BYTES_MAX + 1).fill(0x7b),
        new Uint8Array(0),
        ...(member!.heard.get(topic) ?? []).slice(0, 4),
      ];
      for (const p of payloads) await attacker.host.publish(topic, p).catch(() => 0);
    }
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  assert.deepEqual(await snapshot(), before, 'ledger size, checkpoint and world unchanged on every root');
  // The roots still work: a statement submitted now commits.
  const s = await fillerMotion(honest[1], 'after-gossip-attack');
  await committedOn(honest, s.id, STEP_TIMEOUT_MS);
});

test('garbage, oversized and malformed HTTP bodies to POST /statements and tlog routes get 4xx {code,message}; nothing changes', {
  timeout: 60_000,
}, async () => {
  const a = honest[0];
  const before = await snapshot();
  const goodSigned = (await fillerMotion(a, 'template')).signed;
  await committedOn(honest, (await fillerMotion(a, 'settle')).id, STEP_TIMEOUT_MS);
  const baseline = await snapshot();
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
    const res = await send(`${a.httpUrl}${path}`, body, type);
    const what = `${path} ${String(body).slice(0, 40)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    assert.ok(res.status >= 400 && res.status < 500, what);
    const problem = res.body as { code?: unknown; message?: unknown };
    assert.equal(typeof problem.code, 'string', what);
    assert.equal(typeof problem.message, 'string', what);
  }
  // A replay of a committed statement is recognised, not committed again.
  const replay = await send(`${a.httpUrl}/statements`, JSON.stringify(goodSigned));
  assert.ok(
    replay.status === 202 || (replay.status >= 400 && replay.status < 500),
    `replay → ${replay.status}`,
  );
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  assert.deepEqual(await snapshot(), baseline, 'ledger size, checkpoint and world unchanged');
});

test('a flood of relay reservations beyond policy.relay.reservationsMax is refused while a motion commits', {
  timeout: 60_000,
}, async () => {
  const a = honest[0];
  const status = JSON.parse(await getText(`${a.httpUrl}/status`)) as { addrs: string[] };
  const relayAddr = status.addrs.find((x) => x.includes('/tcp/') && !x.includes('/ws'))!;
  const circuit = (n: Libp2p) => n.getMultiaddrs().some((x) => x.toString().includes('/p2p-circuit'));
  const motionDuringFlood = fillerMotion(honest[2], 'during-flood');
  const clients = await Promise.all(
    Array.from({ length: FLOOD_CLIENTS }, () =>
      startStockNode(['/ip4/127.0.0.1/tcp/0', `${relayAddr}/p2p-circuit`]).catch(() => undefined),
    ),
  );
  for (const c of clients) if (c !== undefined) stock.push(c);
  await committedOn(honest, (await motionDuringFlood).id, STEP_TIMEOUT_MS);
  // Give every client time to try; the root holds at most RESERVATIONS_MAX of them.
  await until(
    'at least one reservation',
    async () => (stock.some((c) => circuit(c.node)) ? true : undefined),
    10_000,
  );
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const reserved = stock.filter((c) => circuit(c.node)).length;
  assert.ok(
    reserved >= 1 && reserved <= RESERVATIONS_MAX,
    `${reserved} of ${FLOOD_CLIENTS} got a reservation`,
  );
  const metrics = await getText(`http://127.0.0.1:${a.operatorPort}/metrics`);
  const gauge = /^witan_relay_reservations(?:\{[^}]*\})? (\d+)/m.exec(metrics);
  if (gauge) assert.ok(Number(gauge[1]) <= RESERVATIONS_MAX, `relay gauge ${gauge[1]}`);
  // And the federation still commits after the flood.
  const s = await fillerMotion(a, 'after-flood');
  await committedOn(honest, s.id, STEP_TIMEOUT_MS);
});
