// The FROST(Ed25519, SHA-512) ciphersuite (RFC 9591 §6.1) as Witan runs it: noble-curves'
// own createFROST with exactly the parameters of its ed25519_FROST — name, point, hash and the
// undecorated H2 of RFC 8032 — but without ed25519_FROST's extra `validatePoint` hook.
//
// Why: createFROST already checks every point it decodes (RFC 9591 §3.1 DeserializeElement:
// on the curve, not the identity, in the prime-order subgroup, by multiplying it by the group
// order). ed25519_FROST's hook repeats the curve check and the subgroup check on every point,
// and a subgroup check is a full variable-base scalar multiplication in pure JavaScript: a
// 7-member DKG spent more than half of its time repeating it (profiled in
// bench/RESULTS.md "Federation key"). Dropping the repeat removes no check; outputs are
// identical to ed25519_FROST's for the same randomness (test/frost/suite.test.ts).

import { createFROST } from '@noble/curves/abstract/frost.js';
import { ed25519, type ed25519_FROST } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

/** RFC 9591 §6.1 contextString. */
export const CIPHERSUITE_NAME = 'FROST-ED25519-SHA512-v1';

/** noble's FROST API for FROST(Ed25519, SHA-512), each point checked once. */
export const FROST: typeof ed25519_FROST = createFROST({
  name: CIPHERSUITE_NAME,
  Point: ed25519.Point,
  hash: sha512,
  // RFC 9591 §6.1: H2 is SHA-512 without a prefix, so FROST signatures are RFC 8032 signatures.
  H2: '',
}) as typeof ed25519_FROST;
