// The worlds waiting for the federation's signatures, and which one goes when there are too many
// (charter §22, ledger/LEDGER.md §9.4). A world yields a planet only when its planet changed
// (planet.ts), so the newest waiting world that carries a planet may be the only one that ever
// will carry the planet now in force: dropping it would leave ZeroTier nodes on an older planet
// for good. The drop rule keeps it, and likewise for the moon.

import type { PendingSignature } from './world-signatures.ts';

/** Position of the newest entry that carries a planet (or a moon), or -1. */
function newestCarrier(pending: readonly PendingSignature[], type: 'planet' | 'moon'): number {
  for (let i = pending.length - 1; i >= 0; i--) if (pending[i]![type] !== undefined) return i;
  return -1;
}

/**
 * The entry to drop from a list over its bound: never the newest carrier of a planet or of a
 * moon; of the others, the oldest that carries neither and is not a key transition, else the
 * oldest that is not a key transition (its planet or moon is superseded by a newer one still
 * waiting), else the oldest transition. Transitions go last: a verifier follows the key through
 * them, and ZeroTier nodes through their planets.
 */
export function pendingToDrop(pending: readonly PendingSignature[]): number {
  const kept = new Set([newestCarrier(pending, 'planet'), newestCarrier(pending, 'moon')]);
  const tiers: ((p: PendingSignature) => boolean)[] = [
    (p) => !p.transition && p.planet === undefined && p.moon === undefined,
    (p) => !p.transition,
    () => true,
  ];
  for (const tier of tiers) {
    const at = pending.findIndex((p, i) => !kept.has(i) && tier(p));
    if (at >= 0) return at;
  }
  // Only with a bound below two: every entry is a newest carrier.
  return 0;
}

/** `pending` with `next` appended, then entries dropped (pendingToDrop) down to `max`. */
export function withPendingSignature(
  pending: readonly PendingSignature[],
  next: PendingSignature,
  max: number,
): PendingSignature[] {
  let out = [...pending, next];
  while (out.length > max) {
    const drop = pendingToDrop(out);
    out = out.filter((_, i) => i !== drop);
  }
  return out;
}
