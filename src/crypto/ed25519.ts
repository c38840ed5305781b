// Ed25519 (RFC 8032) with one strict verification rule for every caller — roots, auditors
// and overlay peers — written out in ledger/LEDGER.md §"Signature verification":
//   1. the public key is 32 bytes, a canonical encoding (y < p) of a curve point, and not
//      of small order;
//   2. the signature is 64 bytes and its S is canonical (S < L);
//   3. the cofactorless RFC 8032 §5.1.7 equation holds (node:crypto / OpenSSL), which also
//      rejects a non-canonical R because it compares R's encoding byte for byte.
// Checks 1–2 use @noble/curves; check 3 uses node:crypto because it is ≈12× faster in bulk.

import type { KeyObject } from 'node:crypto';
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  GROUP_ORDER,
  KEY_CACHE_ENTRIES_MAX,
  PUBLIC_KEY_BYTES,
  SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
} from './constants.ts';
import { CryptoError } from './errors.ts';

export type KeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

// DER prefixes for raw Ed25519 keys (RFC 8410 §4 SubjectPublicKeyInfo, §7 OneAsymmetricKey).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const publicKeyObjects = new Map<string, KeyObject | null>(); // null: key failed the strict checks
const secretKeyObjects = new Map<string, KeyObject>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= KEY_CACHE_ENTRIES_MAX) cache.clear();
  cache.set(key, value);
  return value;
}

function hexKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Strict public key check (rule 1). */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  return publicKeyObject(publicKey) !== null;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return null;
  const id = hexKey(publicKey);
  const cached = publicKeyObjects.get(id);
  if (cached !== undefined) return cached;
  let ok = false;
  try {
    const point = ed25519.Point.fromBytes(publicKey, false); // zip215=false: canonical y only
    ok = !point.isSmallOrder();
  } catch {
    ok = false;
  }
  const object = ok
    ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    : null;
  return remember(publicKeyObjects, id, object);
}

function secretKeyObject(secretKey: Uint8Array): KeyObject {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) {
    throw new CryptoError('BAD_KEY', `an Ed25519 secret key is a ${SECRET_KEY_BYTES}-byte seed`);
  }
  const id = hexKey(secretKey);
  const cached = secretKeyObjects.get(id);
  if (cached !== undefined) return cached;
  const object = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, secretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  return remember(secretKeyObjects, id, object);
}

/** L as 32 little-endian bytes, for comparing S byte by byte. */
const GROUP_ORDER_LE = Uint8Array.from({ length: 32 }, (_, i) =>
  Number((GROUP_ORDER >> BigInt(8 * i)) & 0xffn),
);

/**
 * S < L, S read little-endian from the signature's second half (rule 2): compared from the most
 * significant byte down, as a BigInt comparison would, without building one per verification.
 */
export function hasCanonicalS(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = GROUP_ORDER_LE[i]!;
    if (s !== l) return s < l;
  }
  return false; // S = L
}

/**
 * THE verification function. Returns false for any malformed input rather than throwing,
 * so callers cannot mistake an exception path for acceptance.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
  if (signature.length !== SIGNATURE_BYTES || !hasCanonicalS(signature)) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, secretKeyObject(secretKey)));
}

export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  const object = secretKeyObject(seed);
  const spki = createPublicKey(object).export({ format: 'der', type: 'spki' });
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), secretKey: new Uint8Array(seed) };
}

export function generateKeyPair(): KeyPair {
  return keyPairFromSeed(new Uint8Array(randomBytes(SECRET_KEY_BYTES)));
}

/**
 * scalar · B for a canonical, non-zero little-endian scalar (a FROST signing share): its
 * verifying share. Throws CryptoError BAD_KEY for a scalar that is zero or not below L.
 */
export function scalarBasePoint(scalar: Uint8Array): Uint8Array {
  let n: bigint;
  try {
    n = ed25519.Point.Fn.fromBytes(scalar);
  } catch {
    throw new CryptoError('BAD_KEY', 'a scalar is 32 bytes, little-endian, below the group order');
  }
  if (n === 0n) throw new CryptoError('BAD_KEY', 'a zero scalar is no key');
  return ed25519.Point.BASE.multiply(n).toBytes();
}
