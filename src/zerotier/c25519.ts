// ZeroTier's C25519 signatures (ZeroTierOne node/C25519.cpp, C25519::sign / C25519::verify):
// a standard RFC 8032 Ed25519 signature over the first 32 bytes of SHA-512(message), followed
// by those 32 bytes: 96 bytes in all. Any Ed25519 signer can therefore make one — a local key
// or the federation's FROST group — given the 32-byte digest to sign.
//
// A C25519 public key is Curve25519 (32) ‖ Ed25519 (32); only the Ed25519 half verifies.
// Verification here is stricter than ZeroTier's: it goes through THE Ed25519 verification
// function (canonical S, canonical prime-order key) and also requires the carried digest to
// match, so whatever we accept a ZeroTier node accepts too.

import { ed25519 } from '@noble/curves/ed25519.js';
import { Lru } from '../base/index.ts';
import { bytesEqual, toHex } from '../codec/index.ts';
import { keyPairFromSeed, SIGNATURE_BYTES, sign, verifySignature } from '../crypto/index.ts';
import {
  C25519_PUBLIC_KEY_BYTES,
  C25519_SIGNATURE_BYTES,
  C25519_SIGNED_DIGEST_BYTES,
  HALF_KEY_BYTES,
  MONTGOMERY_MEMO_ENTRIES,
} from './constants.ts';
import { ZeroTierError } from './errors.ts';
import { ed25519Half } from './identity.ts';
import { sha512 } from './identity-hash.ts';

/** Anything that makes Ed25519 signatures under publicKey: a key in memory or a threshold group. */
export type Ed25519Signer = {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
};

/** The 32 bytes an Ed25519 key signs in a C25519 signature of message. */
export function c25519SignedDigest(message: Uint8Array): Uint8Array {
  return sha512(message).slice(0, C25519_SIGNED_DIGEST_BYTES);
}

/** Signs message as C25519::sign does, then checks the result before returning it. */
export async function c25519Sign(message: Uint8Array, signer: Ed25519Signer): Promise<Uint8Array> {
  const digest = c25519SignedDigest(message);
  const signature = await signer.sign(digest);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    throw new ZeroTierError(
      'BAD_SIGNATURE',
      `the signer returned ${String(signature?.length)} bytes, not 64`,
    );
  }
  if (!verifySignature(signer.publicKey, digest, signature)) {
    throw new ZeroTierError(
      'BAD_SIGNATURE',
      'the signer produced a signature that does not verify under its key',
    );
  }
  const out = new Uint8Array(C25519_SIGNATURE_BYTES);
  out.set(signature, 0);
  out.set(digest, SIGNATURE_BYTES);
  return out;
}

/** C25519::verify with a 64-byte C25519 public key. Never throws. */
export function c25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== C25519_PUBLIC_KEY_BYTES) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== C25519_SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  const digest = c25519SignedDigest(message);
  if (!bytesEqual(signature.subarray(SIGNATURE_BYTES), digest)) return false;
  return verifySignature(ed25519Half(publicKey), digest, signature.subarray(0, SIGNATURE_BYTES));
}

/**
 * The C25519 public key that names an Ed25519-only key (such as the federation's group key) in
 * a world's updatesMustBeSignedBy: the Montgomery form of the same point (RFC 7748 §4.1
 * birational map, ed25519.utils.toMontgomery) ‖ the Ed25519 key. ZeroTier reads only the
 * Ed25519 half when it checks an update; the Curve25519 half is fully determined by it, so
 * the 64 bytes carry nothing a verifier cannot recompute, and it is never a low-order point
 * (unlike zeros) should any code path ever try key agreement with it. Its secret scalar is
 * the group's secret, which no one holds.
 */
export function c25519PublicKeyOfEd25519(ed25519PublicKey: Uint8Array): Uint8Array {
  if (!(ed25519PublicKey instanceof Uint8Array) || ed25519PublicKey.length !== HALF_KEY_BYTES) {
    throw new ZeroTierError('BAD_WORLD', 'an Ed25519 public key is 32 bytes');
  }
  const hex = toHex(ed25519PublicKey);
  let montgomery = montgomeryForms.get(hex);
  if (montgomery === undefined) {
    montgomery = ed25519.utils.toMontgomery(ed25519PublicKey);
    montgomeryForms.set(hex, montgomery);
  }
  const out = new Uint8Array(C25519_PUBLIC_KEY_BYTES);
  out.set(montgomery, 0);
  out.set(ed25519PublicKey, HALF_KEY_BYTES);
  return out;
}

/**
 * Montgomery forms computed, by Ed25519 key (hex). Decoding the point costs a field square root
 * in JavaScript (≈ 1 ms), and every world change builds the planet and moon of the world and of
 * the world before it to compare them, under the same federation key.
 */
const montgomeryForms = new Lru<string, Uint8Array>(MONTGOMERY_MEMO_ENTRIES);

/** An Ed25519Signer over a 32-byte seed held in memory (tests, vectors, a devnet's single key). */
export function ed25519SeedSigner(seed: Uint8Array): Ed25519Signer {
  const { publicKey } = keyPairFromSeed(seed);
  return { publicKey, sign: (message) => sign(seed, message) };
}
