// One error class for everything ZeroTier-shaped that we refuse: identities, worlds,
// endpoints and signatures. The code is stable; the message says what was wrong and what to do.

import { CodedError } from '../base/index.ts';

export type ZeroTierErrorCode =
  /** An identity string or binary identity that does not parse: fix the descriptor or file. */
  | 'MALFORMED_IDENTITY'
  /** An identity type other than 0 (C25519): only type 0 identities can be planet roots. */
  | 'UNSUPPORTED_IDENTITY_TYPE'
  /** Address 0 or an address starting with 0xff: ZeroTier reserves them. Generate a new identity. */
  | 'RESERVED_ADDRESS'
  /** The address does not derive from the public key by ZeroTier's memory-hard hash: forged or corrupted. */
  | 'INVALID_IDENTITY'
  /** A secret key that does not belong to the public key beside it: the key file is corrupted. */
  | 'KEY_MISMATCH'
  /** A world's bytes end inside a field. */
  | 'TRUNCATED'
  /** More bytes than WORLD_BYTES_MAX (ZeroTier could not read the world). */
  | 'TOO_LARGE'
  /** Bytes after the end of the world. */
  | 'TRAILING_BYTES'
  /** A world type other than planet (1) or moon (127). */
  | 'UNSUPPORTED_WORLD_TYPE'
  /** More than WORLD_ROOTS_MAX roots: ZeroTier refuses the whole world. Move the others to a moon. */
  | 'TOO_MANY_ROOTS'
  /** More than ROOT_ENDPOINTS_MAX stable endpoints for one root. */
  | 'TOO_MANY_ENDPOINTS'
  /** A root identity that carries a secret key: a world is public and must never hold one. */
  | 'ROOT_HAS_SECRET_KEY'
  /** An endpoint that is not an IPv4 or IPv6 address with a port, or one a root cannot use. */
  | 'BAD_ENDPOINT'
  /** The same root twice in one world. */
  | 'DUPLICATE_ROOT'
  /** A moon with a non-empty dictionary: ZeroTier neither signs nor reads it, so we refuse it. */
  | 'UNSIGNED_DICTIONARY'
  /** A field of a world to serialise that is out of range (id, timestamp, key, signature sizes). */
  | 'BAD_WORLD'
  /** A C25519 signature that does not verify: the world was altered or signed by the wrong key. */
  | 'BAD_SIGNATURE';

export class ZeroTierError extends CodedError<ZeroTierErrorCode> {}
