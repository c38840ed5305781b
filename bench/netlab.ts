// Overlay peers (the client library) across the network lab's NATs (test/netlab), with real
// `witan start` roots: (1) relayed vs direct throughput between peers behind NATs, the relayed
// pair behind two symmetric NATs (no punch possible), the direct pair behind two
// endpoint-independent NATs after DCUtR punched through; (2) the hole-punch success rate over
// fresh EIM-EIM pairs and the time from the relayed dial to the direct connection; (3) failover:
// a root the peers use is SIGKILLed, and the time until each peer's reservation and
// registration are on another root. Needs root (network namespaces, ip6tables); every process
// runs in the lab.

import type { LabRoot } from '../test/netlab/federation.ts';
import { createPeerLab, type Failover, type LabPeer } from '../test/netlab/peers.ts';
import { type BenchResult, type Figure, median } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const MiB = 1024 * 1024;
const DIRECT_WAIT_MS = 25_000;
/** A failover that has not completed by then counts as failed. */
const FAILOVER_WAIT_MS = 60_000;

export async function run(options: BenchOptions): Promise<BenchResult> {
  const punches = options.quick ? 2 : 6;
  const bytes = (options.quick ? 4 : 32) * MiB;
  const lab = await createPeerLab({
    roots: 3,
    homes: [...Array.from({ length: 2 * punches }, () => 'eim' as const), 'symmetric', 'symmetric'],
    publicPeers: 0,
  });
  try {
    // Hole punching: a fresh EIM pair per attempt, so no attempt inherits another's NAT state.
    const times: number[] = [];
    let direct = 0;
    const directThroughput: number[] = [];
    for (let i = 0; i < punches; i++) {
      const a: LabPeer = await lab.startPeer('eim');
      const b: LabPeer = await lab.startPeer('eim');
      const r = await a.connect(b, { bytes, directWaitMs: DIRECT_WAIT_MS });
      if (r.via === 'direct' && r.directMs !== null) {
        direct++;
        times.push(r.directMs);
        directThroughput.push(r.mibPerS);
      }
      await a.process.stop();
      await b.process.stop();
    }
    const s0 = await lab.startPeer('symmetric');
    const s1 = await lab.startPeer('symmetric');
    const relayed: number[] = [];
    for (let i = 0; i < (options.quick ? 1 : 3); i++) {
      const r = await s0.connect(s1, { bytes, directWaitMs: 0 });
      if (r.via !== 'relayed')
        throw new Error('two symmetric NATs were punched through: the lab is not what it claims');
      relayed.push(r.mibPerS);
    }
    const failovers = await failover(lab.roots, lab.federation.kill, [s0, s1]);
    const figures: Figure[] = [];
    const relayedMiBs = median(relayed);
    if (directThroughput.length > 0) {
      const directMiBs = median(directThroughput);
      figures.push({
        name: 'relayed throughput between peers behind symmetric NATs (median)',
        value: relayedMiBs,
        unit: 'MiB/s',
        baseline: 'direct, EIM peers after the punch (median)',
        baselineValue: directMiBs,
        ratio: relayedMiBs / directMiBs,
      });
    } else {
      figures.push({
        name: 'relayed throughput between peers behind symmetric NATs (median)',
        value: relayedMiBs,
        unit: 'MiB/s',
      });
    }
    figures.push({
      name: `hole punches that gave a direct connection, EIM-EIM, ${punches} fresh pairs`,
      value: (100 * direct) / punches,
      unit: '%',
    });
    if (times.length > 0) {
      figures.push({
        name: 'time from the relayed dial to the direct connection (median)',
        value: median(times),
        unit: 'ms',
      });
      figures.push({
        name: 'time from the relayed dial to the direct connection (max)',
        value: Math.max(...times),
        unit: 'ms',
      });
    }
    figures.push({
      name: `failover: SIGKILL of a root to the registration at its replacement (median of ${failovers.length} peers)`,
      value: median(failovers),
      unit: 'ms',
    });
    figures.push({ name: 'failover: the same (max)', value: Math.max(...failovers), unit: 'ms' });
    return {
      id: 'netlab',
      title: 'P2P: peers across NATs (network lab)',
      figures,
      notes: [
        `${bytes / MiB} MiB per transfer, one stream, 64 KiB writes; roots and peers are separate processes in network namespaces on one machine (2 shared cores), so absolute MiB/s are CPU-bound`,
        'relayed: the circuit runs through a `witan start` root on the lab public segment (Noise inside Noise, re-encrypted by the root); direct: a TCP connection DCUtR punched through two ip6tables MASQUERADE routers',
        'time to direct: the client library offers a NAT mapping to DCUtR only, never in identify, so the other side no longer first tries a unilateral dial that the NAT drops (a 5 s timeout with stock js-libp2p) before the punch proper (stock js-libp2p: median 5,808 ms, max 7,179 ms to direct, bench of 2026-12-04 19:30)',
        'every peer started once: with js-libp2p relay discovery off, no reservation is lost at start (stock js-libp2p needed 3 restarts in 14 starts)',
        'failover: 3 roots, each peer uses 2 (the namespace order); the time runs from the SIGKILL to the peer holding a reservation on the third root and its new record registered at both roots it uses',
      ],
    };
  } finally {
    await lab.close();
  }
}

/** Kills the first root the peers use and returns each peer's time (ms) from the kill to its repaired registration. */
async function failover(
  roots: LabRoot[],
  kill: (r: LabRoot) => Promise<void>,
  peers: LabPeer[],
): Promise<number[]> {
  const used = new Set(peers[0]?.roots.map((r) => r.peerId));
  const victim = roots.find((r) => used.has(r.peerId));
  if (victim === undefined) throw new Error('the peers use no root of this lab');
  const t0 = Date.now();
  await kill(victim);
  const times: number[] = [];
  for (const p of peers) {
    const deadline = Date.now() + FAILOVER_WAIT_MS;
    let done: Failover | undefined;
    while (done === undefined && Date.now() < deadline) {
      done = (await p.status()).failovers.find((f) => f.registeredAtMs !== null);
      if (done === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    if (done?.registeredAtMs == null)
      throw new Error(`a peer did not fail over within ${FAILOVER_WAIT_MS} ms`);
    times.push(done.registeredAtMs - t0);
  }
  return times;
}
