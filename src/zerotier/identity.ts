// ZeroTier identities of type 0 (ZeroTierOne node/Identity.hpp, node/Identity.cpp):
//   text:   <address, 10 hex digits>:0:<public key, 128 hex digits>[:<secret key, 128 hex digits>]
//   public: Curve25519 public key (32) ‖ Ed25519 public key (32)
//   secret: Curve25519 secret key (32) ‖ Ed25519 seed (32)
// An identity is valid (Identity::locallyValidate) when its address is not reserved and equals
// the last five bytes of the memory-hard hash of its public key, whose first byte is below 17.
// Parsing checks the format only, as ZeroTier's fromString does; validateIdentity runs the hash.
// We spell hex in lowercase only, as ZeroTier writes it, so that each identity has one text.

import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, fromHex, toHex } from '../codec/index.ts';
import { keyPairFromSeed } from '../crypto/index.ts';
import {
  ADDRESS_BYTES,
  C25519_PUBLIC_KEY_BYTES,
  C25519_SECRET_KEY_BYTES,
  HALF_KEY_BYTES,
  IDENTITY_GENERATION_TRIES_MAX,
  IDENTITY_HASH_FIRST_BYTE_LESS_THAN,
  IDENTITY_TYPE_C25519,
  RESERVED_ADDRESS_PREFIX,
} from './constants.ts';
import { ZeroTierError } from './errors.ts';
import { identityHash } from './identity-hash.ts';

/** A public identity: what a planet carries for each root. */
export type ZeroTierIdentity = { address: string; publicKey: Uint8Array };
/** An identity with its secret key: what a root keeps in its identity.secret file. */
export type ZeroTierSecretIdentity = ZeroTierIdentity & { secretKey: Uint8Array };

/** Returns n random bytes; injected so that vectors and tests can be reproducible. */
export type RandomSource = (n: number) => Uint8Array;

const ADDRESS_PATTERN = /^[0-9a-f]{10}$/;
const KEY_PATTERN = /^[0-9a-f]{128}$/;
const IDENTITY_TEXT_CHARS_MAX = 10 + 3 + 128 + 1 + 128;

function malformed(message: string): ZeroTierError {
  return new ZeroTierError('MALFORMED_IDENTITY', message);
}

/** Address 0 and addresses starting with 0xff are reserved (Address::isReserved). */
export function isReservedAddress(address: Uint8Array): boolean {
  return address[0] === RESERVED_ADDRESS_PREFIX || address.every((b) => b === 0);
}

export function addressToBytes(address: string): Uint8Array {
  if (typeof address !== 'string' || !ADDRESS_PATTERN.test(address)) {
    throw malformed('a ZeroTier address is 10 lowercase hex digits');
  }
  return fromHex(address);
}

export function addressFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== ADDRESS_BYTES) throw malformed(`a ZeroTier address is ${ADDRESS_BYTES} bytes`);
  return toHex(bytes);
}

/** Parses "address:0:public[:secret]". Checks the format and that a secret key matches; not the hash. */
export function parseIdentity(text: string): ZeroTierIdentity | ZeroTierSecretIdentity {
  if (typeof text !== 'string' || text.length > IDENTITY_TEXT_CHARS_MAX) {
    throw malformed('an identity is "address:0:public key hex[:secret key hex]"');
  }
  const fields = text.split(':');
  if (fields.length < 3 || fields.length > 4) {
    throw malformed('an identity is "address:0:public key hex[:secret key hex]"');
  }
  const [address, type, publicHex, secretHex] = fields as [string, string, string, string | undefined];
  const addressBytes = addressToBytes(address);
  if (isReservedAddress(addressBytes)) {
    throw new ZeroTierError('RESERVED_ADDRESS', `address ${address} is reserved by ZeroTier`);
  }
  if (type !== String(IDENTITY_TYPE_C25519)) {
    throw new ZeroTierError(
      'UNSUPPORTED_IDENTITY_TYPE',
      `identity type ${JSON.stringify(type)} is not supported: only type 0 (C25519) identities can be roots`,
    );
  }
  if (!KEY_PATTERN.test(publicHex)) throw malformed('the public key is 128 lowercase hex digits');
  const identity = { address, publicKey: fromHex(publicHex) };
  if (secretHex === undefined) return identity;
  if (!KEY_PATTERN.test(secretHex)) throw malformed('the secret key is 128 lowercase hex digits');
  const secretIdentity = { ...identity, secretKey: fromHex(secretHex) };
  checkKeysMatch(secretIdentity);
  return secretIdentity;
}

/** "address:0:public" — or with ":secret" when asked and present (Identity::toString). */
export function formatIdentity(
  identity: ZeroTierIdentity | ZeroTierSecretIdentity,
  withSecret = false,
): string {
  checkShape(identity);
  const base = `${identity.address}:${IDENTITY_TYPE_C25519}:${toHex(identity.publicKey)}`;
  if (!withSecret) return base;
  if (!('secretKey' in identity)) throw malformed('this identity has no secret key to write');
  checkKeysMatch(identity);
  return `${base}:${toHex(identity.secretKey)}`;
}

