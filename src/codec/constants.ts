// Limits of the canonical JSON codec. Every signed or hashed object in Witan goes
// through it, so these bound the work any untrusted input can cause.

/** Largest canonical document we decode: one ledger entry is at most 65,535 bytes. */
export const DEFAULT_DOCUMENT_BYTES_MAX = 65_535;

/** Deepest nesting we accept; our schemas need fewer than 10 levels. */
export const DEFAULT_DEPTH_MAX = 32;

/** Domain tags separate the signing bytes of different statement kinds. */
export const DOMAIN_PATTERN = /^witan\/v1\/[a-z0-9][a-z0-9/-]*$/;

/** A domain tag longer than this is a programming error, not a protocol choice. */
export const DOMAIN_BYTES_MAX = 128;
