// The rendezvous store is bounded in bytes, per peer and in all, since anyone may register:
// large records from one peer stop at its share, many peers stop at the total, a refresh counts
// only the difference, and expired or removed registrations give their bytes back. What a
// registration counts covers the memory it takes, so the bounds hold what they say.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  DEFAULT_RENDEZVOUS_BYTES_MAX,
  DEFAULT_RENDEZVOUS_REGISTRATIONS_MAX,
  RENDEZVOUS_SIGNED_RECORD_BYTES_MAX,
} from '../../src/node/p2p/constants.ts';
import { RendezvousStore, ResponseStatus, rendezvousLimits } from '../../src/node/p2p/index.ts';
import { registrationBytes } from '../../src/node/p2p/rendezvous-store.ts';

const EPOCH = new Uint8Array(8).fill(7);
const RECORD = new Uint8Array(1000);
const ONE = registrationBytes('ns', RECORD);

test('one peer stops at its byte share while another still registers', () => {
  const s = new RendezvousStore(rendezvousLimits({ bytesPerPeerMax: 3 * ONE, bytesMax: 100 * ONE }), EPOCH);
  for (const ns of ['n1', 'n2', 'n3']) assert.ok(s.register(ns, 'big', RECORD, 7200, 0).ok);
  const over = s.register('n4', 'big', RECORD, 7200, 0);
  assert.ok(!over.ok && over.status === ResponseStatus.E_NOT_AUTHORIZED, JSON.stringify(over));
  assert.match(over.ok ? '' : over.text, /bytes/);
  assert.ok(s.register('n4', 'other', RECORD, 7200, 0).ok);
  assert.equal(s.bytes, 4 * ONE);
});

test('the whole store stops at its byte bound; expired and removed registrations give bytes back', () => {
  const s = new RendezvousStore(rendezvousLimits({ bytesPerPeerMax: 10 * ONE, bytesMax: 3 * ONE }), EPOCH);
  assert.ok(s.register('ns', 'a', RECORD, 200, 0).ok);
  assert.ok(s.register('ns', 'b', RECORD, 7200, 0).ok);
  assert.ok(s.register('ns', 'c', RECORD, 7200, 0).ok);
  const full = s.register('ns', 'd', RECORD, 7200, 0);
  assert.ok(!full.ok && full.status === ResponseStatus.E_UNAVAILABLE);
  assert.equal(s.bytes, 3 * ONE, 'a refused registration holds nothing');
  // a's registration expires at 200 s: its bytes are free for d.
  assert.ok(s.register('ns', 'd', RECORD, 7200, 201_000).ok);
  assert.ok(s.unregister('ns', 'b').ok);
  assert.equal(s.bytes, 2 * ONE);
  assert.ok(s.register('ns', 'e', RECORD, 7200, 201_000).ok);
});

test('a refresh counts only what it adds: the same record refreshes at the bound, a larger one does not fit', () => {
  const s = new RendezvousStore(rendezvousLimits({ bytesPerPeerMax: 2 * ONE, bytesMax: 2 * ONE }), EPOCH);
  assert.ok(s.register('n1', 'p', RECORD, 7200, 0).ok);
  assert.ok(s.register('n2', 'p', RECORD, 7200, 0).ok);
  assert.ok(s.register('n2', 'p', RECORD, 7200, 1000).ok, 'a refresh of the same size');
  const larger = s.register('n2', 'p', new Uint8Array(RECORD.length + 1), 7200, 2000);
  assert.ok(!larger.ok);
  assert.equal(s.recordOf('n2', 'p')?.length, RECORD.length, 'the refused refresh left the registration');
  assert.equal(s.bytes, 2 * ONE);
});

test('by default the store holds at most 64 MiB, far below its count bound of the largest records', () => {
  const limits = rendezvousLimits();
  assert.equal(limits.bytesMax, DEFAULT_RENDEZVOUS_BYTES_MAX);
  const byCount =
    DEFAULT_RENDEZVOUS_REGISTRATIONS_MAX *
    registrationBytes('x', new Uint8Array(RENDEZVOUS_SIGNED_RECORD_BYTES_MAX));
  assert.ok(
    limits.bytesMax <= 64 * 1024 * 1024 && limits.bytesMax < byCount / 5,
    `${byCount} bytes by count`,
  );
  // Filled with the largest records from many peers, the store stops at its byte bound.
  const s = new RendezvousStore(limits, EPOCH);
  const big = new Uint8Array(RENDEZVOUS_SIGNED_RECORD_BYTES_MAX);
  let refused = 0;
  for (let i = 0; i < 20_000 && refused === 0; i++) {
    const r = s.register(`ns-${i % 100}`, `peer-${i}`, big, 7200, 0);
    if (!r.ok) refused = i;
  }
  assert.ok(refused > 0, 'the byte bound was reached');
  assert.ok(s.bytes <= limits.bytesMax && s.bytes + registrationBytes('ns-0', big) > limits.bytesMax);
});

/** Heap + external memory after full garbage collections (external includes array buffers). */
function memoryInUse(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

test('what each registration counts against the byte bounds covers the memory it takes', () => {
  // Fresh strings and records for each, as decoded from the wire: one registration per peer (each
  // peer's own entries are then all its), and many per peer in many namespaces.
  for (const [peers, namespaces, recordBytes] of [
    [10_000, 1, 200],
    [32, 313, 164],
  ] as const) {
    const s = new RendezvousStore(
      rendezvousLimits({
        registrationsPerPeerMax: namespaces,
        registrationsPerNamespaceMax: peers,
        registrationsMax: peers * namespaces,
        bytesPerPeerMax: 1 << 30,
        bytesMax: 1 << 30,
      }),
      EPOCH,
    );
    const before = memoryInUse();
    let counted = 0;
    for (let p = 0; p < peers; p++) {
      for (let k = 0; k < namespaces; k++) {
        const ns = ['witan', 'memory', String(k)].join('/');
        const record = new Uint8Array(recordBytes).fill(p & 0xff);
        counted += registrationBytes(ns, record);
        assert.ok(s.register(ns, `12D3KooW${String(p).padStart(44, 'A')}`, record, 7200, 0).ok);
      }
    }
    const taken = memoryInUse() - before;
    assert.equal(s.size, peers * namespaces);
    assert.ok(
      taken <= counted,
      `${peers} peers × ${namespaces} namespaces: ${taken} bytes taken, ${counted} counted`,
    );
  }
});
