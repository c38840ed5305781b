// Rendezvous on a root: REGISTER (refresh, signed record checked each time) and DISCOVER
// (limit 10) requests per second from many plain js-libp2p clients over /rendezvous/1.0.0
// (goal ≥ 5,000 ops/s), against a bare length-prefixed echo of the same request bytes on the
// same connections at the same concurrency (the cost of libp2p alone). The root runs in its own
// process.

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
import { RendezvousClient } from '../src/overlay/index.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { ECHO_FRAMES, forkChild, stopChild } from './relay.ts';
import type { BenchOptions } from './run.ts';

const NS = 'witan/bench/rendezvous';
const FRESH_RECORDS = 16;

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

export async function run(options: BenchOptions): Promise<BenchResult> {
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
    ];
    return {
      id: 'rendezvous',
      title: 'P2P: rendezvous on a root',
      figures,
      notes: [
        `${clientCount} plain js-libp2p clients, one request in flight each, ${ms} ms per run, 2 alternating runs; root in its own process`,
        'REGISTER with a new signed record (new seq) makes the root verify its envelope signature; a refresh with the same bytes is recognised without re-verifying; DISCOVER asks for 10 of 32',
        'baseline: the root echoes each length-prefixed request frame on one long-lived stream per client (what libp2p costs with no rendezvous work)',
      ],
    };
  } finally {
    await Promise.all(clients.map(async (c) => c.node.stop()));
    await stopChild(root);
  }
}
