// Limits and timings of the federation key on a root: nonce commitments, signing rounds,
// coordinator hand-over, and the DKG's re-sends. Timings are wall-clock; the DKG's deadlines
// themselves are ledger time (policy federationKey.phaseMs, charter §22).

const SECOND_MS = 1000;

/** Nonce pairs a root prepares per key at a time; one signature uses one (frost allows 256). */
export const NONCES_PER_BATCH = 16;
/** Below this many unused nonces, a root prepares another batch and announces it. */
export const NONCES_LOW_WATER = 8;
/**
 * Most commitments one announcement carries (its bound on the wire): each coordinator's share of
 * them is ANNOUNCED_NONCES_MAX / coordinators (nonce-owners.ts).
 */
export const ANNOUNCED_NONCES_MAX = 2 * NONCES_PER_BATCH;
/**
 * How many of a root's unused nonces each coordinator owns once the root tops them up, as far as
 * its share of an announcement allows: a coordinator takes one per job it coordinates at once
 * with this root as a signer (a world's note, planet and moon, a checkpoint).
 */
export const COORDINATOR_NONCES = 4;
/** A root tops up its nonces when a coordinator owns fewer than this many of them. */
export const COORDINATOR_NONCES_LOW_WATER = 2;
/**
 * Unused nonces a root keeps per key at most, announced or kept for later announcements (frost
 * allows 256): enough for every coordinator to own its share, up to 32 coordinators.
 */
export const NONCES_KEPT_MAX = 128;
/**
 * A root re-announces its unused commitments this often, for a peer that lost an announcement:
 * a coordinator can only pick signers whose commitments it holds. A peer that (re)joins — and
 * lost its commitment pool if it restarted — is greeted with them at once (FederationSigner.greet),
 * so this is a safety net, not the way commitments travel: at rest, an announcement of every
 * root to every peer every few seconds was half of what idle roots sent each other.
 */
export const COMMITMENTS_ANNOUNCE_MS = 30 * SECOND_MS;
/** One coordinator waits this long for the signers' shares before it tries without the silent ones. */
export const SHARE_TIMEOUT_MS = 5 * SECOND_MS;
/** A signer that did not answer is passed over for this long. */
export const UNRESPONSIVE_MS = 30 * SECOND_MS;
/**
 * Coordinators take turns per job: the k-th in the job's order starts k × this after the job
 * appeared, unless the signature arrived first. One offline coordinator costs one turn.
 */
export const COORDINATOR_TURN_MS = 3 * SECOND_MS;
/** Jobs one root keeps wanting at once (a checkpoint and a few worlds' parts). */
export const JOBS_MAX = 64;
/** Signing requests a signer holds while its own ledger catches up with the coordinator's. */
export const DEFERRED_REQUESTS_MAX = 16;
/** How long a deferred request is kept. */
export const DEFERRED_REQUEST_MS = 10 * SECOND_MS;
/** Faults (bad shares) a root remembers to show at GET /federation; each is evidence. */
export const FAULTS_KEPT_MAX = 64;
/** Largest gossip message of the federation key (a request with 64 commitments is ≈ 12 KiB). */
export const FROST_MESSAGE_BYTES_MAX = 64 * 1024;
/** Largest message a job asks to sign: a checkpoint text or a world note (< 1 KiB), a 32-byte digest. */
export const JOB_MESSAGE_BYTES_MAX = 4096;
/** A root re-sends its DKG package this often while the ledger does not show it. */
export const DKG_RESEND_MS = 10 * SECOND_MS;
/** Share files kept per data folder (the key in force and the one before; older ones are kept but not loaded). */
export const SHARE_FILES_LOADED_MAX = 4;
/**
 * A root that did not make a world's signatures sends them to the ledger itself after this
 * long, and a root sends them again after this long while the world still waits: longer than a
 * commit takes on a busy machine, so that one statement usually suffices.
 */
export const STATEMENT_FALLBACK_MS = 15 * SECOND_MS;
/**
 * The federation signs the checkpoint a root serves once its tree has stood this long: during a
 * burst of commits each tree is replaced within a signing round, and a signature on a replaced
 * tree is work thrown away (a round costs every signer scalar multiplications in JavaScript).
 */
export const CHECKPOINT_SETTLE_MS = 400;
/**
 * Under commits that never pause, one tree per this period is signed before it settled (the
 * period counts from the last signature or such attempt): the round succeeds when it ends
 * before the next commit, and costs one round per period when it does not.
 */
export const CHECKPOINT_SIGNED_AGE_MAX_MS = 2 * SECOND_MS;
/**
 * The federation signs the newest world waiting for signatures once it has stood this long: in a
 * burst of world changes each world is replaced within a signing round, and the one that ends
 * the burst supersedes the others (ledger/LEDGER.md §9.4), so signing each would be work thrown
 * away.
 */
export const WORLD_SETTLE_MS = 400;
/**
 * Under world changes that never pause, one world per this period is signed before it settled
 * (counted from the last world signature or such attempt), and signed even if newer worlds come
 * meanwhile. A lone change in a quiet federation is signed at once for the same reason.
 */
export const WORLD_SIGNED_AGE_MAX_MS = 2 * SECOND_MS;
