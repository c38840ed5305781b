// The stream muxer of every libp2p host Witan runs (the root's and the overlay peer's): yamux
// (@chainsafe/libp2p-yamux), with one change in when a receiver hands credit back.
//
// Yamux flow control (hashicorp/yamux spec.md, "Flow Control") is credit-based and leaves to
// the receiver when to send a WINDOW_UPDATE. The js implementation sends one after every data
// frame it receives, so each small message between roots — a vote, a cosignature — costs a
// second frame back: its own Noise encryption, write syscall and decryption at the sender.
// In a seven-root federation those updates were ≈ 5 % of the roots' CPU per commit. Here a
// stream returns credit as the Go and Rust implementations do: once at least half of its
// receive window is used up (or when the update carries a flag, such as the ACK that opens a
// stream). A sender never runs short: it holds at least half a window (128 KiB at first) when
// the update goes out, and the update's size is everything consumed so far.
//
// The change is applied per stream of the muxers made here, never to the library's classes, so
// other yamux users in the same process (a stock js-libp2p node in a test) keep the stock
// behaviour. It needs the stream's window fields; if a library version no longer has them, the
// stream keeps the stock behaviour (test/net/stream-muxer.test.ts shows the change at work).

import { yamux } from '@chainsafe/libp2p-yamux';
import { StreamState } from '@chainsafe/libp2p-yamux/stream';

type MakeMuxerFactory = ReturnType<typeof yamux>;

/** What a yamux stream keeps of its receive window (fields of the library's YamuxStream). */
type ReceiveWindow = {
  state: number;
  recvWindow: number;
  recvWindowCapacity: number;
  sendWindowUpdate(): void;
};

function isReceiveWindow(stream: unknown): stream is ReceiveWindow {
  const s = stream as Partial<ReceiveWindow> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.state === 'number' &&
    typeof s.recvWindow === 'number' &&
    typeof s.recvWindowCapacity === 'number' &&
    typeof s.sendWindowUpdate === 'function'
  );
}

/** A stream's WINDOW_UPDATE goes out once half its receive window is used, or with a flag. */
function returnCreditByHalves(stream: unknown): void {
  if (!isReceiveWindow(stream)) return;
  const stock = stream.sendWindowUpdate;
  stream.sendWindowUpdate = function (this: ReceiveWindow): void {
    // An established stream sends no flag; any other state may owe its peer an ACK or a pause.
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 > this.recvWindow) return;
    stock.call(this);
  };
}

type StreamMaker = { _newStream?: (...args: unknown[]) => unknown };

/** yamux() whose muxers hand credit back by halves (see the top of this file). */
export function streamMuxer(): MakeMuxerFactory {
  const make = yamux();
  return () => {
    const factory = make();
    const create = factory.createStreamMuxer.bind(factory);
    factory.createStreamMuxer = (connection) => {
      const muxer = create(connection);
      const maker = muxer as unknown as StreamMaker;
      const newStream = maker._newStream;
      if (typeof newStream === 'function') {
        maker._newStream = (...args: unknown[]) => {
          const stream = newStream.apply(muxer, args);
          returnCreditByHalves(stream);
          return stream;
        };
      }
      return muxer;
    };
    return factory;
  };
}
