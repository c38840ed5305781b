// The rendezvous protobuf codec and the in-memory store: round trips, bounds, fuzzing, paging
// and limits, without a network.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeMessage,
  encodeMessage,
  MessageType,
  type RendezvousMessage,
  RendezvousStore,
  ResponseStatus,
  rendezvousLimits,
} from '../../src/node/p2p/index.ts';
import { WireError } from '../../src/wire/index.ts';

const LIMITS = { bytesMax: 1 << 20, registrationsMax: 1000 };

test('encode/decode round-trips every message kind', () => {
  const messages: RendezvousMessage[] = [
    {
      type: MessageType.REGISTER,
      register: { ns: 'a/b', signedPeerRecord: new Uint8Array([1, 2, 3]), ttl: 7200 },
    },
    { type: MessageType.REGISTER_RESPONSE, registerResponse: { status: 102, statusText: 'bad ttl', ttl: 0 } },
    { type: MessageType.UNREGISTER, unregister: { ns: 'ünï' } },
    { type: MessageType.DISCOVER, discover: { ns: 'x', limit: 100, cookie: new Uint8Array([9]) } },
    {
      type: MessageType.DISCOVER_RESPONSE,
      discoverResponse: {
        registrations: [{ ns: 'x', signedPeerRecord: new Uint8Array([4]), ttl: 5 }, { ns: 'y' }],
        cookie: new Uint8Array([7, 7]),
        status: 0,
        statusText: '',
      },
    },
  ];
  for (const m of messages) assert.deepEqual(decodeMessage(encodeMessage(m), LIMITS), m);
});

test('property: random messages round-trip', () => {
  const reg = fc.record(
    {
      ns: fc.string({ maxLength: 40 }),
      signedPeerRecord: fc.uint8Array({ maxLength: 64 }),
      ttl: fc.nat(),
    },
    { requiredKeys: [], noNullPrototype: true },
  );
  const msg = fc.record(
    {
      type: fc.integer({ min: 0, max: 4 }),
      register: reg,
      discover: fc.record(
        { ns: fc.string({ maxLength: 40 }), limit: fc.nat(), cookie: fc.uint8Array({ maxLength: 40 }) },
        { requiredKeys: [], noNullPrototype: true },
      ),
      discoverResponse: fc.record(
        {
          registrations: fc.array(reg, { maxLength: 5 }),
          status: fc.constantFrom(0, 100, 101, 102, 103, 200, 300, 400),
        },
        { noNullPrototype: true },
      ),
    },
    { requiredKeys: [], noNullPrototype: true },
  );
  fc.assert(
    fc.property(msg, (m) => assert.deepEqual(decodeMessage(encodeMessage(m), LIMITS), m)),
    { numRuns: 300 },
  );
});

test('property: arbitrary bytes decode or throw WireError RENDEZVOUS_MALFORMED, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeMessage(bytes, LIMITS);
      } catch (err) {
        assert.ok(err instanceof WireError, String(err));
        assert.equal(err.code, 'RENDEZVOUS_MALFORMED');
      }
    }),
    { numRuns: 2000 },
  );
});

test('bounds: oversized input, truncated lengths, bad UTF-8, wrong wire types, too many registrations', () => {
  const bad = (bytes: number[] | Uint8Array, limits = LIMITS) =>
    assert.throws(() => decodeMessage(Uint8Array.from(bytes), limits), { code: 'RENDEZVOUS_MALFORMED' });
  bad(new Uint8Array(11), { bytesMax: 10, registrationsMax: 1 });
  bad([0x12, 0x05, 0x0a]); // register: length 5 with 1 byte left
  bad([0x12, 0x03, 0x0a, 0x01, 0xff]); // ns is not UTF-8
  bad([0x0a, 0x00]); // type with wire type 2
  bad([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]); // 11-byte varint
  bad([0x00, 0x00]); // field number 0
  const two = encodeMessage({
    type: MessageType.DISCOVER_RESPONSE,
    discoverResponse: { registrations: [{ ns: 'a' }, { ns: 'b' }] },
  });
  bad(two, { bytesMax: 100, registrationsMax: 1 });
  // A uint64 beyond 2^53 - 1 saturates, so it is refused by range (E_INVALID_TTL), not misread.
  const huge = [0x12, 0x0b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(decodeMessage(Uint8Array.from(huge), LIMITS).register?.ttl, Number.MAX_SAFE_INTEGER);
  // Unknown fields are skipped (proto2 forward compatibility).
  assert.deepEqual(decodeMessage(Uint8Array.from([0x08, 0x03, 0x78, 0x05]), LIMITS), { type: 3 });
});

const EPOCH = new Uint8Array(8).fill(1);
const REC = new Uint8Array([1]);

test('store: cookies page through everything once, later registrations come next, refreshes move to the end', () => {
  const s = new RendezvousStore(rendezvousLimits(), EPOCH);
  for (let i = 0; i < 250; i++) assert.ok(s.register('ns', `p${i}`, REC, 3600, 0).ok);
  const seen: string[] = [];
  let cookie: Uint8Array | undefined;
  for (let page = 0; page < 10; page++) {
    const r = s.discover('ns', 100, cookie, 1);
    assert.ok(r.ok);
    cookie = r.value.cookie;
    seen.push(...r.value.registrations.map((x) => x.peer));
    if (r.value.registrations.length === 0) break;
  }
  assert.equal(seen.length, 250);
  assert.equal(new Set(seen).size, 250);
  s.register('ns', 'p3', REC, 3600, 2); // refresh
  s.register('ns', 'new', REC, 3600, 2);
  s.unregister('ns', 'p4');
  const next = s.discover('ns', 100, cookie, 3);
  assert.ok(next.ok);
  assert.deepEqual(
    next.value.registrations.map((x) => x.peer),
    ['p3', 'new'],
  );
  const all = s.discover(undefined, 1000, undefined, 3);
  assert.ok(all.ok);
  assert.equal(all.value.registrations.length, 250);
});

test('store: per-peer, per-namespace and total limits; expired registrations free their slots', () => {
  const s = new RendezvousStore(
    rendezvousLimits({ registrationsPerPeerMax: 2, registrationsPerNamespaceMax: 3, registrationsMax: 5 }),
    EPOCH,
  );
  assert.ok(s.register('a', 'p', REC, 200, 0).ok);
  assert.ok(s.register('b', 'p', REC, 200, 0).ok);
  const perPeer = s.register('c', 'p', REC, 200, 0);
  assert.ok(!perPeer.ok && perPeer.status === ResponseStatus.E_NOT_AUTHORIZED);
  assert.ok(s.register('a', 'q', REC, 7200, 0).ok);
  assert.ok(s.register('a', 'r', REC, 7200, 0).ok);
  const perNs = s.register('a', 's', REC, 7200, 0);
  assert.ok(!perNs.ok && perNs.status === ResponseStatus.E_UNAVAILABLE);
  assert.ok(s.register('c', 's', REC, 7200, 0).ok);
  const total = s.register('d', 't', REC, 7200, 0);
  assert.ok(!total.ok && total.status === ResponseStatus.E_UNAVAILABLE);
  // After p's 200 s registrations expire, their slots are free again.
  assert.ok(s.register('a', 's', REC, 7200, 201_000).ok);
  assert.ok(s.register('c', 'p', REC, 7200, 201_000).ok);
  assert.equal(s.size, 5);
});
