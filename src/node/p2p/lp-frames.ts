// Length-prefixed frames (unsigned varint length, then the bytes) over a libp2p v3 stream, as
// the rendezvous spec and most libp2p request/response protocols use them. Reads are bounded:
// a frame announcing more than bytesMax fails the read before any of it is buffered.

import type { Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';

export type FrameReader = { next(): Promise<Uint8Array | null> };

/** One reader per stream: each next() resolves to the next whole frame, or null at the end. */
export function frameReader(stream: Stream, bytesMax: number): FrameReader {
  const it = lp.decode(stream, { maxDataLength: bytesMax })[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await it.next();
      return r.done === true ? null : r.value.subarray();
    },
  };
}

/** Sends one frame, waiting for the stream to drain when its buffer is full. */
export async function sendFrame(stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(lp.encode.single(bytes))) await stream.onDrain();
}
