// The worlds waiting for the federation's signatures, and which one goes when there are too many
// (charter §22, ledger/LEDGER.md §9.4). A world yields a planet only when its planet changed
// (planet.ts), so the newest waiting world that carries a planet may be the only one that ever
// will carry the planet now in force: dropping it would leave ZeroTier nodes on an older planet
// for good. The drop rule keeps it, and likewise for the moon.
//
// A signed world also supersedes the older ones that no one needs signed any more: a verifier
// follows the key through key transitions only (a world that keeps the key is signed by the same
// key as the one before it), and ZeroTier nodes take the newest planet signed by the key of the
// one they hold. So a burst of world changes costs the federation one signing round for the
// world that ends it, not one per world.

import type { PendingSignature } from './world-signatures.ts';

/** Position of the newest entry that carries a planet (or a moon), or -1. */
function newestCarrier(pending: readonly PendingSignature[], type: 'planet' | 'moon'): number {
  for (let i = pending.length - 1; i >= 0; i--) if (pending[i]![type] !== undefined) return i;
  return -1;
}

/**
 * Positions a signature for the entry at `signed` makes unneeded: the older entries that are not a
 * key transition and are not the newest carrier of a planet or of a moon (the signed entry
 * counts: its planet or moon supersedes older ones).
 */
function supersededBy(pending: readonly PendingSignature[], signed: number): Set<number> {
  const kept = new Set([newestCarrier(pending, 'planet'), newestCarrier(pending, 'moon')]);
  const out = new Set<number>();
  for (let i = 0; i < signed; i++) if (!pending[i]!.transition && !kept.has(i)) out.add(i);
  return out;
}

/**
 * `pending` once the entry at `signed` got its signatures: that entry leaves, and so does every
 * older one it supersedes — not a key transition, and carrying no planet (moon) unless a newer
 * entry, the signed one included, carries one too. What stays still waits: the transitions
 * before it (a verifier follows the key through them) and the newer entries.
 */
export function pendingAfterSigned(pending: readonly PendingSignature[], signed: number): PendingSignature[] {
  const gone = supersededBy(pending, signed);
  return pending.filter((_, i) => i !== signed && !gone.has(i));
}

/**
 * The positions signing the newest entry would take off the list: a root that waits for the
 * newest to settle need not sign the older ones it supersedes.
 */
export function supersededByNewest(pending: readonly PendingSignature[]): ReadonlySet<number> {
  return supersededBy(pending, pending.length - 1);
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
