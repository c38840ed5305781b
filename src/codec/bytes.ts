// Strict text encodings of bytes. Each accepts exactly one spelling per byte string, so
// two parties that re-encode what they decoded always get the same text.

import { CodecError } from './errors.ts';

// With a length that is a multiple of 4, this is the language of groups of four with a padded
// last group (k letters then p ≤ 2 '=': k + p ≡ 0 mod 4 forces p = 1 ⇒ k ≡ 3, p = 2 ⇒ k ≡ 2),
// matched without the backtracking of the grouped form.
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;

/** RFC 4648 §4 base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decode RFC 4648 §4 base64, refusing any non-canonical spelling (stray bits, no padding, whitespace). */
export function fromBase64(text: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) {
    throw new CodecError('BAD_ENCODING', 'expected standard base64 with padding');
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (toBase64(bytes) !== text) throw new CodecError('BAD_ENCODING', 'base64 is not canonical (stray bits)');
  checkLength(bytes, expectedLength);
  return bytes;
}

/** Lowercase hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decode lowercase hexadecimal; uppercase is refused so that each value has one spelling. */
export function fromHex(text: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || !HEX_PATTERN.test(text)) {
    throw new CodecError('BAD_ENCODING', 'expected lowercase hexadecimal with an even number of digits');
  }
  const bytes = new Uint8Array(Buffer.from(text, 'hex'));
  checkLength(bytes, expectedLength);
  return bytes;
}

function checkLength(bytes: Uint8Array, expectedLength: number | undefined): void {
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new CodecError('BAD_ENCODING', `expected ${expectedLength} bytes, got ${bytes.length}`);
  }
}

/** Byte-wise equality without copying. Not constant-time: never use on secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
