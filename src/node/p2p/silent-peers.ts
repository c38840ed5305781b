// Connections to other validators that went silent. A cut that drops packets without a word (a
// firewall, a broken link, a partition) leaves the libp2p connection open: TCP notices only
// after minutes of retransmissions, and the next retransmission of what the cut dropped comes
// ever later (exponential backoff), so a root would count the validators behind the cut as
// reachable (`/ready` 200 while nothing can commit) and, once the cut heals, wait for TCP's
// backed-off timer before it hears them again. So a root pings each validator it is connected
// to every VALIDATOR_PING_INTERVAL_MS; a validator that does not answer within
// VALIDATOR_PING_TIMEOUT_MS is hung up on: it leaves the connected set at once (readiness sees
// it), and the root's member dialler (every few seconds) connects afresh as soon as the cut heals.
//
// Only validators are pinged (at most a world's members), one ping in flight per peer. The
// stock connection monitor stays at its slow, non-aborting setting for everyone else (overlay
// peers, relay clients): see constants.ts.

import type { Logger } from 'pino';

/** How often each connected validator is pinged. */
export const VALIDATOR_PING_INTERVAL_MS = 5_000;
/**
 * A ping unanswered this long hangs up the connection. Generous against a loaded machine (a ping
 * is a few bytes, answered by the other root's event loop), short enough that readiness reports
 * a cut within VALIDATOR_PING_INTERVAL_MS + VALIDATOR_PING_TIMEOUT_MS.
 */
export const VALIDATOR_PING_TIMEOUT_MS = 5_000;

export interface SilentPeersView {
  /** Peer ids of the other validators now. */
  validators(): readonly string[];
  /** Peer ids with an open connection. */
  connectedPeers(): ReadonlySet<string>;
  ping(peerId: string, signal: AbortSignal): Promise<unknown>;
  hangUp(peerId: string): Promise<void>;
  /** Counts a hang-up (the metric). */
  hungUp(): void;
  readonly log: Logger;
}

export class SilentPeers {
  readonly #view: SilentPeersView;
  readonly #inFlight = new Set<string>();
  #stopped = false;

  constructor(view: SilentPeersView) {
    this.#view = view;
  }

  /** One round: ping every connected validator that has no ping in flight. */
  tick(): void {
    if (this.#stopped) return;
    const connected = this.#view.connectedPeers();
    for (const id of this.#view.validators()) {
      if (this.#inFlight.has(id) || !connected.has(id)) continue;
      this.#inFlight.add(id);
      void this.#probe(id).finally(() => this.#inFlight.delete(id));
    }
  }

  stop(): void {
    this.#stopped = true;
  }

  async #probe(id: string): Promise<void> {
    try {
      await this.#view.ping(id, AbortSignal.timeout(VALIDATOR_PING_TIMEOUT_MS));
    } catch (err) {
      // A connection closed meanwhile is not silence; a root stopping hangs up on its own.
      if (this.#stopped || !this.#view.connectedPeers().has(id)) return;
      this.#view.hungUp();
      this.#view.log.warn(
        { peer: id, err: (err as Error).message, timeoutMs: VALIDATOR_PING_TIMEOUT_MS },
        'a validator did not answer a ping: hanging up, to count it unreachable and dial it afresh',
      );
      await this.#view.hangUp(id).catch(() => undefined);
    }
  }
}
