// Replay memory of the governance state (charter §3, DUPLICATE_STATEMENT): the ids of accepted
// statements signed within the longest age window any policy allows (POLICY_RANGES, 7 days,
// so that widening statementAgeMaxMs never readmits one), as { bucket → { statementId →
// createdMs } } with bucket = floor(createdMs / SEEN_BUCKET_MS). A statement id hashes
// createdMs, so one lookup finds it. States are values shared between batches (a root may
// execute a proposal and drop it), so nothing here mutates its input: a batch copies the bucket
// index and only the buckets it adds to — O(statements in the batch + buckets), never O(window).

import { SEEN_BUCKET_MS } from './constants.ts';

/** JSON-safe: bucket number (decimal) → statementId → createdMs. */
export type SeenIndex = Record<string, Record<string, number>>;

const bucketOf = (createdMs: number): string => String(Math.floor(createdMs / SEEN_BUCKET_MS));

export function seenHas(seen: SeenIndex, id: string, createdMs: number): boolean {
  return seen[bucketOf(createdMs)]?.[id] !== undefined;
}

/**
 * The index after adding `added` (id → createdMs) and dropping every bucket that ends before
 * `horizonMs`. A bucket straddling the horizon is kept whole: its older ids are already refused
 * as STATEMENT_STALE before the duplicate check, so keeping them changes no verdict.
 */
export function nextSeen(base: SeenIndex, added: ReadonlyMap<string, number>, horizonMs: number): SeenIndex {
  const out: SeenIndex = {};
  for (const [bucket, ids] of Object.entries(base)) {
    if ((Number(bucket) + 1) * SEEN_BUCKET_MS > horizonMs) out[bucket] = ids;
  }
  const copied = new Set<string>();
  for (const [id, createdMs] of added) {
    if (createdMs < horizonMs) continue;
    const bucket = bucketOf(createdMs);
    if (!copied.has(bucket)) {
      out[bucket] = { ...out[bucket] };
      copied.add(bucket);
    }
    out[bucket]![id] = createdMs;
  }
  return out;
}
