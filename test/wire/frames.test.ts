// Length-prefixed frames and the circuit relay v2 codec, without a network: frames cut from
// chunks split anywhere, the bytes after a frame handed back intact, bounds, and HOP/STOP
// messages that round-trip and match the spec's bytes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CircuitStatus,
  decodeHopMessage,
  decodeStopMessage,
  encodeFrame,
  encodeHopMessage,
  encodeStopMessage,
  FrameDecoder,
  frameReader,
  HopType,
  StopType,
  WireError,
} from '../../src/wire/index.ts';

const LIMITS = { bytesMax: 4096, addrsMax: 8 };

test('property: frames split at any byte boundary come out whole, and the rest is handed back', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }),
      fc.uint8Array({ maxLength: 50 }),
      fc.array(fc.nat(400), { maxLength: 6 }),
      (payloads, tail, cuts) => {
        const all = Uint8Array.from([...payloads.flatMap((p) => [...encodeFrame(p)]), ...tail]);
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const decoder = new FrameDecoder(1024);
        const out: Uint8Array[] = [];
        let from = 0;
        for (const at of [...points, all.length]) {
          decoder.push(all.subarray(from, at));
          from = at;
          while (out.length < payloads.length) {
            const f = decoder.next();
            if (f === null) break;
            out.push(f);
          }
        }
        assert.deepEqual(out, payloads);
        assert.deepEqual(decoder.takeRest(), tail);
      },
    ),
    { numRuns: 300 },
  );
});

test('a frame announcing more than the bound fails before its payload arrives; a bad varint too', () => {
  const decoder = new FrameDecoder(10);
  decoder.push(Uint8Array.of(11));
  assert.throws(() => decoder.next(), { code: 'FRAME_TOO_LARGE' });
  const endless = new FrameDecoder(1 << 30);
  endless.push(new Uint8Array(11).fill(0x80));
  assert.throws(
    () => endless.next(),
    (err: unknown) => err instanceof WireError,
  );
});

test('frameReader reads frames from an async iterable and refuses a stream that ends inside one', async () => {
  async function* chunks(parts: Uint8Array[]) {
    yield* parts;
  }
  const a = encodeFrame(Uint8Array.of(1, 2, 3));
  const reader = frameReader(chunks([a.subarray(0, 2), a.subarray(2)]), 16);
  assert.deepEqual(await reader.next(), Uint8Array.of(1, 2, 3));
  assert.equal(await reader.next(), null);
  const cut = frameReader(chunks([a.subarray(0, 2)]), 16);
  await assert.rejects(cut.next(), { code: 'FRAME_MALFORMED' });
});

test('HOP and STOP messages round-trip; bytes match the spec field numbers', () => {
  const hop = {
    type: HopType.STATUS,
    status: CircuitStatus.OK,
    reservation: {
      expire: 1_700_000_000,
      addrs: [Uint8Array.of(4, 127, 0, 0, 1)],
      voucher: Uint8Array.of(9),
    },
    limit: { durationS: 120, dataBytes: 1 << 20 },
  };
  assert.deepEqual(decodeHopMessage(encodeHopMessage(hop), LIMITS), hop);
  const stop = {
    type: StopType.CONNECT,
    peer: { id: Uint8Array.of(1, 2), addrs: [] },
    limit: { durationS: 5 },
  };
  assert.deepEqual(decodeStopMessage(encodeStopMessage(stop), LIMITS), stop);
  // HopMessage { type(1) = CONNECT, peer(2) = Peer { id(1) = 0x0102 } }
  assert.deepEqual(
    encodeHopMessage({ type: HopType.CONNECT, peer: { id: Uint8Array.of(1, 2), addrs: [] } }),
    Uint8Array.of(0x08, 0x01, 0x12, 0x04, 0x0a, 0x02, 0x01, 0x02),
  );
  // A message without the required type is malformed.
  assert.throws(() => decodeHopMessage(Uint8Array.of(0x28, 0x64), LIMITS), { code: 'CIRCUIT_MALFORMED' });
});

test('property: arbitrary bytes decode as HOP/STOP or throw CIRCUIT_MALFORMED, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      for (const decode of [decodeHopMessage, decodeStopMessage]) {
        try {
          decode(bytes, LIMITS);
        } catch (err) {
          assert.ok(err instanceof WireError, String(err));
          assert.equal(err.code, 'CIRCUIT_MALFORMED');
        }
      }
    }),
    { numRuns: 2000 },
  );
});
