// Length-prefixed frames: an unsigned varint length, then that many bytes. The rendezvous
// protocol, the circuit relay v2 HOP and STOP protocols and most libp2p request/response
// protocols frame their protobuf messages this way.
//
// Pure: a frame reader reads any async iterable of byte chunks (a libp2p v3 stream is one) and
// a frame is sent to anything with send() and onDrain() (a libp2p stream again), so nothing
// here depends on a network library. Reads are bounded: a frame announcing more than bytesMax
// fails before any of its payload is kept.

import { WireError } from './errors.ts';
import { encodeVarint } from './protobuf.ts';

/** A frame length is a varint of at most 10 bytes (uint64). */
const LENGTH_BYTES_MAX = 10;

/** A chunk as streams yield it: a Uint8Array, or a list of them that can be flattened. */
export type FrameChunk = { subarray(): Uint8Array };
export type FrameSink = { send(data: Uint8Array): boolean; onDrain(): Promise<void> };
export type FrameReader = { next(): Promise<Uint8Array | null> };

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const header = encodeVarint(payload.length);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/**
 * Cuts frames out of chunks as they arrive. Holds at most one frame (≤ bytesMax) plus the chunk
 * that completed it; whatever follows the last frame taken can be had back with takeRest().
 */
export class FrameDecoder {
  private readonly bytesMax: number;
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(bytesMax: number) {
    this.bytesMax = bytesMax;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next whole frame's payload, or null until more bytes arrive. */
  next(): Uint8Array | null {
    let length = 0;
    let scale = 1;
    let header = 0;
    for (;;) {
      if (header >= this.buffered) return null;
      if (header >= LENGTH_BYTES_MAX) {
        throw new WireError('FRAME_MALFORMED', 'frame length is not a varint of at most 10 bytes');
      }
      const b = this.byteAt(header);
      header++;
      length += (b & 0x7f) * scale;
      scale *= 0x80;
      if (length > this.bytesMax) {
        throw new WireError(
          'FRAME_TOO_LARGE',
          `frame announces more than ${this.bytesMax} bytes; the peer must send smaller messages`,
        );
      }
      if ((b & 0x80) === 0) break;
    }
    if (this.buffered < header + length) return null;
    this.take(header);
    return this.take(length);
  }

  /** Everything buffered after the frames taken so far; the decoder is empty afterwards. */
  takeRest(): Uint8Array {
    return this.take(this.buffered);
  }

  private byteAt(index: number): number {
    let i = index;
    for (const c of this.chunks) {
      if (i < c.length) return c[i] as number;
      i -= c.length;
    }
    throw new RangeError('byteAt past the buffered bytes');
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (n === 0 || first === undefined) return new Uint8Array(0);
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0] as Uint8Array;
        const use = Math.min(c.length, n - at);
        out.set(c.subarray(0, use), at);
        at += use;
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** One reader per stream: each next() resolves to the next whole frame, or null at the end. */
export function frameReader(source: AsyncIterable<FrameChunk>, bytesMax: number): FrameReader {
  const decoder = new FrameDecoder(bytesMax);
  let chunks: AsyncIterator<FrameChunk> | undefined;
  return {
    async next() {
      for (;;) {
        const frame = decoder.next();
        if (frame !== null) return frame;
        chunks ??= source[Symbol.asyncIterator]();
        const r = await chunks.next();
        if (r.done === true) {
          if (decoder.bufferedBytes > 0) {
            throw new WireError('FRAME_MALFORMED', 'the stream ended inside a frame');
          }
          return null;
        }
        decoder.push(r.value.subarray());
      }
    },
  };
}

/** Sends one frame, waiting for the sink to drain when its buffer is full. */
export async function sendFrame(sink: FrameSink, payload: Uint8Array): Promise<void> {
  if (!sink.send(encodeFrame(payload))) await sink.onDrain();
}
