// Prometheus gauges for the root's relay and rendezvous duty (relay
// reservations, circuits and bytes, rendezvous registrations) and its gossip gate (messages
// refused), read from the host's stats at scrape time so nothing is counted twice.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { DirectStats } from './direct.ts';
import { GOSSIP_REFUSALS, type GossipRefusal } from './gossip.ts';

/** What the host counts for these gauges (the host's stats(); defined here, where it is read). */
export type RootHostStats = {
  peers: number;
  /** Connections the host holds at most (inbound ones beyond it are refused). */
  connectionsMax: number;
  reservations: number;
  circuits: number;
  relayedBytes: number;
  rendezvousRegistrations: number;
  /** Gossip messages refused since start, by reason. */
  gossipRefused: Record<GossipRefusal, number>;
  /** Messages on direct streams between roots since start; bytes by topic kind. */
  direct: DirectStats;
};

export function registerP2PMetrics(registry: Registry, stats: () => RootHostStats): void {
  const gauge = (name: string, help: string, pick: (s: RootHostStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(stats()));
      },
    });
  gauge('witan_peers', 'libp2p peers connected to this root (roots and overlay peers)', (s) => s.peers);
  gauge('witan_relay_reservations', 'Circuit relay reservations held', (s) => s.reservations);
  gauge('witan_relay_circuits', 'Relayed connections open now', (s) => s.circuits);
  // A counter (rate() works on it); the host counts the total, the counter follows it.
  let counted = 0;
  new Counter({
    name: 'witan_relay_bytes_total',
    help: 'Bytes relayed since start, both directions',
    registers: [registry],
    collect() {
      const total = stats().relayedBytes;
      if (total > counted) this.inc(total - counted);
      counted = Math.max(counted, total);
    },
  });
  gauge(
    'witan_rendezvous_registrations',
    'Rendezvous registrations stored',
    (s) => s.rendezvousRegistrations,
  );
  new Gauge({
    name: 'witan_gossip_refused',
    help: 'Gossip messages refused since start, by reason: unsigned, too-large, not-member, invalid',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const refused = stats().gossipRefused;
      for (const reason of GOSSIP_REFUSALS) this.set({ reason }, refused[reason]);
    },
  });
  new Gauge({
    name: 'witan_direct_messages',
    help: 'Messages on direct streams between roots since start: sent, received, lost (a stream broke or stalled; sent by gossip instead), refused (streams from non-members)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const d = stats().direct;
      for (const outcome of ['sent', 'received', 'lost', 'refused'] as const)
        this.set({ outcome }, d[outcome]);
    },
  });
  // Counters like the relay's: the links count totals, each label's counter follows its total.
  const countedBytes = new Map<string, number>();
  new Counter({
    name: 'witan_direct_bytes_total',
    help: 'Bytes of the messages sent and received on direct streams between roots, by kind (consensus, statements, cosignatures, frost)',
    labelNames: ['kind', 'direction'],
    registers: [registry],
    collect() {
      for (const [kind, bytes] of Object.entries(stats().direct.bytes)) {
        for (const direction of ['sent', 'received'] as const) {
          const key = `${kind} ${direction}`;
          const before = countedBytes.get(key) ?? 0;
          if (bytes[direction] > before) this.inc({ kind, direction }, bytes[direction] - before);
          countedBytes.set(key, Math.max(before, bytes[direction]));
        }
      }
    },
  });
}
