// The root's Prometheus metrics (prom-client), next to libp2p's own in the same registry.
// Names follow Prometheus conventions: units last, counters end in _total.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class RootMetrics {
  readonly height: Gauge;
  readonly treeSize: Gauge;
  readonly checkpointSize: Gauge;
  readonly cosigners: Gauge;
  readonly peers: Gauge;
  readonly commitSeconds: Histogram;
  readonly statements: Counter<'source'>;
  readonly evidence: Counter<'kind'>;
  readonly publishFailures: Counter<'topic'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.height = new Gauge({ name: 'witan_height', help: 'Last committed consensus height', registers });
    this.treeSize = new Gauge({ name: 'witan_ledger_size', help: 'Ledger tree size (entries)', registers });
    this.checkpointSize = new Gauge({
      name: 'witan_checkpoint_size',
      help: 'Tree size of the latest quorum-cosigned checkpoint',
      registers,
    });
    this.cosigners = new Gauge({
      name: 'witan_checkpoint_cosigners',
      help: 'Validators that cosigned the current tree',
      registers,
    });
    this.peers = new Gauge({ name: 'witan_peers', help: 'Connected libp2p peers', registers });
    this.commitSeconds = new Histogram({
      name: 'witan_commit_append_seconds',
      help: 'Time to re-execute and durably append a decided batch',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.statements = new Counter({
      name: 'witan_statements_accepted_total',
      help: 'Statements accepted into the pending pool',
      labelNames: ['source'],
      registers,
    });
    this.evidence = new Counter({
      name: 'witan_evidence_total',
      help: 'Equivocations detected by this root',
      labelNames: ['kind'],
      registers,
    });
    this.publishFailures = new Counter({
      name: 'witan_publish_failures_total',
      help: 'Gossip messages this root could not publish (no peer subscribed, too large), by topic',
      labelNames: ['topic'],
      registers,
    });
    for (const topic of ['consensus', 'statements', 'cosignatures']) this.publishFailures.inc({ topic }, 0);
  }

  commit(height: number, size: number, seconds: number): void {
    this.height.set(height);
    this.treeSize.set(size);
    this.commitSeconds.observe(seconds);
  }
}
