// The libp2p duty probes (charter §21) between two real root hosts on 127.0.0.1: each one
// succeeds against a root that serves, the relay probe carries its bytes through the other
// root's relay and back, a root refuses a circuit it did not open itself, and every probe
// fails against a root that is gone. The tally counts what the report will say; a prober's
// HTTP probe connects only to addresses the policy allows for members' endpoints.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import pino from 'pino';
import { toBase64 } from '../../src/codec/index.ts';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import {
  assembleGenesisWorld,
  DEFAULT_DUTY_POLICY,
  DEFAULT_POLICY,
  type DutyReportStatement,
  MEMBERS_MAX,
  type SignedStatement,
} from '../../src/governance/index.ts';
import { DUTY_PROBE_TIMEOUT_MS, DUTY_TICK_MS, DutyProber, DutyTally } from '../../src/node/duty-prober.ts';
import { probeP2p, probeRelay, probeRendezvous, probeStopHandler } from '../../src/node/p2p/duty-probes.ts';
import type { RootHost } from '../../src/node/p2p/index.ts';
import { CIRCUIT_STOP_PROTOCOL } from '../../src/wire/index.ts';
import { GENEROUS_RELAY, startRoot, startStockNode, TEST_FEDERATION } from './helpers.ts';

const PROBE_MS = 5_000;
const hosts: RootHost[] = [];
after(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

async function prober() {
  const seed = randomBytes(32);
  const host = await startRoot({ nodeSecretKey: seed });
  hosts.push(host);
  await host.libp2p.handle(CIRCUIT_STOP_PROTOCOL, probeStopHandler(host.libp2p));
  return { host, seed, privateKey: await generateKeyPairFromSeed('Ed25519', seed) };
}

const targetOf = (h: RootHost) => ({
  peerId: h.peerId.toString(),
  p2p: h.multiaddrs().map((a) => a.toString().replace(/\/p2p\/.*$/, '')),
});

test('ping, a relay reservation with a relayed echo, and a rendezvous round trip succeed against a serving root', async () => {
  const a = await prober();
  const b = await prober();
  const t = targetOf(b.host);
  await probeP2p(a.host.libp2p, t, AbortSignal.timeout(PROBE_MS));
  const relayedBefore = b.host.stats().relayedBytes;
  await probeRelay(a.host.libp2p, t, AbortSignal.timeout(PROBE_MS));
  assert.ok(b.host.stats().relayedBytes > relayedBefore, 'the echo went through the relay');
  await probeRendezvous(a.host.libp2p, a.privateKey, t, 120, AbortSignal.timeout(PROBE_MS));
  assert.equal(b.host.stats().rendezvousRegistrations, 1);
  // Probing again refreshes, never piles up.
  await probeRendezvous(a.host.libp2p, a.privateKey, t, 120, AbortSignal.timeout(PROBE_MS));
  assert.equal(b.host.stats().rendezvousRegistrations, 1);
});

test('a root answers the STOP side only for a circuit it opened itself', async () => {
  const relay = await prober();
  const target = await prober();
  // An outsider with a relay transport reserves on the relay, then the target dials it there:
  // the target's own probe handler is not what answers, and a circuit *to* the target is refused.
  const outsider = await startStockNode();
  try {
    const relayAddr = relay.host.multiaddrs()[0]!;
    await outsider.node.dial(relayAddr);
    const circuitToTarget = relayAddr.encapsulate(`/p2p-circuit/p2p/${target.host.peerId}`);
    // The target holds no reservation on the relay: NO_RESERVATION.
    await assert.rejects(
      outsider.node.dial(circuitToTarget, { signal: AbortSignal.timeout(PROBE_MS) }),
      /NO_RESERVATION/,
    );
    // With a reservation held by the target (its own relay probe made one), the relay opens a
    // STOP to the target on behalf of the outsider, and the target refuses it.
    await probeRelay(target.host.libp2p, targetOf(relay.host), AbortSignal.timeout(PROBE_MS));
    await assert.rejects(
      outsider.node.dial(circuitToTarget, { signal: AbortSignal.timeout(PROBE_MS) }),
      /CONNECTION_FAILED/,
    );
  } finally {
    await outsider.node.stop();
  }
});

test("members' roots reserve apart from the policy's slots, which stay for overlay peers", async () => {
  const seed = randomBytes(32);
  const relay = await startRoot({ nodeSecretKey: seed, relay: { ...GENEROUS_RELAY, reservationsMax: 1 } });
  hosts.push(relay);
  const member = await prober();
  const stranger = await prober();
  relay.setAllowedPeers([member.host.peerId.toString()]);
  const overlay = await startStockNode(['/ip4/127.0.0.1/tcp/0', `${relay.multiaddrs()[0]}/p2p-circuit`]);
  try {
    assert.equal(relay.stats().reservations, 1, 'the overlay peer holds the one slot');
    await probeRelay(member.host.libp2p, targetOf(relay), AbortSignal.timeout(PROBE_MS));
    await assert.rejects(
      probeRelay(stranger.host.libp2p, targetOf(relay), AbortSignal.timeout(PROBE_MS)),
      /status 200/,
      'a peer that is no member gets RESERVATION_REFUSED (200)',
    );
    assert.equal(relay.stats().reservations, 1, "the member's reservation is not counted against the slots");
  } finally {
    await overlay.node.stop();
  }
});

test('every probe fails against a root that is gone', async () => {
  const a = await prober();
  const b = await prober();
  const t = targetOf(b.host);
  await b.host.stop();
  const probes = [
    () => probeP2p(a.host.libp2p, t, AbortSignal.timeout(PROBE_MS)),
    () => probeRelay(a.host.libp2p, t, AbortSignal.timeout(PROBE_MS)),
    () => probeRendezvous(a.host.libp2p, a.privateKey, t, 120, AbortSignal.timeout(PROBE_MS)),
  ];
  for (const p of probes) await assert.rejects(p());
});

test('the tally counts attempts and successes per epoch and member, keeps two epochs, and reports sorted', () => {
  const tally = new DutyTally();
  tally.attempted(7, 'zed', 'http');
  tally.attempted(7, 'amy', 'http');
  tally.succeeded(7, 'amy', 'http');
  tally.attempted(7, 'amy', 'relay');
  const obs = tally.observations(7, ['zed', 'amy', 'bob']);
  assert.deepEqual(
    obs.map((o) => [o.member, o.http, o.relay, o.p2p]),
    [
      ['amy', { attempted: 1, succeeded: 1 }, { attempted: 1, succeeded: 0 }, { attempted: 0, succeeded: 0 }],
      ['zed', { attempted: 1, succeeded: 0 }, { attempted: 0, succeeded: 0 }, { attempted: 0, succeeded: 0 }],
    ],
    'bob was never probed: no observation; amy before zed',
  );
  tally.attempted(8, 'amy', 'http');
  tally.attempted(9, 'amy', 'http');
  assert.deepEqual(
    tally.observations(7, ['amy']),
    [],
    'epoch 7 is dropped once two later epochs are counted',
  );
  assert.equal(tally.observations(8, ['amy']).length, 1);
  const names = Array.from({ length: MEMBERS_MAX + 1 }, (_, i) => `m${String(i).padStart(2, '0')}`);
  for (const n of names) tally.attempted(10, n, 'p2p');
  assert.equal(tally.observations(10, names).length, MEMBERS_MAX, 'at most MEMBERS_MAX members per epoch');
});

/**
 * A prober of a two-member world probing `bob` through one epoch, its report taken once the next
 * begins. `bob`'s HTTP endpoint is `localhost` (a name resolving to a loopback address) on a
 * server that counts its requests.
 */
async function reportOnLocalhost(privateEndpointsAllowed: boolean) {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const a = await prober();
  const b = await prober();
  const keysA = keyPairFromSeed(a.seed);
  const descriptor = (name: string, nodeKey: Uint8Array, http: string, p2p: string[]) => ({
    name,
    organisation: `${name} org`,
    jurisdiction: name === 'amy' ? 'DE' : 'JP',
    nodeKey: toBase64(nodeKey),
    governanceKey: toBase64(keyPairFromSeed(randomBytes(32)).publicKey),
    endpoints: { http: [http], p2p },
  });
  const world = assembleGenesisWorld(
    TEST_FEDERATION,
    [
      descriptor('amy', keysA.publicKey, 'http://127.0.0.1:1/', targetOf(a.host).p2p),
      descriptor('bob', keyPairFromSeed(b.seed).publicKey, `http://localhost:${port}/`, targetOf(b.host).p2p),
    ],
    { ...structuredClone(DEFAULT_POLICY), privateEndpointsAllowed: true },
  );
  // The world's rules judge an announced name by its shape only; the policy that refuses
  // private endpoints is set here, past them, as for names that resolved elsewhere when announced.
  world.policy.privateEndpointsAllowed = privateEndpointsAllowed;
  const epochMs = DEFAULT_DUTY_POLICY.epochMs;
  let now = 1000 * epochMs + 1;
  const reports: SignedStatement[] = [];
  const dutyProber = new DutyProber({
    now: () => now,
    world: () => world,
    self: () => world.members[0],
    libp2p: a.host.libp2p,
    nodeKey: keysA,
    privateKey: a.privateKey,
    submit: (signed) => {
      reports.push(signed);
      return { id: 'accepted', rejection: null, known: false };
    },
    log: pino({ level: 'silent' }),
  });
  dutyProber.start();
  try {
    // The first tick (within DUTY_TICK_MS · 1.5) starts a round in this epoch; the clock then
    // moves into the next, and the report waits for that round's probes to end.
    const started = Date.now();
    while (reports.length === 0 && Date.now() < started + 4 * DUTY_PROBE_TIMEOUT_MS) {
      await sleep(200);
      if (Date.now() - started > 3 * DUTY_TICK_MS) now = 1001 * epochMs + 1;
    }
  } finally {
    dutyProber.stop();
  }
  const statement = reports[0]?.statement as DutyReportStatement | undefined;
  return { requests, about: statement?.observations.find((o) => o.member === 'bob') };
}

test('the HTTP probe connects only where the policy lets a root connect: a name resolving to a loopback address fails unasked', async () => {
  const allowed = await reportOnLocalhost(true);
  assert.ok(allowed.about !== undefined, 'a report on the epoch, about bob');
  assert.ok(allowed.about.http.attempted > 0);
  assert.equal(
    allowed.about.http.succeeded,
    allowed.about.http.attempted,
    'private endpoints allowed: asked',
  );
  assert.ok(allowed.requests > 0);

  const refused = await reportOnLocalhost(false);
  assert.ok(refused.about !== undefined, 'a report on the epoch, about bob');
  assert.ok(refused.about.http.attempted > 0);
  assert.equal(refused.about.http.succeeded, 0, 'the probe fails');
  assert.equal(refused.requests, 0, 'and the server is never asked');
  assert.equal(
    refused.about.p2p.succeeded,
    refused.about.p2p.attempted,
    'the libp2p probes are judged apart',
  );
});
