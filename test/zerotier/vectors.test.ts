// Witan's own ZeroTier vectors: regenerating them from their seeds gives the committed bytes,
// and the planet chain they hold is accepted link by link by ZeroTier's update rule.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VECTORS_DIR, zerotierVectors } from '../../scripts/gen-zerotier-vectors.ts';
import { fromHex } from '../../src/codec/index.ts';
import {
  checkWorldUpdate,
  parseWorld,
  serializeWorld,
  validateIdentity,
  verifyWorldSignature,
} from '../../src/zerotier/index.ts';
import { zeroTierAcceptsUpdate } from './zerotier-rule.ts';

const file = (name: string) => new Uint8Array(readFileSync(join(VECTORS_DIR, name)));

test('regenerating the ZeroTier vectors reproduces the committed files byte for byte', async () => {
  const files = await zerotierVectors();
  for (const [name, content] of Object.entries(files)) {
    const expected = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    assert.deepEqual(file(name), expected, name);
  }
});

test('the vector planets form a chain ZeroTier accepts, through a key rotation, and every root validates', () => {
  const manifest = JSON.parse(readFileSync(join(VECTORS_DIR, 'witan-vectors.json'), 'utf8')) as {
    signingKeys: { c25519: string }[];
    worlds: { file: string; signedByKey: number }[];
  };
  const bytes = manifest.worlds.map((w) => file(w.file));
  manifest.worlds.forEach((w, i) => {
    const world = parseWorld(bytes[i]!);
    assert.deepEqual(serializeWorld(world), bytes[i]);
    assert.equal(verifyWorldSignature(world, fromHex(manifest.signingKeys[w.signedByKey]!.c25519)), true);
    for (const root of world.roots) validateIdentity(root.identity);
  });
  for (const i of [0, 1]) {
    assert.equal(zeroTierAcceptsUpdate(bytes[i]!, bytes[i + 1]!), true);
    assert.deepEqual(checkWorldUpdate(parseWorld(bytes[i]!), parseWorld(bytes[i + 1]!)), { accepted: true });
  }
  assert.equal(zeroTierAcceptsUpdate(bytes[0]!, bytes[2]!), false);
});
