// Wire format between the verification pool and its workers: one transferable buffer per chunk,
//   repeat { public key (32) || signature (64) || u32 big-endian message length || message }
// so that a chunk crosses threads without a structured clone of many small arrays.

import { AuditError } from './errors.ts';

export type SignatureCheck = { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array };

const HEAD_BYTES = 32 + 64 + 4;

export function packChunk(items: readonly SignatureCheck[]): Uint8Array {
  let length = 0;
  for (const it of items) length += HEAD_BYTES + it.message.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const it of items) {
    // Wrong-length keys or signatures cannot verify; zero-filled slots keep them failing.
    if (it.publicKey.length === 32) out.set(it.publicKey, o);
    if (it.signature.length === 64) out.set(it.signature, o + 32);
    else out[o + 32] = 0xff; // an invalid S marks a malformed signature
    view.setUint32(o + 96, it.message.length, false);
    out.set(it.message, o + HEAD_BYTES);
    o += HEAD_BYTES + it.message.length;
  }
  return out;
}

export function unpackChunk(chunk: Uint8Array): SignatureCheck[] {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const out: SignatureCheck[] = [];
  let o = 0;
  while (o < chunk.length) {
    if (o + HEAD_BYTES > chunk.length) throw new AuditError('BAD_ARGUMENT', 'truncated signature chunk');
    const length = view.getUint32(o + 96, false);
    const end = o + HEAD_BYTES + length;
    if (end > chunk.length) throw new AuditError('BAD_ARGUMENT', 'truncated signature chunk');
    out.push({
      publicKey: chunk.subarray(o, o + 32),
      signature: chunk.subarray(o + 32, o + 96),
      message: chunk.subarray(o + HEAD_BYTES, end),
    });
    o = end;
  }
  return out;
}
