// SHA-256 (FIPS 180-4) through node:crypto, which is several times faster than pure JS here.
// One part (leaf hashes, statement ids) takes the one-shot crypto.hash, which skips creating a
// Hash object; several parts are streamed through createHash.
import { createHash, hash } from 'node:crypto';

export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) {
    const digest = hash('sha256', parts[0]!, 'buffer');
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength).slice();
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest().buffer.slice(0) as ArrayBuffer);
}
