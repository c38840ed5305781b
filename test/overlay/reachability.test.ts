// How a peer judges its reachability from what its roots saw (src/overlay/reachability.ts):
// a dial-back makes it public; one ip:port seen by every root is an endpoint-independent NAT,
// whose mapping is offered to DCUtR; different ports are a symmetric NAT, nothing to offer;
// fewer than two observations tell nothing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeReachability } from '../../src/overlay/index.ts';

const A = '/ip6/3fff:0:0:1::9/tcp/40001';
const B = '/ip6/3fff:0:0:1::9/tcp/51234';

test('a root that dialled back makes the peer public, offering that address', () => {
  const r = judgeReachability({ r1: A, r2: B }, { r1: 0, r2: 100 }, '/ip6/3fff:0:0:1::9/tcp/4101');
  assert.equal(r.kind, 'public');
  assert.deepEqual(r.holePunch, ['/ip6/3fff:0:0:1::9/tcp/4101']);
});

test('every root saw one ip:port: an endpoint-independent NAT, its mapping offered to DCUtR', () => {
  const r = judgeReachability({ r1: A, r2: A }, { r1: 100, r2: 100 }, null);
  assert.equal(r.kind, 'endpoint-independent');
  assert.deepEqual(r.holePunch, [A]);
});

test('roots saw different ports: a symmetric NAT, nothing to punch to', () => {
  const r = judgeReachability({ r1: A, r2: B }, { r1: 100, r2: 100 }, null);
  assert.equal(r.kind, 'endpoint-dependent');
  assert.deepEqual(r.holePunch, []);
});

test('one root or none: unknown, nothing offered', () => {
  for (const observed of [{}, { r1: A }] as Record<string, string>[]) {
    const r = judgeReachability(observed, {}, null);
    assert.equal(r.kind, 'unknown');
    assert.deepEqual(r.holePunch, []);
  }
});
