// Wire formats between the verification pool and its workers: one transferable buffer per job,
// so that a job crosses threads without a structured clone of many small arrays.
//   signatures: repeat { public key (32) || signature (64) || u32 big-endian message length || message }
//   entries:    repeat { u32 big-endian entry length || entry }

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

/** Ledger entries in one buffer (the entries job). */
export function packEntries(entries: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const e of entries) length += 4 + e.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const e of entries) {
    view.setUint32(o, e.length, false);
    out.set(e, o + 4);
    o += 4 + e.length;
  }
  return out;
}

export function unpackEntries(packed: Uint8Array): Uint8Array[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < packed.length) {
    if (o + 4 > packed.length) throw new AuditError('BAD_ARGUMENT', 'truncated entries job');
    const end = o + 4 + view.getUint32(o, false);
    if (end > packed.length) throw new AuditError('BAD_ARGUMENT', 'truncated entries job');
    out.push(packed.subarray(o + 4, end));
    o = end;
  }
  return out;
}
