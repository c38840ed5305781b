// The BFT quorum rule, used by consensus (votes), governance (the world chain's cosignatures),
// the root (when a checkpoint is committed) and the auditor (whether a checkpoint is).

/**
 * Quorum of n validators: q = floor(2n/3) + 1, the smallest count strictly above two thirds.
 *
 * Why: with f = floor((n - 1) / 3) faulty validators tolerated (n ≥ 3f + 1), any two quorums
 * share 2q - n > n/3 > f validators — so at least one correct one, which never signs two
 * conflicting votes or checkpoints: two conflicting decisions cannot both gather a quorum
 * (safety). And q ≤ n - f, so the correct validators alone can always reach it (liveness).
 * n = 4 → 3, n = 7 → 5, n = 10 → 7.
 */
export function quorumSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('quorumSize needs a count of validators');
  return Math.floor((2 * n) / 3) + 1;
}
