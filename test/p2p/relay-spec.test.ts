// The root's circuit relay v2 relay and rendezvous point, spoken to in the specs' raw formats
// (libp2p/specs relay/circuit-v2.md, rendezvous/README.md): every HOP, STOP and rendezvous
// message here is encoded and decoded by this file from the spec, not by js-libp2p's relay
// client nor by our codecs. The destination speaks first: its STOP OK and its first bytes
// leave in one write, as stacks outside JavaScript do, and every byte must come through.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p, Stream } from '@libp2p/interface';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { tcp } from '@libp2p/tcp';
import type { Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { RootHost } from '../../src/node/p2p/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { GENEROUS_RELAY, startRoot } from './helpers.ts';

const HOP = '/libp2p/circuit/relay/0.2.0/hop';
const STOP = '/libp2p/circuit/relay/0.2.0/stop';
const RENDEZVOUS = '/rendezvous/1.0.0';
const CIRCUITS = 100;
const CIRCUITS_AT_ONCE = 10;
const PAYLOAD_BYTES = 100 * 1024;
const CIRCUIT_DURATION_MS = 90_500;
const CIRCUIT_BYTES_MAX = 1024 * 1024;
const RESERVATION_TTL_MS = 600_000;

// ---- proto2 by hand, from the specs ----

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const vField = (field: number, value: number) => [...varint(field * 8), ...varint(value)];
const bField = (field: number, value: Uint8Array | number[]) => [
  ...varint(field * 8 + 2),
  ...varint(value.length),
  ...value,
];
const frame = (msg: number[]) => Uint8Array.from([...varint(msg.length), ...msg]);

/** field number → values (numbers for varints, bytes for length-delimited). */
function fields(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const out = new Map<number, (number | Uint8Array)[]>();
  let i = 0;
  const readVarint = () => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[i++] as number;
      v += (b & 0x7f) * scale;
      scale *= 0x80;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (i < bytes.length) {
    const tag = readVarint();
    const f = Math.floor(tag / 8);
    let value: number | Uint8Array;
    if (tag % 8 === 0) value = readVarint();
    else if (tag % 8 === 2) {
      const len = readVarint();
      value = bytes.slice(i, i + len);
      i += len;
    } else throw new Error(`unexpected wire type ${tag % 8}`);
    out.set(f, [...(out.get(f) ?? []), value]);
  }
  return out;
}
const num = (m: Map<number, (number | Uint8Array)[]>, f: number) => m.get(f)?.[0] as number | undefined;
const sub = (m: Map<number, (number | Uint8Array)[]>, f: number) => fields(m.get(f)?.[0] as Uint8Array);

// HopMessage.Type RESERVE=0 CONNECT=1 STATUS=2; StopMessage.Type CONNECT=0 STATUS=1; Status OK=100.
const HOP_RESERVE = frame(vField(1, 0));
const hopConnect = (peerId: Uint8Array) => frame([...vField(1, 1), ...bField(2, bField(1, peerId))]);
const stopOk = () => frame([...vField(1, 1), ...vField(4, 100)]);

/** Reads a stream as frames and raw bytes from one iterator (the test owns the whole stream). */
function reader(stream: Stream) {
  const it = stream[Symbol.asyncIterator]();
  let buf = new Uint8Array(0);
  const fill = async (n: number) => {
    while (buf.length < n) {
      const r = await it.next();
      if (r.done === true) throw new Error(`stream ended after ${buf.length} of ${n} bytes`);
      const chunk = r.value.subarray();
      const next = new Uint8Array(buf.length + chunk.length);
      next.set(buf, 0);
      next.set(chunk, buf.length);
      buf = next;
    }
  };
  const take = (n: number) => {
    const out = buf.slice(0, n);
    buf = buf.slice(n);
    return out;
  };
  return {
    async frame(): Promise<Uint8Array> {
      let len = 0;
      let scale = 1;
      let i = 0;
      for (;;) {
        await fill(i + 1);
        const b = buf[i++] as number;
        len += (b & 0x7f) * scale;
        scale *= 0x80;
        if ((b & 0x80) === 0) break;
      }
      await fill(i + len);
      take(i);
      return take(len);
    },
    async bytes(n: number): Promise<Uint8Array> {
      await fill(n);
      return take(n);
    },
    async end(): Promise<void> {
      const r = await it.next();
      assert.equal(r.done, true, 'nothing more than expected arrived');
    },
  };
}

async function send(stream: Stream, bytes: Uint8Array): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain();
}

