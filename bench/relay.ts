// Circuit relay on a root: (1) relayed vs direct libp2p throughput between two plain js-libp2p
// nodes (goal ≥ 0.5), (2) the root's memory per relay reservation at 1,000 and at 10,000
// reservations (goal ≤ 100 KiB at 10,000; WITAN_BENCH_RELAY_RESERVATIONS sets the larger count
// for a machine without the memory for 10,000 client nodes), next to its memory per plain
// connection without a reservation.
// The root and the listening node each run in their own process, as they would in the field;
// the root under the Node flags and environment every root runs with (ROOT_NODE_FLAGS,
// ROOT_ENV). Its relay limits are the largest a policy may set where the benchmark needs them
// (all clients share 127.0.0.1), and its connection limit is the one a root derives from its
// reservations.
// `node bench/relay.ts --child <role>` is how this file starts them.

import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { ROOT_NODE_FLAGS, rootEnvironment } from '../src/cli/constants.ts';
import { POLICY_RANGES } from '../src/governance/index.ts';
import { DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX } from '../src/node/p2p/constants.ts';
import { createRootHost, frameReader, type RootHostStats, sendFrame } from '../src/node/p2p/index.ts';
import { type BenchResult, type Figure, processCpuMs, ratioFigure, sizeOverride } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

export const SINK = '/witan/bench-sink/1.0.0';
export const ECHO_FRAMES = '/witan/bench-echo/1.0.0';
const MiB = 1024 * 1024;
const KiB = 1024;
const CHUNK_BYTES = 64 * 1024;
/** Reservations the root holds when its memory per reservation is measured; the goal is at the larger. */
const RESERVATIONS = 1_000;
const RESERVATIONS_AT_SCALE = 10_000;
/** The goal for the root's memory per reservation at RESERVATIONS_AT_SCALE. */
const MEMORY_PER_RESERVATION_GOAL_KIB = 100;
/** The root's reservation limit: room for the largest count measured (the policy allows 65,536). */
const ROOT_RESERVATIONS_MAX = 20_000;
/** Client nodes per process when measuring memory (each is a js-libp2p node with its own key). */
const CLIENTS_PER_PROCESS_MAX = 2_500;
/** Client nodes connecting at once, over all client processes. */
const CLIENTS_CONNECTING_MAX = 24;
/** A client's dial timeout: the root may be slow to answer while thousands connect. */
const CLIENT_DIAL_TIMEOUT_MS = 30_000;
/** Attempts per client node (a handshake can time out while the root is busy), and the backoff step. */
const CLIENT_ATTEMPTS_MAX = 5;
const CLIENT_RETRY_MS = 500;
/** Time a client process is given to connect all its nodes. */
const CLIENTS_START_MS = 900_000;

// ------------------------------------------------------------------ child processes

type ChildRequest = { op: 'mem' } | { op: 'stats' } | { op: 'stop' };
type ChildReply = { op: string; value: unknown };

export async function startStock(listen: string[] = [], dialTimeoutMs?: number): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen },
    ...(dialTimeoutMs === undefined
      ? {}
      : { connectionManager: { dialTimeout: dialTimeoutMs, addressDialTimeout: dialTimeoutMs } }),
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify() },
  });
}

/** Reads everything, then answers with the byte count as 8 bytes. */
export async function handleSink(node: Libp2p): Promise<void> {
  await node.handle(
    SINK,
    async (stream: Stream) => {
      let n = 0;
      for await (const c of stream) n += c.byteLength;
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigUint64(0, BigInt(n));
      stream.send(out);
      await stream.close();
    },
    { runOnLimitedConnection: true },
  );
}

/** heapUsed: JS heap in use + memory outside it held by JS objects (array buffers among it). */
type Memory = { heapUsed: number; rss: number };

function memory(): Memory {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // `external` already includes `arrayBuffers` (Node's process.memoryUsage): not added twice.
  return { heapUsed: m.heapUsed + m.external, rss: m.rss };
}

