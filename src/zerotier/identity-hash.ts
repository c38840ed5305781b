// ZeroTier's memory-hard identity hash for type 0 identities (ZeroTierOne node/Identity.cpp,
// _computeMemoryHardHash), which ties an address to a public key:
//   1. digest = SHA-512(public key)  (64 bytes)
//   2. one Salsa20/20 stream, key = digest[0..32], nonce = digest[32..40], counter from 0;
//      a 2 MiB table is filled block by block, each 64-byte block = previous block XOR the
//      next keystream block (the first = the first keystream block);
//   3. for each pair (a, b) of 64-bit big-endian words of the table, in order: swap word
//      (b mod 2^18) of the table with word (a mod 8) of the digest, then XOR the digest with
//      the next keystream block.
// The identity is valid when digest[0] < 17 and the address is digest[59..64].
//
// The Salsa20 is @noble/ciphers' standard salsa20 (20 rounds, 64-bit nonce). ZeroTier calls
// crypt20 here, not crypt12 (Salsa20/12 is its packet cipher). Because a stream cipher's
// keystream does not depend on the data it encrypts, the blocks are generated in bulk with
// an explicit block counter instead of one 64-byte call at a time: same bytes, ~50× faster.

import { hash } from 'node:crypto';
import { salsa20 } from '@noble/ciphers/salsa.js';
import { IDENTITY_HASH_MEMORY_BYTES } from './constants.ts';

const BLOCK_BYTES = 64;
const TABLE_BLOCKS = IDENTITY_HASH_MEMORY_BYTES / BLOCK_BYTES; // 32,768
const TABLE_WORDS64 = IDENTITY_HASH_MEMORY_BYTES / 8; // 262,144 = 2^18
const LOOKUPS = TABLE_WORDS64 / 2; // each lookup reads two words and consumes one keystream block
/** Keystream blocks generated per salsa20 call in step 3 (256 KiB of memory at a time). */
const KEYSTREAM_CHUNK_BLOCKS = 4096;

/** SHA-512 of the input, as a fresh Uint8Array. */
export function sha512(...parts: Uint8Array[]): Uint8Array {
  const input = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const digest = hash('sha512', input, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
}

/** The 64-byte memory-hard digest of a 64-byte C25519 public key. */
export function identityHash(publicKey: Uint8Array): Uint8Array {
  const digest = sha512(publicKey);
  const key = digest.slice(0, 32);
  const nonce = digest.slice(32, 40);

  // Step 2: keystream blocks 0 … TABLE_BLOCKS − 1, then the running XOR over blocks.
  const table = salsa20(key, nonce, new Uint8Array(IDENTITY_HASH_MEMORY_BYTES));
  const words = new Uint32Array(table.buffer, table.byteOffset, table.byteLength / 4);
  for (let w = BLOCK_BYTES / 4; w < words.length; w++) words[w]! ^= words[w - BLOCK_BYTES / 4]!;

  // Step 3: the lookups, with keystream blocks TABLE_BLOCKS onwards.
  const digestWords = new Uint32Array(digest.buffer, digest.byteOffset, BLOCK_BYTES / 4);
  const zeros = new Uint8Array(KEYSTREAM_CHUNK_BLOCKS * BLOCK_BYTES);
  const chunk = new Uint8Array(zeros.length);
  const chunkWords = new Uint32Array(chunk.buffer);
  let counter = TABLE_BLOCKS;
  for (let lookup = 0; lookup < LOOKUPS; lookup += KEYSTREAM_CHUNK_BLOCKS) {
    salsa20(key, nonce, zeros, chunk, counter);
    counter += KEYSTREAM_CHUNK_BLOCKS;
    for (let k = 0; k < KEYSTREAM_CHUNK_BLOCKS; k++) {
      const p = (lookup + k) * 16; // byte offset of the word pair (a, b)
      // Only the low bits of the big-endian words matter: a mod 8 and b mod 2^18.
      const i1 = table[p + 7]! & 7;
      const i2 = ((table[p + 13]! & 3) << 16) | (table[p + 14]! << 8) | table[p + 15]!;
      swapWord64(words, i2, digestWords, i1);
      const ks = k * 16;
      for (let w = 0; w < 16; w++) digestWords[w]! ^= chunkWords[ks + w]!;
    }
  }
  return digest;
}

function swapWord64(a: Uint32Array, ia: number, b: Uint32Array, ib: number): void {
  const a0 = a[2 * ia]!;
  const a1 = a[2 * ia + 1]!;
  a[2 * ia] = b[2 * ib]!;
  a[2 * ia + 1] = b[2 * ib + 1]!;
  b[2 * ib] = a0;
  b[2 * ib + 1] = a1;
}
