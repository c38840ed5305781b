// ZeroTier's own Earth planets (2018 and 2019, from ZeroTierOne node/Topology.cpp) as vectors:
// they parse, re-serialise byte for byte, every root identity validates, and the 2019 planet is
// an update of the 2018 one — checked both by our update rule and by an independent
// implementation of ZeroTier's rule that slices the raw bytes and verifies with node:crypto.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toHex } from '../../src/codec/index.ts';
import {
  checkWorldUpdate,
  formatEndpoint,
  formatIdentity,
  parseIdentity,
  parseWorld,
  serializeWorld,
  validateIdentity,
  WORLD_ID_EARTH,
} from '../../src/zerotier/index.ts';
import { zeroTierAcceptsUpdate } from './zerotier-rule.ts';

const DIR = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'zerotier');
const earth2018 = new Uint8Array(readFileSync(join(DIR, 'earth-2018.planet')));
const earth2019 = new Uint8Array(readFileSync(join(DIR, 'earth-2019.planet')));

test('both Earth planets parse and re-serialise byte for byte', () => {
  for (const bytes of [earth2018, earth2019]) {
    const world = parseWorld(bytes);
    assert.equal(world.type, 'planet');
    assert.equal(world.id, WORLD_ID_EARTH);
    assert.deepEqual(serializeWorld(world), bytes);
  }
});

test('the Earth planets have the roots ZeroTier published', () => {
  const w2018 = parseWorld(earth2018);
  const w2019 = parseWorld(earth2019);
  assert.deepEqual(
    w2018.roots.map((r) => r.identity.address),
    ['9d219039f3', '8841408a2e'],
  );
  assert.deepEqual(
    w2019.roots.map((r) => r.identity.address),
    ['3a46f1bf30', 'de8950a8b2', '34e0a5e174', '992fcf1db7'],
  );
  assert.deepEqual(
    w2018.roots.map((r) => r.endpoints.length),
    [12, 12],
  );
  assert.equal(formatEndpoint(w2019.roots[0]!.endpoints[0]!), '185.180.13.82/9993');
  assert.equal(formatEndpoint(w2019.roots[0]!.endpoints[1]!), '2a02:6ea0:c815::/9993');
  assert.equal(w2018.timestamp, 0x164d371f058n);
  assert.equal(w2019.timestamp, 0x16cf910d479n);
  assert.equal(toHex(w2019.updatesMustBeSignedBy), toHex(w2018.updatesMustBeSignedBy));
});

test('every Earth root identity passes ZeroTier identity validation, and its text form round-trips', () => {
  for (const bytes of [earth2018, earth2019]) {
    for (const root of parseWorld(bytes).roots) {
      validateIdentity(root.identity);
      const text = formatIdentity(root.identity);
      assert.deepEqual(parseIdentity(text), root.identity);
    }
  }
});

test('the 2019 Earth planet is an update of the 2018 one (our rule and the independent rule agree)', () => {
  assert.equal(zeroTierAcceptsUpdate(earth2018, earth2019), true);
  assert.deepEqual(checkWorldUpdate(parseWorld(earth2018), parseWorld(earth2019)), { accepted: true });
  // …and not the other way round: the 2018 planet is older.
  assert.equal(zeroTierAcceptsUpdate(earth2019, earth2018), false);
  assert.deepEqual(checkWorldUpdate(parseWorld(earth2019), parseWorld(earth2018)), {
    accepted: false,
    reason: 'NOT_NEWER',
  });
});

test('a 2019 Earth planet with one signed byte changed is refused by both rules', () => {
  const tampered = earth2019.slice();
  tampered[200]! ^= 0x01; // inside the first root's public key: covered by the signature
  assert.equal(zeroTierAcceptsUpdate(earth2018, tampered), false);
  assert.deepEqual(checkWorldUpdate(parseWorld(earth2018), parseWorld(tampered)), {
    accepted: false,
    reason: 'BAD_SIGNATURE',
  });
});
