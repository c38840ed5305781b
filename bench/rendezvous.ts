// Rendezvous on a root: REGISTER (refresh, signed record checked each time) and DISCOVER
// (limit 10) requests per second from many plain js-libp2p clients over /rendezvous/1.0.0
// (goal ≥ 5,000 ops/s), against a bare length-prefixed echo of the same request bytes on the
// same connections at the same concurrency (the cost of libp2p alone); then what the root's
// memory grows by per 1,000 registrations. The root runs in its own process, under the Node
// flags every root runs with.

import { availableParallelism, loadavg } from 'node:os';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import {
  encodeMessage,
  type FrameReader,
  frameReader,
  MessageType,
  type RendezvousMessage,
  sendFrame,
} from '../src/node/p2p/index.ts';
import {
  RENDEZVOUS_REGISTRATION_OVERHEAD_BYTES,
  registrationBytes,
} from '../src/node/p2p/rendezvous-store.ts';
import { RendezvousClient } from '../src/overlay/index.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { type Child, ECHO_FRAMES, forkChild, stopChild } from './relay.ts';
import type { BenchOptions } from './run.ts';

const NS = 'witan/bench/rendezvous';
const FRESH_RECORDS = 16;
/** Registrations added for the memory figure, spread over the clients and namespaces. */
const MEMORY_REGISTRATIONS = 10_000;
/** The figure is given per this many registrations. */
const REGISTRATIONS_PER_FIGURE = 1_000;
const KiB = 1024;

type Client = {
  node: Libp2p;
  key: PrivateKey;
  rc: RendezvousClient;
  register: RendezvousMessage;
  /** Distinct signed records (new seq numbers), cycled so that every REGISTER is verified. */
  fresh: RendezvousMessage[];
  next: number;
  echo?: { stream: Stream; frames: FrameReader };
};

async function makeClient(root: ReturnType<typeof multiaddr>): Promise<Client> {
  const key = await generateKeyPair('Ed25519');
  const node = await createLibp2p({
    privateKey: key,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify() },
  });
  await node.dial(root);
  const fresh: RendezvousMessage[] = [];
  for (let i = 0; i < FRESH_RECORDS; i++) {
    const envelope = await RecordEnvelope.seal(
      new PeerRecord({
        peerId: node.peerId,
        multiaddrs: [multiaddr('/ip4/192.0.2.1/tcp/4001')],
        seqNumber: BigInt(i + 1),
      }),
      key,
    );
    fresh.push({
      type: MessageType.REGISTER,
      register: { ns: NS, signedPeerRecord: envelope.marshal(), ttl: 7200 },
    });
  }
  const register = fresh[0] as RendezvousMessage;
  return {
    node,
    key,
    rc: new RendezvousClient(node, root, { privateKey: key, verifyRecords: false }),
    register,
    fresh,
    next: 0,
  };
}

/** Runs op on every client in parallel loops for ms; returns completed ops per second. */
async function loadFor(clients: Client[], ms: number, op: (c: Client) => Promise<number>): Promise<number> {
  const deadline = performance.now() + ms;
  const t0 = performance.now();
  const counts = await Promise.all(
    clients.map(async (c) => {
      let n = 0;
      while (performance.now() < deadline) n += await op(c);
      return n;
    }),
  );
  return (counts.reduce((a, b) => a + b, 0) * 1000) / (performance.now() - t0);
}

type Memory = { heapUsed: number; rss: number };

/**
 * What the root's memory grows by (JS heap + external memory after gc, and its resident
 * set) while the clients add `count` registrations: each client registers its signed record in
 * namespaces <prefix>/0, /1, … for its share, so each namespace holds one registration per
 * client.
 */
