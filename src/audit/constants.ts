// Limits of the outside auditor. Each bounds something a hostile or broken root could send
// or make us do; the C2SP line or the reason is next to it.

import { ENTRY_BYTES_MAX, NOTE_BYTES_MAX, TILE_BYTES_FULL, TILE_WIDTH } from '../ledger/index.ts';

/** C2SP tlog-checkpoint: a signed note; ours are capped by the ledger's NOTE_BYTES_MAX (256 KiB). */
export const CHECKPOINT_BYTES_MAX = NOTE_BYTES_MAX;
/** C2SP tlog-tiles: a hash tile is at most 256 hashes of 32 bytes. */
export const TILE_BYTES_MAX = TILE_BYTES_FULL;
/** C2SP tlog-tiles: an entry bundle is at most 256 entries, each a uint16 length and ≤ 65,535 bytes. */
export const BUNDLE_BYTES_MAX = TILE_WIDTH * (2 + ENTRY_BYTES_MAX);
/** GET /world and other JSON documents a root serves (a world with a few hundred members). */
export const JSON_BYTES_MAX = 4 * 1024 * 1024;
/** Reply bodies to POST /ledger/add-checkpoint (a cosignature line, or an error). */
export const REPLY_BYTES_MAX = 64 * 1024;

/** Requests in flight to one root at a time while downloading tiles and bundles. */
export const DEFAULT_FETCH_CONCURRENCY = 8;

/**
 * Every root's entry bundles are all read when the verified tree has at most this many (262,144
 * entries, tens of MB per root); above it, a sample of DEFAULT_SAMPLE_BUNDLES per root.
 */
export const ALL_BUNDLES_DEFAULT_MAX = 1024;
/**
 * Bundles sampled per root by default: catches a root that altered 1 % of its bundles with
 * probability above 92 % (1 − 0.99^256), for ≈ 256 × the mean bundle size of reading.
 */
export const DEFAULT_SAMPLE_BUNDLES = 256;
/** Roots whose data (tiles and bundles) is compared at once; each has its own window of requests. */
export const ROOT_CHECKS_PARALLEL = 4;
/** Level-0 tiles of the verified tree kept in memory for proofs (8 KiB each). */
export const LEAF_TILES_CACHED_MAX = 64;

/** Roots on one command line. */
export const ROOTS_MAX = 64;
/** Evidence files: bounded so that verify-evidence never reads an unbounded document. */
export const EVIDENCE_BYTES_MAX = 64 * 1024 * 1024;
/** Entries copied into a replay-failure evidence file so that it can be re-run offline. */
export const EVIDENCE_ENTRIES_MAX = 100_000;
/** State file (frontier, checkpoints per root, governance snapshot). */
export const STATE_BYTES_MAX = 64 * 1024 * 1024;
/** Checkpoint notes remembered per root in the state file (the newest ones are kept). */
export const STATE_CHECKPOINTS_PER_ROOT_MAX = 64;

/** Signatures handed to one worker in one message (amortises the postMessage cost). */
export const VERIFY_CHUNK_SIGNATURES = 512;
/** Chunks queued at most per worker before the producer waits. */
export const VERIFY_QUEUE_CHUNKS_MAX = 4;

/**
 * A cosignature timestamp may be at most this far ahead of the auditor's clock (ledger/LEDGER.md
 * §3.2): clocks of honest machines differ by seconds; more than this is a cosigner whose clock
 * is wrong or who dates its cosignatures ahead to look fresh for longer. Same bound as a
 * statement's distance ahead of its batch (governance STATEMENT_FUTURE_MS_MAX).
 */
export const COSIGNATURE_FUTURE_MS_MAX = 5 * 60 * 1000;

/** Progress bar redraws at most this often. */
export const PROGRESS_INTERVAL_MS = 200;

/** Bundles of entries waiting for their signatures or their replay (bounds memory, keeps workers busy). */
export const REPLAY_QUEUE_CHUNKS_MAX = 8;

/**
 * Decided motions the report details (summary, changes, ballots with reasons), the newest
 * ones: each holds up to MEMBERS_MAX ballot reasons of 280 characters. Older ones are counted,
 * and listed without detail in `governance.motions`. Open motions are always detailed (the
 * rules keep at most OPEN_MOTIONS_MAX of them).
 */
export const TIMELINE_MOTIONS_MAX = 50;
/** World versions the report details (what changed, by which statements), the newest ones. */
export const TIMELINE_WORLDS_MAX = 64;
/**
 * Points of the ledger-growth series: one per batch until there are this many, then every
 * other point is dropped and one is kept per twice as many batches (the last batch always shows).
 */
export const GROWTH_POINTS_MAX = 256;