async function childMain(role: string): Promise<void> {
  const send = (msg: unknown) => process.send?.(msg);
  if (role === 'root') {
    const host = await createRootHost({
      nodeSecretKey: randomBytes(32),
      federation: 'bench.witan.test',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      relay: {
        reservationsMax: ROOT_RESERVATIONS_MAX,
        reservationTtlMs: 3_600_000,
        circuitBytesMax: 1024 * MiB,
        circuitDurationMs: 600_000,
        connectionsPerIpPerSecond: POLICY_RANGES['relay.connectionsPerIpPerSecond'][1],
        pendingConnectionsMax: 4096,
      },
      // bench/rendezvous.ts registers 32 clients in hundreds of namespaces each, twice over.
      rendezvous: {
        registrationsPerNamespaceMax: 100_000,
        registrationsPerPeerMax: 10_000,
        bytesPerPeerMax: 16 * MiB,
      },
    });
    // Baseline for bench/rendezvous.ts: length-prefixed request/response echo, nothing else.
    await host.libp2p.handle(ECHO_FRAMES, async (stream: Stream) => {
      const frames = frameReader(stream, 64 * 1024);
      for (let frame = await frames.next(); frame !== null; frame = await frames.next()) {
        await sendFrame(stream, frame);
      }
      await stream.close();
    });
    process.on('message', (req: ChildRequest) => {
      if (req.op === 'mem') send({ op: 'mem', value: memory() });
      else if (req.op === 'stats') send({ op: 'stats', value: host.stats() });
      else if (req.op === 'stop') void host.stop().then(() => process.exit(0));
    });
    send({ op: 'ready', value: host.multiaddrs()[0]?.toString() });
  } else if (role === 'listener') {
    const relay = process.argv[4] as string;
    const node = await startStock(['/ip4/127.0.0.1/tcp/0', `${relay}/p2p-circuit`]);
    await handleSink(node);
    const deadline = Date.now() + 10_000;
    while (
      !node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit')) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    process.on('message', (req: ChildRequest) => {
      if (req.op === 'stop') void Promise.resolve(node.stop()).then(() => process.exit(0));
    });
    send({ op: 'ready', value: node.getMultiaddrs().map(String) });
  } else if (role === 'reservers') {
    // argv: relay address, count, whether to reserve (1) or only connect (0)
    const relay = multiaddr(process.argv[4] as string);
    const count = Number(process.argv[5]);
    const doReserve = process.argv[6] === '1';
    const processes = Number(process.argv[7]);
    // A dial that times out can also reject inside libp2p where nothing awaits it; the attempt
    // is retried below, so such a rejection is counted, not fatal.
    let stray = 0;
    process.on('unhandledRejection', () => {
      stray++;
    });
    const nodes: Libp2p[] = [];
    // The root upgrades a bounded number of connections at once; clients beyond it are reset.
    const batch = Math.max(1, Math.floor(CLIENTS_CONNECTING_MAX / processes));
    for (let i = 0; i < count; i += batch) {
      const made = await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, async () => {
          // A reservation can time out while the root is busy accepting others: retry a few times.
          for (let attempt = 1; ; attempt++) {
            try {
              const node = await startStock(
                doReserve ? [`${relay.toString()}/p2p-circuit`] : [],
                CLIENT_DIAL_TIMEOUT_MS,
              );
              if (!doReserve) await node.dial(relay);
              return node;
            } catch (err) {
              if (attempt >= CLIENT_ATTEMPTS_MAX) throw err;
              await new Promise((r) => setTimeout(r, CLIENT_RETRY_MS * attempt));
            }
          }
        }),
      );
      nodes.push(...made);
    }
    process.on('message', (req: ChildRequest) => {
      if (req.op === 'stop') {
        void Promise.all(nodes.map(async (n) => n.stop())).then(() => process.exit(0));
      }
    });
    if (stray > 0) console.error(`relay bench client: ${stray} dial rejection(s) retried`);
    send({ op: 'ready', value: nodes.length });
  }
}

// ------------------------------------------------------------------ parent side

export type Child = { proc: ChildProcess; ready: unknown; ask(op: ChildRequest['op']): Promise<unknown> };

