// The send-rate invariant: what an honest root broadcasts in any window of virtual time is bounded
// by its own steps and its retransmission period, never by what it receives. A root that re-sent on
// receipt (of old messages, duplicates, a flood) would let one Byzantine sender, or a duplicating
// network, multiply traffic across the federation.

/** The sliding window the rate is measured over. */
export const SEND_RATE_WINDOW_MS = 1000;

/** What one retransmission may carry besides one precommit per validator: a proposal, our votes of four rounds. */
const RESENT_OWN_MESSAGES_MAX = 9;

/** New messages per window from the root's own steps: a proposal and two votes per round or height it moves through. */
const STEP_SENDS_PER_WINDOW_MAX = 60;

/**
 * Broadcasts one honest root of n may make in any window: the retransmissions that fit in it (one
 * more for its edges), each of a proposal, our votes of four rounds and the previous round's
 * precommits (one per validator), plus what its steps sign. For n = 10 and a 400 ms period that is
 * 136; the most seen over random and flooding plans is 54.
 */
export function honestSendsPerWindowMax(n: number, resendMs: number): number {
  const resends = Math.ceil(SEND_RATE_WINDOW_MS / resendMs) + 1;
  return resends * (RESENT_OWN_MESSAGES_MAX + n) + STEP_SENDS_PER_WINDOW_MAX;
}

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
