// Overlay peers behind real NATs (the lab's ip6tables routers), running the client library
// against real `witan start` roots on the public segment: each verifies the world from the
// genesis, AutoNAT (the roots' servers dialing back) tells the peers behind NATs they are
// private; every peer reserves on both roots' relays and registers by rendezvous on both; then
// per NAT pair, one finds the other by rendezvous, connects through a relay, and DCUtR upgrades
// the connection to a direct one where both NATs allow it. Where they do not, the peers stay
// relayed and still exchange data. The outcome and times of each pair are printed as a table.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConnectResult, createPeerLab, type LabPeer, type PeerLab } from './peers.ts';

const TRANSFER_BYTES = 1024 * 1024;
/** DCUtR: a unilateral attempt and up to three punches of 5 s each. */
const DIRECT_WAIT_MS = 25_000;
const AUTONAT_E_DIAL_ERROR = 100;

let lab: PeerLab;
const peers: Record<'e0' | 'e1' | 's0' | 's1' | 'p0', LabPeer> = {} as never;
const table: { pair: string; result: ConnectResult }[] = [];

before(async () => {
  lab = await createPeerLab({ roots: 2, homes: ['eim', 'eim', 'symmetric', 'symmetric'], publicPeers: 1 });
  // One at a time: start-up is dominated by AutoNAT dial-backs that time out, and five peers at
  // once on two shared cores only make each slower.
  peers.e0 = await lab.startPeer('eim');
  peers.e1 = await lab.startPeer('eim');
  peers.s0 = await lab.startPeer('symmetric');
  peers.s1 = await lab.startPeer('symmetric');
  peers.p0 = await lab.startPeer('public');
});

after(async () => {
  if (table.length > 0) {
    const rows = table.map(({ pair, result: r }) =>
      [
        pair.padEnd(22),
        r.via.padEnd(8),
        String(r.relayedMs).padStart(8),
        (r.directMs === null ? '-' : String(r.directMs)).padStart(9),
        r.mibPerS.toFixed(1).padStart(7),
      ].join(' '),
    );
    console.log(
      [
        'NAT pair (A dials B)   outcome  relay ms direct ms   MiB/s',
        ...rows,
        '(relay ms: rendezvous lookup excluded, the relayed dial; direct ms: from the dial until DCUtR gave a direct connection)',
      ].join('\n'),
    );
  }
  await lab?.close();
});

test('every peer verified the world; AutoNAT tells peers behind either NAT they are private, and the public peer it is public', () => {
  for (const p of Object.values(peers))
    assert.equal(p.world, 1, 'the genesis world, verified from the pinned genesis');
  for (const p of [peers.e0, peers.e1, peers.s0, peers.s1]) {
    assert.equal(p.autonat.private, true, `${p.place} peer is private`);
    assert.deepEqual(
      p.autonat.statuses,
      [AUTONAT_E_DIAL_ERROR, AUTONAT_E_DIAL_ERROR],
      'both roots fail to dial back',
    );
  }
  assert.equal(peers.p0.autonat.private, false);
  assert.equal(peers.p0.kind, 'public');
});

test('every peer holds a reservation on both roots; only endpoint-independent mappings are offered to DCUtR', () => {
  for (const p of Object.values(peers)) {
    assert.equal(p.relayAddrs.length, 2, `${p.place}: two relays`);
    assert.ok(p.roots.every((r) => r.reserved && r.registered));
  }
  // Both roots saw the same public ip:port of an EIM peer, and a different one of a symmetric peer.
  for (const p of [peers.e0, peers.e1]) {
    assert.equal(p.kind, 'endpoint-independent');
    assert.equal(p.observed.length, 1);
    assert.deepEqual(p.holePunch, p.observed);
  }
  for (const p of [peers.s0, peers.s1]) {
    assert.equal(p.kind, 'endpoint-dependent');
    assert.equal(p.observed.length, 2, 'a symmetric NAT shows each root another port');
    assert.deepEqual(p.holePunch, []);
  }
});

async function pair(name: string, a: LabPeer, b: LabPeer, expected: ConnectResult['via']): Promise<void> {
  const result = await a.connect(b, { bytes: TRANSFER_BYTES, directWaitMs: DIRECT_WAIT_MS });
  table.push({ pair: name, result });
  assert.equal(result.bytes, TRANSFER_BYTES, 'the data crossed');
  assert.equal(result.via, expected, `${name}: ${result.via} over ${result.remoteAddr}`);
  if (expected === 'direct')
    assert.ok(result.directMs !== null && !result.remoteAddr.includes('/p2p-circuit'));
}

test('EIM - EIM: DCUtR punches through both NATs to a direct connection', { timeout: 180_000 }, async () => {
  await pair('EIM - EIM', peers.e0, peers.e1, 'direct');
});

test('EIM - symmetric: no punch (the symmetric side has no stable port); relayed, data flows', {
  timeout: 180_000,
}, async () => {
  await pair('EIM - symmetric', peers.e1, peers.s0, 'relayed');
});

test('symmetric - symmetric: relayed, data flows', { timeout: 180_000 }, async () => {
  await pair('symmetric - symmetric', peers.s0, peers.s1, 'relayed');
});

test('public - EIM: the peer behind the NAT dials the public one directly', {
  timeout: 180_000,
}, async () => {
  await pair('public - EIM', peers.p0, peers.e0, 'direct');
});

test('public - symmetric: the peer behind the NAT dials the public one directly', {
  timeout: 180_000,
}, async () => {
  await pair('public - symmetric', peers.p0, peers.s1, 'direct');
});
