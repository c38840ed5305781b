// The root's watch over itself: takes the snapshot readiness.ts judges, answers /ready and
// /status, and logs what an operator must hear about — at warn when a quorum of validators
// becomes unreachable, when rounds climb past ROUNDS_WARN_MIN, when statements stall, when
// catch-up starts and ends — and at info when each clears. Sampled by the root every
// HEALTH_SAMPLE_INTERVAL_MS, so a transition is logged once, when it happens.

import type { Logger } from 'pino';
import type { CatchUpSource } from '../consensus/index.ts';
import type { Policy } from '../governance/index.ts';
import { assessHealth, type Health, ROUNDS_WARN_MIN, stallBoundMs } from './readiness.ts';

/** How often the root samples its health (and logs transitions). */
export const HEALTH_SAMPLE_INTERVAL_MS = 1_000;

export interface HealthView {
  /** The root's clock (ledger time), which the policy's durations are measured in. */
  now(): number;
  /** Validators of the height being decided: name, and libp2p peer id (null for this root). */
  validators(): readonly { name: string; peerId: string | null }[];
  /** Peer ids this root is connected to now. */
  connectedPeers(): ReadonlySet<string>;
  consensus(): { height: number; round: number; active: boolean };
  /** Statements waiting in the pool. */
  pending(): number;
  policy(): Policy;
  quorum(validators: number): number;
}

export interface HealthSnapshot {
  health: Health;
  validators: number;
  reachable: number;
  quorum: number;
  progressAgeMs: number;
  catchingUp: boolean;
}

export class HealthMonitor {
  readonly #view: HealthView;
  readonly #log: Logger;
  /** The last time (ledger ms) a batch was committed or nothing was waiting. */
  #progressAtMs: number;
  #catchingUp = false;
  #caughtUp = 0;
  #quorumLost = false;
  #stalled = false;
  #roundsWarnedAt = -1;

  constructor(view: HealthView, log: Logger) {
    this.#view = view;
    this.#log = log;
    this.#progressAtMs = view.now();
  }

  /** A batch was committed: progress. */
  committed(): void {
    this.#progressAtMs = this.#view.now();
  }

  get catchingUp(): boolean {
    return this.#catchingUp;
  }

  /** The health now, without logging (routes and metrics). */
  snapshot(): HealthSnapshot {
    const v = this.#view;
    const now = v.now();
    const consensus = v.consensus();
    if (!consensus.active && v.pending() === 0) this.#progressAtMs = now;
    const validators = v.validators();
    const peers = v.connectedPeers();
    const reachable = validators.filter((x) => x.peerId === null || peers.has(x.peerId)).map((x) => x.name);
    const quorum = v.quorum(validators.length);
    const progressAgeMs = Math.max(0, now - this.#progressAtMs);
    const health = assessHealth({
      validators: validators.map((x) => x.name),
      reachable,
      quorum,
      catchingUp: this.#catchingUp,
      round: consensus.round,
      progressAgeMs,
      stallBoundMs: stallBoundMs(v.policy()),
    });
    return {
      health,
      validators: validators.length,
      reachable: reachable.length,
      quorum,
      progressAgeMs,
      catchingUp: this.#catchingUp,
    };
  }

  /** Takes a snapshot and logs what changed since the last one. */
  sample(): HealthSnapshot {
    const s = this.snapshot();
    const codes = new Set(s.health.reasons.map((r) => r.code));
    const why = (code: string) => s.health.reasons.find((r) => r.code === code)?.message;
    const quorumLost = codes.has('QUORUM_UNREACHABLE');
    if (quorumLost !== this.#quorumLost) {
      this.#quorumLost = quorumLost;
      if (quorumLost)
        this.#log.warn(
          {
            reachable: s.reachable,
            quorum: s.quorum,
            validators: s.validators,
            reason: why('QUORUM_UNREACHABLE'),
          },
          'quorum of validators unreachable: nothing can commit',
        );
      else
        this.#log.info({ reachable: s.reachable, quorum: s.quorum }, 'quorum of validators reachable again');
    }
    const stalled = codes.has('STALLED');
    if (stalled !== this.#stalled) {
      this.#stalled = stalled;
      if (stalled)
        this.#log.warn({ progressAgeMs: s.progressAgeMs, reason: why('STALLED') }, 'consensus stalled');
      else this.#log.info('consensus progressing again');
    }
    const { height, round } = this.#view.consensus();
    if (round >= ROUNDS_WARN_MIN && this.#roundsWarnedAt !== height) {
      this.#roundsWarnedAt = height;
      this.#log.warn({ height, round }, 'consensus rounds climbing: the validators do not agree on a batch');
    }
    return s;
  }

  /** The catch-up source, watched: its first non-empty answer starts catch-up, an empty one ends it. */
  watchCatchUp(source: CatchUpSource): CatchUpSource {
    return {
      decisionsFrom: async (height, limit) => {
        const decisions = await source.decisionsFrom(height, limit);
        if (decisions.length > 0 && !this.#catchingUp) {
          this.#catchingUp = true;
          this.#caughtUp = 0;
          this.#log.warn({ from: height }, 'catch-up started: this root is behind its peers');
        }
        this.#caughtUp += decisions.length;
        if (decisions.length === 0 && this.#catchingUp) {
          this.#catchingUp = false;
          this.#log.warn(
            { height, decisions: this.#caughtUp },
            'catch-up ended: this root has what its peers have',
          );
        }
        return decisions;
      },
    };
  }
}
