// Limits and cache lifetimes of the ledger's HTTP face (C2SP tlog-tiles). The tlog-witness
// body's limits are the wire format's (src/wire/constants.ts).

/** The checkpoint changes with every commit; clients and CDNs may reuse it for a few seconds. */
export const CHECKPOINT_MAX_AGE_S = 5;

/** Full tiles and bundles never change (tlog-tiles §Caching): a year, immutable. */
export const FULL_TILE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * A partial tile's bytes never change either, but logs may stop serving it once the full tile
 * exists, so caches keep it only briefly.
 */
export const PARTIAL_TILE_MAX_AGE_S = 60;

/**
 * How long the plugin reuses the published checkpoint it read before asking for it again.
 * Every route answers from one snapshot, so a tile is never served past the checkpoint that
 * /checkpoint shows; a new checkpoint becomes visible within this time.
 */
export const DEFAULT_CHECKPOINT_REFRESH_MS = 1000;

/** Decimal tree sizes and indexes in query strings: no sign, no leading zeroes, ≤ 2^52. */
export const DECIMAL_PATTERN = '^(?:0|[1-9][0-9]{0,15})$';

/**
 * Ready tile and bundle responses kept in memory, by total body bytes. Serving from memory is
 * what lets one Node process approach a static file server (bench/tiles-serving.ts); tiles and
 * bundles never change, so caching them is always right.
 */
export const READY_CACHE_BYTES_MAX = 64 * 1024 * 1024;
/** Larger responses (bundles of big entries) are not cached, so one cannot evict all the others. */
export const READY_CACHE_ENTRY_BYTES_MAX = 1024 * 1024;
