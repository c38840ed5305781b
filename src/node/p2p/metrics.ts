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
  const relayed = totalsFollower();
  new Counter({
    name: 'witan_relay_bytes_total',
    help: 'Bytes relayed since start, both directions',
    registers: [registry],
    collect() {
      relayed(this, stats().relayedBytes);
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
  const directBytes = totalsFollower();
  new Counter({
    name: 'witan_direct_bytes_total',
    help: 'Bytes of the messages sent and received on direct streams between roots, by kind (consensus, statements, cosignatures, frost)',
    labelNames: ['kind', 'direction'],
    registers: [registry],
    collect() {
      for (const [kind, bytes] of Object.entries(stats().direct.bytes)) {
        for (const direction of ['sent', 'received'] as const)
          directBytes(this, bytes[direction], { kind, direction });
      }
    },
  });
}

/**
 * Feeds counters from totals the host keeps (so rate() works on them): each call adds to the
 * counter what the total of that label set grew by since the last call, and never subtracts.
 */
function totalsFollower(): (
  counter: Counter<string>,
  total: number,
  labels?: Record<string, string>,
) => void {
  const counted = new Map<string, number>();
  return (counter, total, labels = {}) => {
    const key = JSON.stringify(labels);
    const before = counted.get(key) ?? 0;
    if (total > before) counter.inc(labels, total - before);
    counted.set(key, Math.max(before, total));
  };
}
