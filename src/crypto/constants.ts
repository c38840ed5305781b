// Sizes fixed by RFC 8032 (Ed25519) and FIPS 180-4 (SHA-256).
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32; // the RFC 8032 §5.1.5 seed, not the expanded key
export const SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;

/**
 * Group order L of edwards25519 (RFC 8032 §5.1): 2^252 + 27742317777372353535851937790883648493.
 * A signature whose S is not below L is refused (RFC 8032 §5.1.7 step 1), so that every
 * signature has one encoding and no implementation accepts a malleated copy.
 */
export const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * Parsed node:crypto key objects kept per public/secret key. Witan verifies against a few
 * dozen member keys; the cap only guards against an attacker feeding endless fresh keys.
 */
export const KEY_CACHE_ENTRIES_MAX = 4096;

// C2SP signed-note (c2sp.org/signed-note) and tlog-cosignature (c2sp.org/tlog-cosignature).

/** Signature type byte of plain Ed25519 note signatures (signed-note §"Signature types"). */
export const ED25519_NOTE_TYPE = 0x01;

/** Signature type byte of timestamped Ed25519 cosignatures, cosignature/v1 (tlog-cosignature §Format). */
export const COSIGNATURE_V1_TYPE = 0x04;

/** Bytes of the big-endian key ID that opens every note signature (signed-note §Format). */
export const NOTE_KEY_ID_BYTES = 4;

/**
 * Largest signed note we parse. The spec asks verifiers to accept at least 16 signatures and
 * warns that post-quantum ones approach 5 kB; 16 × 5 kB plus a checkpoint fits with room.
 * Witan's own notes (a checkpoint, one log signature, a quorum of cosignatures) are < 16 kB.
 */
export const NOTE_BYTES_MAX = 256 * 1024;

/** Most signature lines in one note: the spec's floor is 16; golang.org/x/mod/sumdb/note stops at 100. */
export const NOTE_SIGNATURES_MAX = 100;

/** The u64 cosignature timestamp is carried as a JS number, so it must stay a safe integer. */
export const COSIGNATURE_TIMESTAMP_MAX = Number.MAX_SAFE_INTEGER;

/** Bytes of a cosignature/v1 signature after the key ID: u64 timestamp || Ed25519 signature. */
export const COSIGNATURE_V1_BYTES = 8 + SIGNATURE_BYTES;

// Key files (src/crypto/key-file.ts).

/** A key file is a few hundred bytes of JSON; anything far larger is not one. */
export const KEY_FILE_BYTES_MAX = 4096;

/**
 * scrypt cost for passphrase-protected key files: N = 2^17, r = 8, p = 1 needs 128 MiB and
 * ≈ 0.3–0.6 s on one core here. Above the 2^15 that RFC 7914 era guidance gives for
 * interactive logins, because a key file is opened once per process start.
 */
export const SCRYPT_COST_N = 2 ** 17;
export const SCRYPT_BLOCK_SIZE_R = 8;
export const SCRYPT_PARALLELISM_P = 1;

/**
 * Bounds on the scrypt parameters we accept when reading a file, so that a hostile or corrupt
 * file cannot pin gigabytes or minutes: memory is 128 · N · r bytes, work grows with N · r · p.
 */
export const SCRYPT_MEMORY_BYTES_MAX = 256 * 1024 * 1024;
export const SCRYPT_WORK_MAX = 2 ** 22; // N · r · p: 4× the default (2^17 · 8 · 1 = 2^20)

/** Salt and AES-256-GCM sizes (NIST SP 800-38D §5.2.1.1: 96-bit IV, 128-bit tag). */
export const SCRYPT_SALT_BYTES = 16;
export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Longest verifier key string (vkey) we parse: an Ed25519 vkey with a 255-byte name is < 320 bytes. */
export const VKEY_BYTES_MAX = 512;
