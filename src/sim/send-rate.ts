// The send-rate invariant: what an honest root broadcasts in any window of virtual time is bounded
// by its own steps and its retransmission period, never by what it receives. A root that re-sent on
// receipt (of old messages, duplicates, a flood) would let one Byzantine sender, or a duplicating
// network, multiply traffic across the federation.

/** The sliding window the rate is measured over. */
export const SEND_RATE_WINDOW_MS = 1000;

/**
 * Broadcasts one honest root may make in any window. The budget per window: three retransmissions
 * (every 400 ms) of a proposal and the votes of four rounds (9 messages each, 27), plus the
 * proposal and two votes of every round and height the root moves through; the largest seen over
 * random and flooding plans is below half of this.
 */
export const HONEST_SENDS_PER_WINDOW_MAX = 120;

/** Send times of one root within the last window (expired ones are dropped in chunks). */
export class SendRate {
  #times: number[] = [];
  #head = 0;
  /** The most sends seen in one window. */
  max = 0;

  /** Notes a send at nowMs; returns the number of sends in the window that ends at nowMs. */
  note(nowMs: number): number {
    const t = this.#times;
    t.push(nowMs);
    while (t[this.#head]! <= nowMs - SEND_RATE_WINDOW_MS) this.#head++;
    if (this.#head > 1024) {
      this.#times = t.slice(this.#head);
      this.#head = 0;
    }
    const count = this.#times.length - this.#head;
    if (count > this.max) this.max = count;
    return count;
  }
}
