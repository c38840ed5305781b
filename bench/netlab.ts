// Overlay peers across the network lab's NATs (test/netlab): (1) relayed vs direct throughput
// between peers behind NATs, the relayed pair behind two symmetric NATs (no punch possible),
// the direct pair behind two endpoint-independent NATs after DCUtR punched through; (2) the
// hole-punch success rate over fresh EIM-EIM pairs and the time from the relayed dial to the
// direct connection. Needs root (network namespaces, ip6tables); every process runs in the lab.

import { createPeerLab, type LabPeer } from '../test/netlab/peers.ts';
import type { BenchResult, Figure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const MiB = 1024 * 1024;
const DIRECT_WAIT_MS = 25_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const punches = options.quick ? 2 : 6;
  const bytes = (options.quick ? 4 : 32) * MiB;
  const lab = await createPeerLab({
    roots: 2,
    homes: [...Array.from({ length: 2 * punches }, () => 'eim' as const), 'symmetric', 'symmetric'],
    publicPeers: 0,
  });
  try {
    // Hole punching: a fresh EIM pair per attempt, so no attempt inherits another's NAT state.
    const times: number[] = [];
    let direct = 0;
    const directThroughput: number[] = [];
    let restarts = 0;
    for (let i = 0; i < punches; i++) {
      const a: LabPeer = await lab.startPeer('eim');
      const b: LabPeer = await lab.startPeer('eim');
      restarts += a.startAttempts + b.startAttempts - 2;
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
    return {
      id: 'netlab',
      title: 'P2P: peers across NATs (network lab)',
      figures,
      notes: [
        `${bytes / MiB} MiB per transfer, one stream, 64 KiB writes; roots and peers are separate processes in network namespaces on one machine (2 shared cores), so absolute MiB/s are CPU-bound`,
        'relayed: the circuit runs through a root host on the lab public segment (Noise inside Noise, re-encrypted by the root); direct: a TCP connection DCUtR punched through two ip6tables MASQUERADE routers',
        'time to direct is dominated by js-libp2p DCUtR first trying a unilateral dial to the hole-punch address, which only times out (5 s) before the punch proper',
        `peer processes restarted because the relay transport lost a reservation at start: ${restarts}`,
      ],
    };
  } finally {
    await lab.close();
  }
}