function checkShape(identity: ZeroTierIdentity): void {
  addressToBytes(identity.address);
  if (!(identity.publicKey instanceof Uint8Array) || identity.publicKey.length !== C25519_PUBLIC_KEY_BYTES) {
    throw malformed(`a C25519 public key is ${C25519_PUBLIC_KEY_BYTES} bytes`);
  }
}

/** Both halves of the public key derive from the secret key (which ZeroTier's fromString does not check). */
function checkKeysMatch(identity: ZeroTierSecretIdentity): void {
  const { secretKey, publicKey } = identity;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== C25519_SECRET_KEY_BYTES) {
    throw malformed(`a C25519 secret key is ${C25519_SECRET_KEY_BYTES} bytes`);
  }
  if (!bytesEqual(publicKeyFromSecret(secretKey), publicKey)) {
    throw new ZeroTierError(
      'KEY_MISMATCH',
      `the secret key of ${identity.address} does not belong to its public key: the identity file is corrupted`,
    );
  }
}

/** Curve25519 public (X25519 of the first half) ‖ Ed25519 public (from the seed in the second half). */
export function publicKeyFromSecret(secretKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(C25519_PUBLIC_KEY_BYTES);
  out.set(x25519.getPublicKey(secretKey.subarray(0, HALF_KEY_BYTES)), 0);
  out.set(keyPairFromSeed(secretKey.slice(HALF_KEY_BYTES)).publicKey, HALF_KEY_BYTES);
  return out;
}

/** The Ed25519 half of a C25519 public key: the key that verifies this identity's signatures. */
export function ed25519Half(publicKey: Uint8Array): Uint8Array {
  return publicKey.subarray(HALF_KEY_BYTES, C25519_PUBLIC_KEY_BYTES);
}

function hashAccepts(digest: Uint8Array): boolean {
  return digest[0]! < IDENTITY_HASH_FIRST_BYTE_LESS_THAN;
}

/** Identity::locallyValidate: throws RESERVED_ADDRESS or INVALID_IDENTITY. Costs one memory-hard hash (≈ 50 ms). */
export function validateIdentity(identity: ZeroTierIdentity): void {
  checkShape(identity);
  const address = addressToBytes(identity.address);
  if (isReservedAddress(address)) {
    throw new ZeroTierError('RESERVED_ADDRESS', `address ${identity.address} is reserved by ZeroTier`);
  }
  const digest = identityHash(identity.publicKey);
  if (!hashAccepts(digest) || !bytesEqual(digest.subarray(64 - ADDRESS_BYTES), address)) {
    throw new ZeroTierError(
      'INVALID_IDENTITY',
      `identity ${identity.address} does not derive from its public key by ZeroTier's identity hash: it is forged or corrupted`,
    );
  }
}

export function isValidIdentity(identity: ZeroTierIdentity): boolean {
  try {
    validateIdentity(identity);
    return true;
  } catch (error) {
    if (error instanceof ZeroTierError) return false;
    throw error;
  }
}

/**
 * A new identity, found the way ZeroTier's Identity::generate finds one: the Ed25519 half is
 * drawn once and the Curve25519 half is redrawn until the memory-hard hash of the public key
 * starts below 17 and ends in an address that is not reserved. ≈ 15 tries (≈ 1 s) on average.
 * ZeroTier steps its Curve25519 secret by counter between tries; we draw it afresh, which
 * gives the same distribution.
 */
export function generateIdentity(random: RandomSource = nodeRandom): ZeroTierSecretIdentity {
  const secretKey = new Uint8Array(C25519_SECRET_KEY_BYTES);
  secretKey.set(randomChecked(random, HALF_KEY_BYTES), HALF_KEY_BYTES);
  const edPublic = keyPairFromSeed(secretKey.slice(HALF_KEY_BYTES)).publicKey;
  for (let tries = 0; tries < IDENTITY_GENERATION_TRIES_MAX; tries++) {
    secretKey.set(randomChecked(random, HALF_KEY_BYTES), 0);
    const publicKey = new Uint8Array(C25519_PUBLIC_KEY_BYTES);
    publicKey.set(x25519.getPublicKey(secretKey.subarray(0, HALF_KEY_BYTES)), 0);
    publicKey.set(edPublic, HALF_KEY_BYTES);
    const digest = identityHash(publicKey);
    const address = digest.slice(64 - ADDRESS_BYTES);
    if (hashAccepts(digest) && !isReservedAddress(address)) {
      return { address: toHex(address), publicKey, secretKey: secretKey.slice() };
    }
  }
  throw new Error(
    `no valid identity after ${IDENTITY_GENERATION_TRIES_MAX} tries: the random source is broken`,
  );
}

function randomChecked(random: RandomSource, n: number): Uint8Array {
  const bytes = random(n);
  if (!(bytes instanceof Uint8Array) || bytes.length !== n)
    throw new TypeError(`random source must return ${n} bytes`);
  return bytes;
}

function nodeRandom(n: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(n));
}