/** Starts `node bench/relay.ts --child <role> ...args` and waits for its ready message. */
export async function forkChild(role: string, args: string[] = [], timeoutMs = 120_000): Promise<Child> {
  const proc = fork(import.meta.filename, ['--child', role, ...args], {
    // The root runs as every root does; a client process holds thousands of nodes.
    execArgv: ['--expose-gc', ...(role === 'root' ? ROOT_NODE_FLAGS : ['--max-old-space-size=8192'])],
    env: role === 'root' ? rootEnvironment() : process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = new Map<string, (v: unknown) => void>();
  const ready = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child ${role} not ready after ${timeoutMs} ms`)),
      timeoutMs,
    );
    proc.on('message', (msg: ChildReply) => {
      if (msg.op === 'ready') {
        clearTimeout(timer);
        resolve(msg.value);
      } else waiters.get(msg.op)?.(msg.value);
    });
    proc.on('exit', (code) => reject(new Error(`child ${role} exited with ${code}`)));
  });
  const value = await ready;
  return {
    proc,
    ready: value,
    ask: (op) =>
      new Promise((resolve) => {
        waiters.set(op, resolve);
        proc.send({ op });
      }),
  };
}

export async function stopChild(child: Child): Promise<void> {
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.send({ op: 'stop' });
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Sends `bytes` to the sink at addr and returns MiB/s, including the sink's acknowledgement. */
async function sendTo(dialer: Libp2p, addr: Multiaddr, bytes: number): Promise<number> {
  const stream = await dialer.dialProtocol(addr, SINK, { runOnLimitedConnection: true });
  const chunk = new Uint8Array(CHUNK_BYTES).fill(1);
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += CHUNK_BYTES) {
    if (!stream.send(chunk)) await stream.onDrain();
  }
  const ack = (async () => {
    for await (const c of stream) return c;
    return undefined;
  })();
  const closing = stream.close();
  const got = await ack;
  await closing.catch(() => undefined);
  const seconds = (performance.now() - t0) / 1000;
  if (got === undefined) throw new Error('sink did not acknowledge');
  return bytes / MiB / seconds;
}

type Throughput = { direct: number; relayed: number; cpuMsPerMiB: { direct: number; relayed: number } };

async function throughput(bytes: number, rounds: number): Promise<Throughput> {
  const root = await forkChild('root');
  const listener = await forkChild('listener', [root.ready as string]);
  const addrs = (listener.ready as string[]).map((a) => multiaddr(a));
  const directAddr = addrs.find((a) => !a.toString().includes('/p2p-circuit'));
  const relayAddr = addrs.find((a) => a.toString().includes('/p2p-circuit'));
  if (directAddr === undefined || relayAddr === undefined)
    throw new Error('listener has no direct or relay address');
  // Two dialers: libp2p reuses an open connection to a peer, so one dialer would send its
  // "relayed" bytes over the direct connection.
  const dialerDirect = await startStock();
  const dialerRelayed = await startStock();
  let direct = 0;
  let relayed = 0;
  const cpu = { direct: 0, relayed: 0 };
  // The dialers run in this process; the root and the listener in theirs.
  const cpuNow = () =>
    processCpuMs(process.pid) + processCpuMs(root.proc.pid!) + processCpuMs(listener.proc.pid!);
  try {
    await sendTo(dialerDirect, directAddr, 4 * MiB); // warm-up
    await sendTo(dialerRelayed, relayAddr, 4 * MiB);
    const relayedConn = dialerRelayed
      .getConnections()
      .find((c) => c.remoteAddr.toString().includes('/p2p-circuit'));
    const toListener = relayedConn === undefined ? [] : dialerRelayed.getConnections(relayedConn.remotePeer);
    if (
      relayedConn === undefined ||
      toListener.some((c) => !c.remoteAddr.toString().includes('/p2p-circuit'))
    ) {
      throw new Error('the relayed dialer is not using the relay');
    }
    for (let i = 0; i < rounds; i++) {
      let before = cpuNow();
      direct += await sendTo(dialerDirect, directAddr, bytes);
      cpu.direct += cpuNow() - before;
      before = cpuNow();
      relayed += await sendTo(dialerRelayed, relayAddr, bytes);
      cpu.relayed += cpuNow() - before;
    }
  } finally {
    await dialerDirect.stop();
    await dialerRelayed.stop();
    await stopChild(listener);
    await stopChild(root);
  }
  const mib = (bytes * rounds) / MiB;
  return {
    direct: direct / rounds,
    relayed: relayed / rounds,
    cpuMsPerMiB: { direct: cpu.direct / mib, relayed: cpu.relayed / mib },
  };
}

/** The number of client processes for `count` client nodes. */
const clientProcesses = (count: number) => Math.max(2, Math.ceil(count / CLIENTS_PER_PROCESS_MAX));

type PerConnection = { heapKiB: number; rssKiB: number; held: number; stats: RootHostStats };

/**
 * Root memory growth per connection, with or without a reservation on each: JS heap + external
 * memory (array buffers included) after gc, and the resident set.
 */
async function memoryPer(count: number, reserve: boolean): Promise<PerConnection> {
  const root = await forkChild('root');
  try {
    await new Promise((r) => setTimeout(r, 500));
    const before = (await root.ask('mem')) as Memory;
    const workers = clientProcesses(count);
    const children = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const share = Math.floor(count / workers) + (i < count % workers ? 1 : 0);
        return forkChild(
          'reservers',
          [root.ready as string, String(share), reserve ? '1' : '0', String(workers)],
          CLIENTS_START_MS,
        );
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const after = (await root.ask('mem')) as Memory;
    const stats = (await root.ask('stats')) as RootHostStats;
    await Promise.all(children.map(stopChild));
    // A client whose attempt timed out may still have got its reservation (or connection) before
    // it was retried: divide by what the root holds.
    const held = reserve ? stats.reservations : stats.peers;
    if (held < count)
      throw new Error(`expected ${count} ${reserve ? 'reservations' : 'peers'}, root holds ${held}`);
    return {
      heapKiB: (after.heapUsed - before.heapUsed) / held / KiB,
      rssKiB: (after.rss - before.rss) / held / KiB,
      held,
      stats,
    };
  } finally {
    await stopChild(root);
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const bytes = options.quick ? 16 * MiB : 64 * MiB;
  const rounds = options.quick ? 1 : 3;
  const reservations = options.quick ? 200 : RESERVATIONS;
  const atScale =
    sizeOverride('WITAN_BENCH_RELAY_RESERVATIONS') ?? (options.quick ? 1_000 : RESERVATIONS_AT_SCALE);
  const n = (x: number) => x.toLocaleString('en-US');
  const loadAverage = loadavg()[0]!;
  const figures: Figure[] = [];
  const t = await throughput(bytes, rounds);
  figures.push(
    ratioFigure('relayed throughput, one stream', t.relayed, 'MiB/s', 'direct libp2p, same nodes', t.direct, {
      atLeast: 0.5,
    }),
    ratioFigure(
      '  CPU per MiB, dialer + root + listener, direct (the ceiling: direct ÷ relayed CPU per MiB)',
      t.cpuMsPerMiB.direct,
      'ms',
      'relayed',
      t.cpuMsPerMiB.relayed,
    ),
  );
  const plain = await memoryPer(reservations, false);
  const reserved = await memoryPer(reservations, true);
  const scaled = await memoryPer(atScale, true);
  figures.push(
    ratioFigure(
      `root memory per reservation (with its connection), ${n(atScale)} reservations`,
      scaled.heapKiB,
      'KiB',
      'goal',
      MEMORY_PER_RESERVATION_GOAL_KIB,
      atScale >= RESERVATIONS_AT_SCALE ? { atMost: 1 } : undefined,
    ),
    {
      name: `  root resident set growth per reservation, ${n(atScale)} reservations`,
      value: scaled.rssKiB,
      unit: 'KiB',
    },
    ratioFigure(
      `root memory per reservation (with its connection), ${n(reservations)} reservations`,
      reserved.heapKiB,
      'KiB',
      `the same at ${n(atScale)}`,
      scaled.heapKiB,
    ),
    ratioFigure(
      `root memory per plain connection, ${n(reservations)} connections`,
      plain.heapKiB,
      'KiB',
      'memory per reservation',
      reserved.heapKiB,
    ),
  );
  return {
    id: 'relay',
    title: 'P2P: circuit relay on a root',
    figures,
    notes: [
      `load average (1 min) of the machine when the run began: ${loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
      `throughput: ${bytes / MiB} MiB per round, ${rounds} round(s) alternating direct/relayed, 64 KiB writes; root, listener and dialer are three processes on 127.0.0.1`,
      'relayed data is Noise-encrypted twice on each end (circuit inside the relay connection) and re-encrypted by the root',
      `CPU: user + system time of the three processes (/proc/<pid>/stat) while each side's rounds ran, per MiB; both sides saturate the machine's ${availableParallelism()} cores, so relayed throughput can reach at most direct × (direct ÷ relayed CPU per MiB) = ${(t.direct * (t.cpuMsPerMiB.direct / t.cpuMsPerMiB.relayed)).toFixed(1)} MiB/s here`,
      `memory: JS heap + external memory (array buffers included) of the root process after gc (and its resident set), before and after the clients connect; ${n(atScale)} client nodes in ${clientProcesses(atScale)} other processes, ${n(reservations)} in ${clientProcesses(reservations)}; per reservation = growth ÷ reservations the root holds (${n(scaled.held)} and ${n(reserved.held)}: a client that timed out and retried may hold one more); the root runs with ${ROOT_NODE_FLAGS.join(' ')}, and holds at most its reservation limit + ${n(DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX)} connections (${n(ROOT_RESERVATIONS_MAX)} + ${n(DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX)} = ${n(scaled.stats.connectionsMax)} here)`,
      ...(atScale < RESERVATIONS_AT_SCALE
        ? [
            `the goal is at ${n(RESERVATIONS_AT_SCALE)} reservations; this run measured ${n(atScale)}, so it says nothing of the goal`,
          ]
        : []),
    ],
  };
}

if (process.argv[2] === '--child') {
  await childMain(process.argv[3] as string);
}
