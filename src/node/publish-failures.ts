// Gossip this root could not publish (a message past the transport's size limit, a host that
// refused it). Consensus re-sends on its timeouts and statements wait in pools, so one failure is
// not fatal; but a proposal nobody receives stalls its height. Every failure is counted by topic
// (witan_publish_failures_total); a consensus one is said at warn, at most once per
// PUBLISH_WARN_INTERVAL_MS so a root that cannot publish does not fill its log.

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

/** At most one warning per this long about gossip this root could not publish (each is counted). */
export const PUBLISH_WARN_INTERVAL_MS = 30_000;

export class PublishFailures {
  readonly #counter: Counter<'topic'>;
  readonly #log: Logger;
  readonly #now: () => number;
  #warnedMs = -Infinity;

  constructor(counter: Counter<'topic'>, log: Logger, now: () => number = Date.now) {
    this.#counter = counter;
    this.#log = log;
    this.#now = now;
  }

  /** Counts a failed publish on the topic named `kind` (consensus, statements, cosignatures). */
  failed(kind: string, bytes: number, err: Error): void {
    this.#counter.inc({ topic: kind });
    const now = this.#now();
    if (kind === 'consensus' && now - this.#warnedMs >= PUBLISH_WARN_INTERVAL_MS) {
      this.#warnedMs = now;
      this.#log.warn(
        { topic: kind, bytes, err: err.message },
        'could not publish a consensus message (counted in witan_publish_failures_total)',
      );
    } else {
      this.#log.debug({ topic: kind, bytes, err: err.message }, 'could not publish');
    }
  }
}
