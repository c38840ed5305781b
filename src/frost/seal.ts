// Sealing a DKG round-2 share to its recipient. Each participant announces a fresh X25519 key
// for the session in its round-1 broadcast (authenticated there, with the broadcast, by the
// member's own signature in the ledger). A share from A to B is sealed with
//   key   = HKDF-SHA256(ikm = X25519(A's session secret, B's session public),
//                       salt = session id, info = label ‖ 0 ‖ lp(A) ‖ lp(B))
//   box   = XChaCha20-Poly1305(key, random 24-byte nonce, share, aad = session id ‖ lp(A) ‖ lp(B))
// where lp(x) is x's UTF-8 bytes after a u16 length. The static–static agreement
// authenticates the sender (only A or B can compute the key); the names in the KDF and the
// AAD bind the box to one direction of one pair in one session, so it cannot be replayed
// elsewhere. The session keys are thrown away after round 3, so a later theft of a member's
// node key reveals none of the shares in the public record (forward secrecy).
//
// XChaCha20-Poly1305 from @noble/ciphers: audited, constant-time in JS, and its 24-byte nonce
// is safe to draw at random; node:crypto has no XChaCha and the volume (one 32-byte share per
// pair) makes speed irrelevant.

import { randomBytes } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8Bytes } from '../codec/index.ts';
import { SEAL_KEY_BYTES, SEAL_LABEL, SEAL_NONCE_BYTES } from './constants.ts';
import { FrostError } from './errors.ts';

export type SealingKeyPair = { secretKey: Uint8Array; publicKey: Uint8Array };
/** Returns n random bytes: the system's by default; a seeded source for reproducible vectors. */
export type RandomBytes = (n: number) => Uint8Array;

const systemRandom: RandomBytes = (n) => new Uint8Array(randomBytes(n));

export function newSealingKeyPair(random: RandomBytes = systemRandom): SealingKeyPair {
  const { secretKey, publicKey } = x25519.keygen(random(SEAL_KEY_BYTES));
  return { secretKey, publicKey };
}

/** True for a usable X25519 public key (canonical, not of low order). */
export function isSealingKey(publicKey: Uint8Array): boolean {
  try {
    x25519.getSharedSecret(x25519.utils.randomSecretKey(), publicKey);
    return true;
  } catch {
    return false;
  }
}

function lengthPrefixed(text: string): Uint8Array {
  const bytes = utf8Bytes(text);
  return concatBytes(new Uint8Array([bytes.length >> 8, bytes.length & 0xff]), bytes);
}

function context(sessionId: Uint8Array, from: string, to: string) {
  const pair = concatBytes(lengthPrefixed(from), lengthPrefixed(to));
  return {
    info: concatBytes(utf8Bytes(SEAL_LABEL), new Uint8Array([0]), pair),
    aad: concatBytes(sessionId, pair),
  };
}

function boxKey(
  ownSecret: Uint8Array,
  peerPublic: Uint8Array,
  sessionId: Uint8Array,
  info: Uint8Array,
): Uint8Array {
  return hkdf(sha256, x25519.getSharedSecret(ownSecret, peerPublic), sessionId, info, SEAL_KEY_BYTES);
}

export function seal(
  sessionId: Uint8Array,
  from: string,
  to: string,
  senderSecret: Uint8Array,
  recipientPublic: Uint8Array,
  plaintext: Uint8Array,
  random: RandomBytes = systemRandom,
): { nonce: Uint8Array; ciphertext: Uint8Array } {
  const { info, aad } = context(sessionId, from, to);
  const nonce = random(SEAL_NONCE_BYTES);
  const ciphertext = xchacha20poly1305(
    boxKey(senderSecret, recipientPublic, sessionId, info),
    nonce,
    aad,
  ).encrypt(plaintext);
  return { nonce, ciphertext };
}

/** Opens a sealed share, or throws BAD_SHARE naming the sender (a wrong key, box or context). */
export function open(
  sessionId: Uint8Array,
  from: string,
  to: string,
  recipientSecret: Uint8Array,
  senderPublic: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  const { info, aad } = context(sessionId, from, to);
  try {
    return xchacha20poly1305(boxKey(recipientSecret, senderPublic, sessionId, info), nonce, aad).decrypt(
      ciphertext,
    );
  } catch {
    throw new FrostError(
      'BAD_SHARE',
      `the sealed share from ${from} to ${to} does not open: it was altered or forged`,
      from,
    );
  }
}
