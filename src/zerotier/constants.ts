// Sizes and limits of ZeroTier's identities and worlds (ZeroTierOne 1.x: node/Identity.hpp,
// node/Identity.cpp, node/C25519.hpp, node/World.hpp, node/InetAddress.hpp). They are wire
// constants: changing one makes our planets unreadable to stock ZeroTier nodes.

/** A ZeroTier address is 40 bits (node/Constants.hpp ZT_ADDRESS_LENGTH). */
export const ADDRESS_BYTES = 5;

/** Addresses whose first byte is this are reserved (ZT_ADDRESS_RESERVED_PREFIX); so is address 0. */
export const RESERVED_ADDRESS_PREFIX = 0xff;

/** Identity type 0, "C25519": a Curve25519 key for agreement and an Ed25519 key for signing. */
export const IDENTITY_TYPE_C25519 = 0;

/** C25519 public key: Curve25519 (32) ‖ Ed25519 (32) (ZT_C25519_PUBLIC_KEY_LEN). */
export const C25519_PUBLIC_KEY_BYTES = 64;

/** C25519 private key: Curve25519 secret (32) ‖ Ed25519 seed (32) (ZT_C25519_PRIVATE_KEY_LEN). */
export const C25519_SECRET_KEY_BYTES = 64;

/** One half of a C25519 key: a Curve25519 or an Ed25519 key. */
export const HALF_KEY_BYTES = 32;

/**
 * Ed25519 keys whose Montgomery form (half of a planet's updatesMustBeSignedBy) is remembered:
 * a federation has one key at a time.
 */
export const MONTGOMERY_MEMO_ENTRIES = 64;

/** C25519 signature: Ed25519 signature (64) ‖ the first 32 bytes of SHA-512(message) (ZT_C25519_SIGNATURE_LEN). */
export const C25519_SIGNATURE_BYTES = 96;

/** Bytes of the SHA-512 digest an Ed25519 key signs in a C25519 signature. */
export const C25519_SIGNED_DIGEST_BYTES = 32;

/**
 * Memory of the identity hash (ZT_IDENTITY_GEN_MEMORY): 2 MiB filled by Salsa20/20 in a
 * CBC-like chain, then read back as a lookup table. Fixed by identity type 0.
 */
export const IDENTITY_HASH_MEMORY_BYTES = 2 * 1024 * 1024;

/** An identity is valid only if its hash's first byte is below this (ZT_IDENTITY_GEN_HASHCASH_FIRST_BYTE_LESS_THAN). */
export const IDENTITY_HASH_FIRST_BYTE_LESS_THAN = 17;

/**
 * Key pairs tried by generateIdentity before it gives up. Each try succeeds with probability
 * ≈ 17/256, so 2,000 tries fail with probability ≈ (239/256)^2000 < 10^-59: the bound only
 * stops a broken random source from looping forever.
 */
export const IDENTITY_GENERATION_TRIES_MAX = 2000;

/** World types (World::Type). Type 0 (TYPE_NULL) is "no world" and never crosses the wire from us. */
export const WORLD_TYPE_PLANET = 1;
export const WORLD_TYPE_MOON = 127;

/** ZeroTier's limits per world (ZT_WORLD_MAX_ROOTS, ZT_WORLD_MAX_STABLE_ENDPOINTS_PER_ROOT). */
export const WORLD_ROOTS_MAX = 4;
export const ROOT_ENDPOINTS_MAX = 32;

/**
 * ZeroTier deserialises a world into a Buffer of ZT_WORLD_MAX_SERIALIZED_LENGTH bytes:
 * ((1024 + 32 × 32) × 4) + 64 + 96 + 128. A larger world cannot be read by a ZeroTier node.
 */
export const WORLD_BYTES_MAX =
  (1024 + 32 * ROOT_ENDPOINTS_MAX) * WORLD_ROOTS_MAX + C25519_PUBLIC_KEY_BYTES + C25519_SIGNATURE_BYTES + 128;

/** Prefix and suffix of the bytes a world's signature covers (World::serialize(b, forSign = true)). */
export const WORLD_SIGNING_PREFIX_BYTE = 0x7f;
export const WORLD_SIGNING_SUFFIX_BYTE = 0xf7;
export const WORLD_SIGNING_MARKER_BYTES = 8;

/** InetAddress::serialize type bytes for the two address families a root endpoint may have. */
export const ENDPOINT_TYPE_IPV4 = 0x04;
export const ENDPOINT_TYPE_IPV6 = 0x06;

/** World ids of ZeroTier's own planet (ZT_WORLD_ID_EARTH) and its reserved Mars id. */
export const WORLD_ID_EARTH = 149604618n;
export const WORLD_ID_MARS = 227883110n;

/** A world id and timestamp are u64 on the wire. */
export const U64_MAX = 2n ** 64n - 1n;
