// Limits of the federation's FROST key (RFC 9591, FROST(Ed25519, SHA-512)) as Witan runs it.

/**
 * Most participants in one key. A DKG costs each member O(n · t) point multiplications
 * (≈ 1–2 min of CPU in all at n = 31 here, see bench/RESULTS.md): 64 keeps a federation far
 * above any realistic size while bounding the work a malformed config can ask for.
 */
export const PARTICIPANTS_MAX = 64;

/** noble-curves (like frost-rs) refuses 1-of-n: a one-signer "threshold" is an ordinary key. */
export const THRESHOLD_MIN = 2;

/** A participant's name (a member's name or key): printable ASCII, no spaces, bounded. */
export const PARTICIPANT_NAME_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Bytes of a DKG session id: binds every package to one ceremony (e.g. a hash of the world that asked for it). */
export const SESSION_ID_BYTES = 32;

/** Nonce pairs a member may have prepared and not yet used: enough for many signatures ahead, small in memory. */
export const NONCES_OUTSTANDING_MAX = 256;

/** Spent nonce commitments remembered to tell a replay (NONCE_REUSED) from a stranger (UNKNOWN_COMMITMENT). */
export const SPENT_COMMITMENTS_MAX = 4096;

/** Commitments a coordinator holds per participant before it refuses more. */
export const POOL_COMMITMENTS_PER_PARTICIPANT_MAX = NONCES_OUTSTANDING_MAX;

/** Largest message the group signs: a world's 32-byte C25519 digest or a checkpoint note (< 16 KiB). */
export const MESSAGE_BYTES_MAX = 64 * 1024;

/** XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha §2): 32-byte key, 24-byte nonce, 16-byte tag. */
export const SEAL_KEY_BYTES = 32;
export const SEAL_NONCE_BYTES = 24;
export const SEAL_TAG_BYTES = 16;

/** Bytes of an edwards25519 scalar or point encoding (RFC 9591 §6.5: Ns = Ne = 32). */
export const SCALAR_BYTES = 32;
export const POINT_BYTES = 32;

/**
 * Point encodings a process remembers as decoded and checked (src/frost/suite.ts), least
 * recently used first out: a signature reads the group key and 2 · threshold nonce commitments
 * (at most 129 points at 64 participants), a root holds a few dozen of its own commitments per
 * key, and each entry is ≈ 0.3 KiB.
 */
export const POINT_MEMO_ENTRIES = 1024;

/** HKDF info label of a sealed DKG share; a new label for any change to what is sealed. */
export const SEAL_LABEL = 'witan/frost-dkg/sealed-share/v1';
