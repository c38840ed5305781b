// Checks for tests that must not lean on our own verifier: plain node:crypto Ed25519 over a
// raw 32-byte key, and a vkey taken apart by hand (C2SP signed-note: name+keyid+base64).

import { createPublicKey, verify } from 'node:crypto';
import { concatBytes, fromBase64 } from '../../src/codec/index.ts';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 key bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Plain node:crypto Ed25519, with nothing of ours in the way. */
export function nodeVerifies(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const spki = concatBytes(ED25519_SPKI_PREFIX, key);
  return verify(
    null,
    message,
    createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
    signature,
  );
}

/** A vkey's parts: its name, key ID and public key (the base64 may itself hold '+'). */
export function vkeyParts(vkey: string): { name: string; keyId: number; key: Uint8Array } {
  const [name, idHex] = vkey.split('+') as [string, string];
  return {
    name,
    keyId: Number.parseInt(idHex, 16),
    key: fromBase64(vkey.slice(name.length + idHex.length + 2)).subarray(1),
  };
}
