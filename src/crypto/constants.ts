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