async function memoryPerRegistration(
  root: Child,
  clients: Client[],
  count: number,
  prefix: string,
): Promise<{ heapKiB: number; rssKiB: number; countedKiB: number; stored: number }> {
  const before = (await root.ask('mem')) as Memory;
  const storedBefore = ((await root.ask('stats')) as { rendezvousRegistrations: number })
    .rendezvousRegistrations;
  let counted = 0;
  await Promise.all(
    clients.map(async (c, i) => {
      const share = Math.floor(count / clients.length) + (i < count % clients.length ? 1 : 0);
      const record = c.register.register?.signedPeerRecord;
      for (let k = 0; k < share; k++) {
        const ns = `${prefix}/${k}`;
        counted += registrationBytes(ns, record!);
        const r = await c.rc.request({
          type: MessageType.REGISTER,
          register: { ns, signedPeerRecord: record, ttl: 7200 },
        });
        if (r?.registerResponse?.status !== 0)
          throw new Error(`REGISTER refused: ${r?.registerResponse?.statusText}`);
      }
    }),
  );
  const after = (await root.ask('mem')) as Memory;
  const stored =
    ((await root.ask('stats')) as { rendezvousRegistrations: number }).rendezvousRegistrations - storedBefore;
  if (stored !== count)
    throw new Error(`expected ${count} more registrations, the root stores ${stored} more`);
  return {
    heapKiB: ((after.heapUsed - before.heapUsed) * REGISTRATIONS_PER_FIGURE) / count / KiB,
    rssKiB: ((after.rss - before.rss) * REGISTRATIONS_PER_FIGURE) / count / KiB,
    countedKiB: (counted * REGISTRATIONS_PER_FIGURE) / count / KiB,
    stored,
  };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const loadAverage = loadavg()[0]!;
  const ms = options.quick ? 1500 : 5000;
  const clientCount = 32;
  const root = await forkChild('root');
  const rootAddr = multiaddr(root.ready as string);
  const clients: Client[] = [];
  try {
    for (let i = 0; i < clientCount; i++) clients.push(await makeClient(rootAddr));
    for (const c of clients) await c.rc.request(c.register);
    const discover: RendezvousMessage = { type: MessageType.DISCOVER, discover: { ns: NS, limit: 10 } };
    const opWith = (fresh: boolean) => async (c: Client) => {
      const reg = fresh ? (c.fresh[c.next++ % FRESH_RECORDS] as RendezvousMessage) : c.register;
      const r1 = await c.rc.request(reg);
      const r2 = await c.rc.request(discover);
      if (r1?.registerResponse?.status !== 0 || r2?.discoverResponse?.registrations.length !== 10) {
        throw new Error('rendezvous request failed during the benchmark');
      }
      return 2;
    };
    const freshOp = opWith(true);
    const refreshOp = opWith(false);
    for (const c of clients) {
      const stream = await c.node.dialProtocol(rootAddr, ECHO_FRAMES);
      c.echo = { stream, frames: frameReader(stream, 64 * 1024) };
    }
    const registerBytes = encodeMessage(clients[0]?.register ?? {});
    const discoverBytes = encodeMessage(discover);
    const echoOp = async (c: Client) => {
      const e = c.echo;
      if (e === undefined) throw new Error('no echo stream');
      await sendFrame(e.stream, registerBytes);
      await e.frames.next();
      await sendFrame(e.stream, discoverBytes);
      await e.frames.next();
      return 2;
    };
    // Warm up, then alternate.
    await loadFor(clients, 2000, freshOp);
    await loadFor(clients, 2000, echoOp);
    const runs = { fresh: 0, refresh: 0, echo: 0 };
    for (let round = 0; round < 2; round++) {
      runs.fresh += (await loadFor(clients, ms, freshOp)) / 2;
      runs.refresh += (await loadFor(clients, ms, refreshOp)) / 2;
      runs.echo += (await loadFor(clients, ms, echoOp)) / 2;
    }
    // The first batch pays for what is made once (code compiled for new paths, tables grown);
    // the second is what further registrations cost.
    await memoryPerRegistration(root, clients, MEMORY_REGISTRATIONS, 'witan/bench/warm-up');
    const memory = await memoryPerRegistration(root, clients, MEMORY_REGISTRATIONS, 'witan/bench/memory');
    const echoName = 'bare echo of the same request bytes, same connections';
    const figures: Figure[] = [
      ratioFigure(
        'REGISTER (new signed record, verified) + DISCOVER',
        runs.fresh,
        'ops/s',
        echoName,
        runs.echo,
      ),
      ratioFigure(
        'REGISTER (unchanged record, refresh) + DISCOVER',
        runs.refresh,
        'ops/s',
        echoName,
        runs.echo,
      ),
      ratioFigure('REGISTER (new record) + DISCOVER vs goal', runs.fresh, 'ops/s', 'goal', 5000, {
        atLeast: 1,
      }),
      ratioFigure(
        `root memory per ${REGISTRATIONS_PER_FIGURE.toLocaleString('en-US')} registrations`,
        memory.heapKiB,
        'KiB',
        'what the store counts against its byte bounds',
        memory.countedKiB,
      ),
      {
        name: `  root resident set growth per ${REGISTRATIONS_PER_FIGURE.toLocaleString('en-US')} registrations`,
        value: memory.rssKiB,
        unit: 'KiB',
      },
    ];
    return {
      id: 'rendezvous',
      title: 'P2P: rendezvous on a root',
      figures,
      notes: [
        `${clientCount} plain js-libp2p clients, one request in flight each, ${ms} ms per run, 2 alternating runs; root in its own process`,
        'REGISTER with a new signed record (new seq) makes the root verify its envelope signature; a refresh with the same bytes is recognised without re-verifying; DISCOVER asks for 10 of 32',
        'baseline: the root echoes each length-prefixed request frame on one long-lived stream per client (what libp2p costs with no rendezvous work)',
        `memory: JS heap + external memory (array buffers included) of the root process after gc (and its resident set), before and after the ${clientCount} connected clients add ${memory.stored.toLocaleString('en-US')} registrations (after as many not measured), each client its signed peer record (${clients[0]?.register.register?.signedPeerRecord?.length ?? 0} bytes) in ${Math.ceil(memory.stored / clientCount)} namespaces, ${clientCount} registrations in each; the root stores each registration's record, namespace and expiry, and its place in the namespace's order for paging; the store bounds its registrations by what it counts for each (record + 2 × namespace + ${RENDEZVOUS_REGISTRATION_OVERHEAD_BYTES} bytes), so a ratio ≤ 1 says its byte bounds hold what they promise`,
        `load average (1 min) of the machine when the run began: ${loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
      ],
    };
  } finally {
    await Promise.all(clients.map(async (c) => c.node.stop()));
    await stopChild(root);
  }
}
