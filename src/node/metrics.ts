// The root's Prometheus metrics (prom-client), next to libp2p's own in the same registry, with
// the process and event-loop metrics (collectDefaultMetrics). Names follow Prometheus
// conventions: units last, counters end in _total. Gauges of state are read from the root at
// scrape time (one snapshot per scrape), so they are right from the first scrape after start;
// events (commits, statements, evidence, failed publishes) are counted where they happen.
// deploy/prometheus/alerts.yml and deploy/grafana/witan-root.json use these names; a test
// holds every name they use against a real root's /metrics.

import { statfs } from 'node:fs/promises';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import { WITAN_VERSION } from '../base/index.ts';
import type { HealthSnapshot } from './health-monitor.ts';
import { VERDICTS } from './readiness.ts';

/** What the gauges read, once per scrape. */
export interface RootSnapshot {
  /** Last committed height. */
  height: number;
  consensus: { height: number; round: number; active: boolean };
  /** Ledger time of the last committed batch (the genesis counts as 0). */
  lastCommitTimeMs: number;
  pending: number;
  votingMembers: number;
  worldVersion: number;
  openMotions: number;
  ledgerSize: number;
  /** Age of the freshest quorum of cosignatures on the served checkpoint; undefined before one. */
  checkpointAgeMs: number | undefined;
  checkpointFreshnessMs: number;
  health: HealthSnapshot;
}

export interface RootMetricsSource {
  snapshot(): RootSnapshot;
  /** The data folder, whose file system's free space is reported. */
  dataDir: string;
}

/** A scrape reads every gauge within this; one snapshot serves them all. */
const SNAPSHOT_REUSE_MS = 250;

export class RootMetrics {
  readonly checkpointSize: Gauge;
  readonly cosigners: Gauge;
  readonly commitSeconds: Histogram;
  readonly statements: Counter<'source'>;
  readonly evidence: Counter<'kind'>;
  readonly publishFailures: Counter<'topic'>;
  readonly silentValidators: Counter;

  constructor(registry: Registry, source: RootMetricsSource) {
    const registers = [registry];
    collectDefaultMetrics({ register: registry });
    let cached: { atMs: number; snapshot: RootSnapshot } | undefined;
    const snap = (): RootSnapshot => {
      const now = Date.now();
      if (cached === undefined || now - cached.atMs > SNAPSHOT_REUSE_MS)
        cached = { atMs: now, snapshot: source.snapshot() };
      return cached.snapshot;
    };
    const gauge = (name: string, help: string, read: (s: RootSnapshot) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(snap()));
        },
      });
    const info = new Gauge({
      name: 'witan_build_info',
      help: 'The running release: always 1, with the version and Node.js as labels',
      labelNames: ['version', 'node'],
      registers,
    });
    info.set({ version: WITAN_VERSION, node: process.versions.node }, 1);

    gauge('witan_height', 'Last committed consensus height', (s) => s.height);
    gauge('witan_consensus_height', 'Height being decided now', (s) => s.consensus.height);
    gauge(
      'witan_consensus_round',
      'Round at the height being decided (0 and 1 when all is well)',
      (s) => s.consensus.round,
    );
    gauge(
      'witan_last_commit_timestamp_seconds',
      'Ledger time of the last committed batch, Unix seconds (0 before the first)',
      (s) => s.lastCommitTimeMs / 1000,
    );
    gauge(
      'witan_consensus_progress_age_seconds',
      'Seconds since the last commit or since nothing was waiting: grows only while statements stall',
      (s) => s.health.progressAgeMs / 1000,
    );
    gauge('witan_pending_statements', 'Statements waiting for a batch', (s) => s.pending);
    gauge('witan_voting_members', 'Voting members of the world in force', (s) => s.votingMembers);
    gauge('witan_validators', 'Validators of the height being decided', (s) => s.health.validators);
    gauge('witan_quorum', 'Validators needed to commit at the height being decided', (s) => s.health.quorum);
    gauge(
      'witan_validators_reachable',
      'Validators this root reaches now, itself included',
      (s) => s.health.reachable,
    );
    gauge('witan_world_version', 'Version of the world in force', (s) => s.worldVersion);
    gauge('witan_open_motions', 'Motions open for ballots', (s) => s.openMotions);
    gauge('witan_ledger_size', 'Ledger tree size (entries)', (s) => s.ledgerSize);
    gauge(
      'witan_checkpoint_age_seconds',
      'Age of the freshest quorum of cosignatures on the served checkpoint (-1 before there is one)',
      (s) => (s.checkpointAgeMs === undefined ? -1 : s.checkpointAgeMs / 1000),
    );
    gauge(
      'witan_checkpoint_freshness_max_seconds',
      "The policy's checkpointFreshnessMs: clients refuse a checkpoint older than this",
      (s) => s.checkpointFreshnessMs / 1000,
    );
    gauge('witan_catching_up', '1 while this root fetches decided batches from peers', (s) =>
      s.health.catchingUp ? 1 : 0,
    );
    gauge('witan_ready', '1 when /ready answers 200 (verdict healthy or degraded)', (s) =>
      s.health.health.ready ? 1 : 0,
    );
    new Gauge({
      name: 'witan_health',
      help: "1 for this root's verdict (healthy, degraded, behind, stalled), 0 for the others",
      labelNames: ['verdict'],
      registers,
      collect() {
        const verdict = snap().health.health.verdict;
        for (const v of VERDICTS) this.set({ verdict: v }, v === verdict ? 1 : 0);
      },
    });
    const disk = async (read: (s: { bavail: number; blocks: number; bsize: number }) => number) => {
      try {
        return read(await statfs(source.dataDir));
      } catch {
        return -1;
      }
    };
    new Gauge({
      name: 'witan_data_free_bytes',
      help: "Bytes free for the root's user on the data folder's file system",
      registers,
      async collect() {
        this.set(await disk((s) => s.bavail * s.bsize));
      },
    });
    new Gauge({
      name: 'witan_data_capacity_bytes',
      help: "Size of the data folder's file system",
      registers,
      async collect() {
        this.set(await disk((s) => s.blocks * s.bsize));
      },
    });

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
    this.silentValidators = new Counter({
      name: 'witan_validator_hangups_total',
      help: 'Connections to validators hung up because a ping went unanswered (a silent cut)',
      registers,
    });
  }

  commit(seconds: number): void {
    this.commitSeconds.observe(seconds);
  }
}