function pattern(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

async function rawNode(): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
}

let root: RootHost;
let rootAddr: Multiaddr;
let destination: Libp2p;
let initiator: Libp2p;
let stopsSeen = 0;
const stopLimits: Map<number, (number | Uint8Array)[]>[] = [];
const destinationChecks: Promise<void>[] = [];
const GREETING_BYTES = 4;

/** Circuit n's first bytes from the destination: its number, then the payload. */
function destinationBytes(n: number): Uint8Array {
  const out = new Uint8Array(GREETING_BYTES + PAYLOAD_BYTES);
  new DataView(out.buffer).setUint32(0, n);
  out.set(pattern(n, PAYLOAD_BYTES), GREETING_BYTES);
  return out;
}

before(async () => {
  root = await startRoot({
    relay: {
      ...GENEROUS_RELAY,
      circuitDurationMs: CIRCUIT_DURATION_MS,
      circuitBytesMax: CIRCUIT_BYTES_MAX,
      reservationTtlMs: RESERVATION_TTL_MS,
    },
  });
  rootAddr = root.multiaddrs()[0] as Multiaddr;
  destination = await rawNode();
  initiator = await rawNode();
  // The destination answers STOP CONNECT with STATUS OK and all its bytes in ONE write, before
  // the initiator has said anything, then reads the initiator's payload and checks it.
  await destination.handle(
    STOP,
    (stream) => {
      const check = (async () => {
        const r = reader(stream);
        const connect = fields(await r.frame());
        assert.equal(num(connect, 1), 0, 'the relay sends StopMessage.type CONNECT');
        assert.deepEqual(sub(connect, 2).get(1)?.[0], initiator.peerId.toMultihash().bytes);
        stopLimits.push(sub(connect, 3));
        const n = stopsSeen++;
        const ok = stopOk();
        const mine = destinationBytes(n);
        const both = new Uint8Array(ok.length + mine.length);
        both.set(ok, 0);
        both.set(mine, ok.length);
        await send(stream, both);
        const theirs = await r.bytes(PAYLOAD_BYTES);
        assert.deepEqual(theirs, pattern(n + 7919, PAYLOAD_BYTES), `circuit ${n}: initiator bytes intact`);
        await r.end();
        await stream.close();
      })();
      destinationChecks.push(check);
      check.catch((err: Error) => stream.abort(err));
    },
    { runOnLimitedConnection: true, maxInboundStreams: CIRCUITS_AT_ONCE * 2 },
  );
});

after(async () => {
  await initiator?.stop();
  await destination?.stop();
  await root?.stop();
});

