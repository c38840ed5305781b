// Limits of the wire formats. Units last; each bound says why it exists.

/**
 * C2SP tlog-witness add-checkpoint request body: an "old N" line, at most 63 proof hashes of
 * 45 base64 characters, a blank line, then a checkpoint note — at most this many bytes in all.
 * 64 KiB holds a checkpoint with several hundred cosignatures.
 */
export const ADD_CHECKPOINT_BODY_BYTES_MAX = 64 * 1024;

/** A consistency proof in a tree of at most 2^52 leaves has at most 2·52 hashes; tlog-witness caps at 63. */
export const ADD_CHECKPOINT_PROOF_HASHES_MAX = 63;
