// When a root asks the federation to sign the worlds waiting for signatures (docs/federation-key.md
// "Jobs"). A signed world supersedes the older ones that keep the key and whose planet and moon
// are superseded too (ledger/LEDGER.md §9.4), so in a burst of world changes only the world that
// ends it needs a signing round: each round costs every signer scalar multiplications in
// JavaScript, and a world replaced within a round is work thrown away.
//
//   the newest world   once it has stood WORLD_SETTLE_MS, or at once when it is a key
//                      transition (no later signature supersedes one);
//   an early world     under changes that never pause, one world per WORLD_SIGNED_AGE_MAX_MS
//                      (from the last world signature or early world) is signed at once; a lone
//                      change in a quiet federation is such a world, so it waits for nothing;
//   older worlds       that signing the newest would not take off the list (key transitions, the
//                      newest carrier of a planet or moon), at once.
//
// A world found due stays due while it waits, even when a newer one comes: a round under way is
// worth finishing. No clock inside: the caller passes the time.

import { type PendingSignature, supersededByNewest } from '../../governance/index.ts';
import { WORLD_SETTLE_MS, WORLD_SIGNED_AGE_MAX_MS } from './constants.ts';

export class WorldSchedule {
  /** The newest waiting world, since when it has been the newest. */
  #newest = { version: -1, sinceMs: 0 };
  /**
   * Versions found due, kept while they wait: a round under way is worth finishing even when a
   * newer world comes (its signature still supersedes the older ones), and a transition that
   * becomes the newest once a newer world was signed does not wait again.
   */
  readonly #due = new Set<number>();
  /** When a world's signature last came, or a world was last signed before it settled. */
  #triedMs: number;

  /** `startMs`: a root that has just started has signed nothing for a while. */
  constructor(startMs = Number.NEGATIVE_INFINITY) {
    this.#triedMs = startMs;
  }

  /** The versions of `pending` (oldest first) to sign now. */
  due(pending: readonly PendingSignature[], now: number): ReadonlySet<number> {
    const waiting = new Set(pending.map((p) => p.version));
    for (const v of this.#due) if (!waiting.has(v)) this.#due.delete(v);
    const newest = pending.at(-1);
    if (newest === undefined) {
      // Nothing waits: no newest to settle. Kept, a signed world's settle moment would stay in
      // the past, and a caller that looks again at settlesAtMs() would look again at once, forever.
      this.#newest = { version: -1, sinceMs: 0 };
      return this.#due;
    }
    if (newest.version !== this.#newest.version) this.#newest = { version: newest.version, sinceMs: now };
    if (!this.#due.has(newest.version)) {
      // A key transition is never superseded (LEDGER.md §9.4): waiting would gain nothing.
      if (newest.transition || now - this.#newest.sinceMs >= WORLD_SETTLE_MS) this.#due.add(newest.version);
      else if (now - this.#triedMs >= WORLD_SIGNED_AGE_MAX_MS) {
        this.#due.add(newest.version);
        this.#triedMs = now;
      }
    }
    const superseded = supersededByNewest(pending);
    for (let i = 0; i < pending.length - 1; i++) if (!superseded.has(i)) this.#due.add(pending[i]!.version);
    return this.#due;
  }

  /**
   * When the newest world (as the last due() saw it) becomes due by standing still, if it is not
   * due yet: the caller looks again then rather than at its next tick.
   */
  settlesAtMs(): number | undefined {
    const v = this.#newest.version;
    return v < 0 || this.#due.has(v) ? undefined : this.#newest.sinceMs + WORLD_SETTLE_MS;
  }

  /** A signature of a world's part came (this root's or a peer's). */
  signed(now: number): void {
    this.#triedMs = now;
  }
}