test('RESERVE is answered OK with Limit.duration in seconds, Limit.data per direction, expire in UNIX seconds and a voucher', async () => {
  const stream = await destination.dialProtocol(rootAddr, HOP);
  await send(stream, HOP_RESERVE);
  const answer = fields(await reader(stream).frame());
  await stream.close();
  assert.equal(num(answer, 1), 2, 'HopMessage.type STATUS');
  assert.equal(num(answer, 5), 100, 'Status OK');
  const limit = sub(answer, 4);
  assert.equal(num(limit, 1), Math.floor(CIRCUIT_DURATION_MS / 1000), 'Limit.duration is 90 s, not 90500');
  assert.equal(num(limit, 2), CIRCUIT_BYTES_MAX);
  const reservation = sub(answer, 3);
  const expire = num(reservation, 1) as number;
  const nowS = Date.now() / 1000;
  assert.ok(
    expire > nowS + RESERVATION_TTL_MS / 1000 - 30 && expire <= nowS + RESERVATION_TTL_MS / 1000,
    `expire ${expire} is a UNIX time about ${RESERVATION_TTL_MS / 1000} s ahead`,
  );
  assert.ok((reservation.get(2) ?? []).length > 0, 'the relay lists its addresses');
  // The voucher is a signed envelope (RFC 0002) over Voucher { relay, peer, expiration }.
  const envelope = await RecordEnvelope.openAndCertify(
    reservation.get(3)?.[0] as Uint8Array,
    'libp2p-relay-rsvp',
  );
  assert.deepEqual(envelope.payloadType, Uint8Array.of(0x03, 0x02));
  const voucher = fields(envelope.payload);
  assert.deepEqual(voucher.get(1)?.[0], root.peerId.toMultihash().bytes, 'Voucher.relay');
  assert.deepEqual(voucher.get(2)?.[0], destination.peerId.toMultihash().bytes, 'Voucher.peer');
  assert.equal(num(voucher, 3), expire, 'Voucher.expiration');
  assert.equal(root.stats().reservations, 1);
});

test(`${CIRCUITS} circuits of ${PAYLOAD_BYTES / 1024} KiB each way, the destination speaking first: every byte intact`, {
  timeout: 240_000,
}, async () => {
  const bytesBefore = root.stats().relayedBytes;
  const one = async () => {
    const stream = await initiator.dialProtocol(rootAddr, HOP);
    // The initiator's payload leaves right behind its CONNECT, before any answer: the relay must
    // not lose it either.
    await send(stream, hopConnect(destination.peerId.toMultihash().bytes));
    const r = reader(stream);
    const answer = fields(await r.frame());
    assert.equal(num(answer, 1), 2, 'HopMessage.type STATUS');
    assert.equal(num(answer, 5), 100, 'CONNECT answered OK');
    assert.equal(num(sub(answer, 4), 1), Math.floor(CIRCUIT_DURATION_MS / 1000), 'Limit.duration in seconds');
    const first = await r.bytes(GREETING_BYTES + PAYLOAD_BYTES);
    const n = new DataView(first.buffer, first.byteOffset).getUint32(0);
    assert.deepEqual(first, destinationBytes(n), `circuit ${n}: the destination's first bytes intact`);
    await send(stream, pattern(n + 7919, PAYLOAD_BYTES));
    await stream.close();
    await r.end();
  };
  for (let done = 0; done < CIRCUITS; done += CIRCUITS_AT_ONCE) {
    await Promise.all(Array.from({ length: CIRCUITS_AT_ONCE }, one));
  }
  await Promise.all(destinationChecks);
  assert.equal(stopsSeen, CIRCUITS);
  for (const limit of stopLimits) assert.equal(num(limit, 1), Math.floor(CIRCUIT_DURATION_MS / 1000));
  const relayed = root.stats().relayedBytes - bytesBefore;
  assert.ok(relayed >= CIRCUITS * (2 * PAYLOAD_BYTES + GREETING_BYTES), `the relay counted ${relayed} bytes`);
  await waitUntil('every circuit to close', () => root.stats().circuits === 0, { timeoutMs: 10_000 });
});

test('CONNECT to a peer without a reservation is NO_RESERVATION; a malformed HOP message is MALFORMED_MESSAGE', async () => {
  const stranger = await generateKeyPair('Ed25519');
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id');
  const nobody = peerIdFromPrivateKey(stranger).toMultihash().bytes;
  const s1 = await initiator.dialProtocol(rootAddr, HOP);
  await send(s1, hopConnect(nobody));
  const a1 = fields(await reader(s1).frame());
  assert.equal(num(a1, 5), 204, 'NO_RESERVATION');
  const s2 = await initiator.dialProtocol(rootAddr, HOP);
  await send(s2, frame([...bField(2, [1, 2, 3])])); // no type: required field missing
  const a2 = fields(await reader(s2).frame());
  assert.equal(num(a2, 5), 400, 'MALFORMED_MESSAGE');
});

