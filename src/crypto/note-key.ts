// Key names, key IDs and the signer/verifier shapes shared by signed notes and cosignatures
// (c2sp.org/signed-note §Format, §Signatures). Kept apart from note.ts so that cosignature.ts
// and note.ts can both build on it without importing each other.

import { Lru } from '../base/index.ts';
import { toHex, utf8Bytes } from '../codec/index.ts';
import { sha256 } from './hash.ts';

/** One signature line of a note, decoded: base64(keyId as u32 big-endian || signature). */
export type NoteSignature = { name: string; keyId: number /* uint32 */; signature: Uint8Array };

/** A trusted key: verify() gets the note text and the bytes after the key ID. */
export type NoteVerifier = {
  name: string;
  keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
};

export type NoteSigner = { name: string; keyId: number; sign(message: Uint8Array): Uint8Array };

// Unicode White_Space (what Go's unicode.IsSpace tests), any ASCII control, or '+'.
const NAME_FORBIDDEN = /[\p{White_Space}\p{Cc}+]/u;

/** signed-note §Format: non-empty, no Unicode spaces, no '+'. We also refuse control characters. */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && name.isWellFormed() && !NAME_FORBIDDEN.test(name);
}

/**
 * Key IDs already computed, by type, name and key: a root computes the ID of every cosigner's
 * keys for every note it receives (the name check and the hash were a few per cent of a
 * federation's CPU per commit). Bounded; the least recently used entry goes first.
 */
const KEY_IDS_MAX = 1024;
const keyIds = new Lru<string, number>(KEY_IDS_MAX);

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], read as big-endian u32. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const memo = typeof name === 'string' ? `${type}\n${name}\n${toHex(publicKey)}` : undefined;
  const known = memo === undefined ? undefined : keyIds.get(memo);
  if (known !== undefined) return known;
  if (!isValidKeyName(name)) throw new TypeError(`invalid note key name ${JSON.stringify(name)}`);
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new RangeError('signature type is one byte');
  const hash = sha256(utf8Bytes(name), new Uint8Array([0x0a, type]), publicKey);
  const id = ((hash[0]! << 24) | (hash[1]! << 16) | (hash[2]! << 8) | hash[3]!) >>> 0;
  keyIds.set(memo!, id);
  return id;
}

export function isKeyId(keyId: number): boolean {
  return Number.isInteger(keyId) && keyId >= 0 && keyId <= 0xffffffff;
}

/** The key ID as 8 lowercase hex digits, as in vkeys and Go's error messages. */
export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}
