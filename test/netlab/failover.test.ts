// Failover across the lab's NATs: four real `witan start` roots; two peers behind NATs (one
// endpoint-independent, one symmetric) running the client library hold reservations and
// registrations on the same two roots (the first two of the namespace's order). One of those
// roots is SIGKILLed: each peer moves its reservation and registration to the third root of the
// order within a bound, and the two still meet by rendezvous and exchange data through a relay.
// Then another root they use goes silent (its namespace drops every packet, as a cut cable
// would): the peers' pings notice, and they move to the fourth root. The measured times from the
// fault to the peer's new record being registered at every root it uses are printed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  RELAY_RESERVATION_TIMEOUT_MS,
  ROOT_PING_INTERVAL_MS,
  ROOT_PING_TIMEOUT_MS,
  rankRoots,
} from '../../src/overlay/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import type { LabRoot } from './federation.ts';
import { createPeerLab, type Failover, type LabPeer, type PeerLab } from './peers.ts';

const run = promisify(execFile);
/** The namespace of fixtures/lab-peer.ts: the root order is this namespace's. */
const NAMESPACE = 'witan/netlab';

/**
 * Generous: on one loaded machine the kill closes the root's connections at once, and the
 * replacement is one dial and one RESERVE away; a root that vanished silently would be noticed
 * by the peer's pings (ROOT_PING_INTERVAL_MS + ROOT_PING_TIMEOUT_MS) instead.
 */
const FAILOVER_BOUND_MS = 30_000;
/** A silent root is noticed by a ping (interval + timeout), then its reservation fails (timeout). */
const SILENT_FAILOVER_BOUND_MS =
  ROOT_PING_INTERVAL_MS + ROOT_PING_TIMEOUT_MS + RELAY_RESERVATION_TIMEOUT_MS + 20_000;
const TRANSFER_BYTES = 256 * 1024;

let lab: PeerLab;
let e0: LabPeer;
let s0: LabPeer;
/** The lab's roots in the namespace's order. */
let order: LabRoot[];

before(async () => {
  lab = await createPeerLab({ roots: 4, homes: ['eim', 'symmetric'], publicPeers: 0 });
  const ranked = rankRoots(
    lab.roots.map((r) => ({ name: r.name, peerId: r.peerId, p2p: [r.p2p] })),
    NAMESPACE,
  );
  order = ranked.map((c) => lab.roots.find((r) => r.peerId === c.peerId) as LabRoot);
  e0 = await lab.startPeer('eim');
  s0 = await lab.startPeer('symmetric');
});

after(async () => {
  await lab?.close();
});

const ids = (roots: { peerId: string }[]) => roots.map((r) => r.peerId).sort();

test('both peers use the first two of four roots in the namespace order, reserved and registered', () => {
  for (const p of [e0, s0]) {
    assert.deepEqual(ids(p.roots), ids(order.slice(0, 2)), `${p.place} peer`);
    assert.ok(p.roots.every((r) => r.reserved && r.registered));
  }
});

/** Waits for each peer's n-th complete failover; returns the times from `t0` to its registration. */
async function failedOver(
  n: number,
  t0: number,
  lost: LabRoot,
  to: LabRoot,
  boundMs: number,
): Promise<number[]> {
  const measured: number[] = [];
  for (const p of [e0, s0]) {
    const done = await waitUntil(
      `${p.place} peer's failover from ${lost.name}`,
      async () => (await p.status()).failovers.filter((f: Failover) => f.registeredAtMs !== null)[n],
      { timeoutMs: boundMs + 10_000, intervalMs: 100 },
    );
    const ms = (done.registeredAtMs as number) - t0;
    measured.push(ms);
    console.log(
      `failover of the ${p.place} peer: ${lost.name} lost after ${done.lostAtMs - t0} ms, ${to.name} reserved after ${(done.reservedAtMs as number) - t0} ms, registered everywhere after ${ms} ms`,
    );
    assert.equal(done.lost, lost.name);
    assert.equal(done.replacement, to.name, 'the next root of the namespace order');
    assert.ok(ms <= boundMs, `failover took ${ms} ms; the bound is ${boundMs} ms`);
    const now = await p.status();
    assert.ok(now.roots.every((r) => r.reserved && r.registered));
    assert.equal(now.relayAddrs.filter((a) => a.includes(`/p2p/${lost.peerId}/`)).length, 0);
    assert.equal(now.relayAddrs.filter((a) => a.includes(`/p2p/${to.peerId}/`)).length, 1);
  }
  return measured;
}

test('a root SIGKILLed: reservations and registrations move to the third root within the bound, and the peers still meet', {
  timeout: 180_000,
}, async () => {
  const [first, second, third] = order as [LabRoot, LabRoot, LabRoot];
  const t0 = Date.now();
  await lab.federation.kill(first);
  const measured = await failedOver(0, t0, first, third, FAILOVER_BOUND_MS);
  console.log(`failover after a SIGKILL, to registered at every root in use: ${measured.join(' ms, ')} ms`);
  for (const p of [e0, s0]) assert.deepEqual(ids((await p.status()).roots), ids([second, third]));
  // The symmetric peer finds the other by rendezvous at the roots left and reaches it by relay.
  const r = await s0.connect(e0, { bytes: TRANSFER_BYTES, directWaitMs: 0 });
  assert.equal(r.via, 'relayed');
  assert.equal(r.bytes, TRANSFER_BYTES);
  assert.ok(!r.remoteAddr.includes(`/p2p/${first.peerId}/`), `not through the dead root: ${r.remoteAddr}`);
});

test('a root gone silent (every packet dropped): pings notice, and the peers move to the fourth root', {
  timeout: 180_000,
}, async () => {
  const [, second, third, fourth] = order as [LabRoot, LabRoot, LabRoot, LabRoot];
  const t0 = Date.now();
  for (const chain of ['INPUT', 'OUTPUT'])
    await run('ip', ['netns', 'exec', second.host.ns, 'ip6tables', '-I', chain, '-j', 'DROP']);
  const measured = await failedOver(1, t0, second, fourth, SILENT_FAILOVER_BOUND_MS);
  console.log(
    `failover from a silent root, to registered at every root in use: ${measured.join(' ms, ')} ms`,
  );
  for (const p of [e0, s0]) assert.deepEqual(ids((await p.status()).roots), ids([third, fourth]));
  const r = await e0.connect(s0, { bytes: TRANSFER_BYTES, directWaitMs: 0 });
  assert.equal(r.bytes, TRANSFER_BYTES);
});