test('a circuit is reset once one direction exceeds Limit.data; the other direction is counted apart', {
  timeout: 30_000,
}, async () => {
  const small = await startRoot({ relay: { ...GENEROUS_RELAY, circuitBytesMax: 64 * 1024 } });
  const dst = await rawNode();
  const src = await rawNode();
  try {
    const addr = small.multiaddrs()[0] as Multiaddr;
    const received: number[] = [];
    await dst.handle(
      STOP,
      async (stream) => {
        const r = reader(stream);
        await r.frame();
        await send(stream, stopOk());
        let got = 0;
        try {
          for (;;) got += (await r.bytes(1024)).length;
        } catch {
          received.push(got);
        }
      },
      { runOnLimitedConnection: true },
    );
    const rs = await dst.dialProtocol(addr, HOP);
    await send(rs, HOP_RESERVE);
    await reader(rs).frame();
    const stream = await src.dialProtocol(addr, HOP);
    await send(stream, hopConnect(dst.peerId.toMultihash().bytes));
    await reader(stream).frame();
    // 48 KiB one way and 48 KiB back would be 96 KiB together: still within 64 KiB per direction.
    const chunk = randomBytes(48 * 1024);
    await send(stream, chunk);
    await waitUntil('48 KiB relayed', () => small.stats().relayedBytes >= chunk.length, { timeoutMs: 5000 });
    assert.equal(small.stats().circuits, 1, 'within the limit the circuit stays up');
    await send(stream, chunk).catch(() => undefined);
    await waitUntil('the circuit to be reset', () => small.stats().circuits === 0, { timeoutMs: 5000 });
    await waitUntil('the destination to see the reset', () => received.length === 1, { timeoutMs: 5000 });
    assert.ok((received[0] as number) <= 64 * 1024, `the destination got at most 64 KiB (${received[0]})`);
  } finally {
    await src.stop();
    await dst.stop();
    await small.stop();
  }
});

test('rendezvous: a REGISTER without a type field (proto2 default 0) is registered; DISCOVER finds it', async () => {
  const key = await generateKeyPair('Ed25519');
  const node = await createLibp2p({
    privateKey: key,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
  try {
    const record = await RecordEnvelope.seal(new PeerRecord({ peerId: node.peerId, multiaddrs: [] }), key);
    const stream = await node.dialProtocol(rootAddr, RENDEZVOUS);
    const r = reader(stream);
    // Message { register = 2: Register { ns = 1, signedPeerRecord = 2, ttl = 3 } } and no type = 1.
    const ns = [...new TextEncoder().encode('witan/spec')];
    await send(
      stream,
      frame(bField(2, [...bField(1, ns), ...bField(2, record.marshal()), ...vField(3, 600)])),
    );
    const answer = fields(await r.frame());
    assert.equal(num(answer, 1), 1, 'REGISTER_RESPONSE');
    const rr = sub(answer, 3);
    assert.equal(num(rr, 1) ?? 0, 0, 'status OK');
    assert.equal(num(rr, 3), 600, 'the TTL granted');
    // DISCOVER (type 3) without a namespace: every registration at this point.
    await send(stream, frame([...vField(1, 3), ...bField(5, [])]));
    const found = fields(await r.frame());
    assert.equal(num(found, 1), 4, 'DISCOVER_RESPONSE');
    const regs = sub(found, 6).get(1) ?? [];
    assert.ok(
      regs.some(
        (reg) =>
          new TextDecoder().decode(fields(reg as Uint8Array).get(1)?.[0] as Uint8Array) === 'witan/spec',
      ),
      'the type-less registration is listed',
    );
    await stream.close();
  } finally {
    await node.stop();
  }
});
