import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import {
  C25519_PUBLIC_KEY_BYTES,
  C25519_SIGNATURE_BYTES,
  c25519PublicKeyOfEd25519,
  c25519Verify,
  checkWorldUpdate,
  type Endpoint,
  ed25519SeedSigner,
  parseWorld,
  ROOT_ENDPOINTS_MAX,
  serializeWorld,
  signWorld,
  WORLD_BYTES_MAX,
  WORLD_ROOTS_MAX,
  type World,
  ZeroTierError,
} from '../../src/zerotier/index.ts';
import { zerotierCode } from './helpers.ts';
import { zeroTierAcceptsUpdate } from './zerotier-rule.ts';

const code = zerotierCode;

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const endpoint: fc.Arbitrary<Endpoint> = fc.oneof(
  fc
    .record({
      family: fc.constant(4 as const),
      address: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      port: fc.integer({ min: 0, max: 65535 }),
    })
    .map((e) => ({ ...e })),
  fc
    .record({
      family: fc.constant(6 as const),
      address: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      port: fc.integer({ min: 0, max: 65535 }),
    })
    .map((e) => ({ ...e })),
);
// Addresses: 5 bytes, not all zero, first byte not 0xff (the reserved ones).
const address = fc
  .tuple(fc.integer({ min: 0, max: 0xfe }), fc.uint8Array({ minLength: 4, maxLength: 4 }))
  .filter(([first, rest]) => first !== 0 || rest.some((b) => b !== 0))
  .map(([first, rest]) => Buffer.from([first, ...rest]).toString('hex'));
// fc.record makes null-prototype objects; spread them into plain ones so deepEqual compares values.
const root = fc
  .record({
    identity: fc.record({ address, publicKey: fc.uint8Array({ minLength: 64, maxLength: 64 }) }),
    endpoints: fc.array(endpoint, { maxLength: 6 }),
  })
  .map((r) => ({ identity: { ...r.identity }, endpoints: r.endpoints }));
export const worldArbitrary: fc.Arbitrary<World> = fc
  .record({
    type: fc.constantFrom('planet' as const, 'moon' as const),
    id: u64,
    timestamp: u64,
    updatesMustBeSignedBy: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    signature: fc.uint8Array({ minLength: 96, maxLength: 96 }),
    roots: fc.uniqueArray(root, { maxLength: WORLD_ROOTS_MAX, selector: (r) => r.identity.address }),
  })
  .map((w) => ({ ...w }));

test('property: parse(serialize(world)) = world and serialize(parse(bytes)) = bytes', () => {
  fc.assert(
    fc.property(worldArbitrary, (world) => {
      const bytes = serializeWorld(world);
      assert.ok(bytes.length <= WORLD_BYTES_MAX);
      const parsed = parseWorld(bytes);
      assert.deepEqual(parsed, world);
      assert.deepEqual(serializeWorld(parsed), bytes);
    }),
    { numRuns: 300 },
  );
});

test('property: any byte flip is refused with a typed error or parses to a different world', () => {
  fc.assert(
    fc.property(worldArbitrary, fc.nat(), fc.integer({ min: 1, max: 255 }), (world, at, mask) => {
      const bytes = serializeWorld(world);
      const flipped = bytes.slice();
      flipped[at % bytes.length]! ^= mask;
      let parsed: World;
      try {
        parsed = parseWorld(flipped);
      } catch (error) {
        assert.ok(error instanceof ZeroTierError, `untyped error: ${String(error)}`);
        return;
      }
      assert.notDeepEqual(parsed, world);
      assert.deepEqual(serializeWorld(parsed), flipped);
    }),
    { numRuns: 500 },
  );
});

test('property: every truncation and every extension of a world is refused with a typed error', () => {
  fc.assert(
    fc.property(
      worldArbitrary,
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      (world, cut, extra) => {
        const bytes = serializeWorld(world);
        assert.equal(
          code(() => parseWorld(bytes.subarray(0, cut % bytes.length))),
          'TRUNCATED',
        );
        assert.equal(
          code(() => parseWorld(new Uint8Array([...bytes, ...extra]))),
          'TRAILING_BYTES',
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('property: random bytes after a valid type byte never throw anything but a ZeroTierError', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 127), fc.uint8Array({ maxLength: 1200 }), (type, rest) => {
      const bytes = new Uint8Array([type, ...rest]);
      const result = code(() => parseWorld(bytes));
      assert.ok(typeof result === 'string');
    }),
    { numRuns: 1000 },
  );
});

function sample(): World {
  return fc.sample(worldArbitrary, { numRuns: 1, seed: 7 })[0]!;
}

function withRoots(n: number, endpoints = 1): World {
  const roots = Array.from({ length: n }, (_, i) => ({
    identity: {
      address: `01000000${i.toString(16).padStart(2, '0')}`,
      publicKey: new Uint8Array(64).fill(i),
    },
    endpoints: Array.from({ length: endpoints }, () => ({
      family: 4 as const,
      address: new Uint8Array([192, 0, 2, 1]),
      port: 9993,
    })),
  }));
  return { ...sample(), type: 'planet', roots };
}

test('malformed worlds are refused with the code that names the problem', () => {
  const four = serializeWorld(withRoots(4));
  const five = four.slice();
  five[177] = 5;
  assert.equal(
    code(() => parseWorld(five)),
    'TOO_MANY_ROOTS',
  );
  assert.equal(
    code(() => serializeWorld(withRoots(5))),
    'TOO_MANY_ROOTS',
  );
  assert.equal(
    code(() => serializeWorld(withRoots(1, ROOT_ENDPOINTS_MAX + 1))),
    'TOO_MANY_ENDPOINTS',
  );
  const many = serializeWorld(withRoots(1, 1));
  const tooManyEndpoints = many.slice();
  tooManyEndpoints[178 + 71] = ROOT_ENDPOINTS_MAX + 1;
  assert.equal(
    code(() => parseWorld(tooManyEndpoints)),
    'TOO_MANY_ENDPOINTS',
  );

  const one = serializeWorld(withRoots(1, 1));
  const typed = (at: number, value: number) => {
    const b = one.slice();
    b[at] = value;
    return code(() => parseWorld(b));
  };
  assert.equal(typed(0, 0), 'UNSUPPORTED_WORLD_TYPE'); // TYPE_NULL
  assert.equal(typed(0, 2), 'UNSUPPORTED_WORLD_TYPE');
  assert.equal(typed(178 + 5, 1), 'UNSUPPORTED_IDENTITY_TYPE'); // P-384 identity
  assert.equal(typed(178 + 70, 64), 'ROOT_HAS_SECRET_KEY');
  assert.equal(typed(178 + 70, 3), 'MALFORMED_IDENTITY');
  assert.equal(typed(178 + 72, 0x01), 'BAD_ENDPOINT'); // an Ethernet "address"
  assert.equal(typed(178, 0xff), 'RESERVED_ADDRESS');
  assert.equal(
    code(() => parseWorld(new Uint8Array(WORLD_BYTES_MAX + 1))),
    'TOO_LARGE',
  );

  const moon = serializeWorld({ ...withRoots(1), type: 'moon' });
  const withDictionary = new Uint8Array([...moon.subarray(0, -2), 0, 1, 0x41]);
  assert.equal(
    code(() => parseWorld(withDictionary)),
    'UNSIGNED_DICTIONARY',
  );

  const twice = withRoots(2);
  twice.roots[1]!.identity.address = twice.roots[0]!.identity.address;
  assert.equal(
    code(() => serializeWorld(twice)),
    'DUPLICATE_ROOT',
  );
  const withSecret = withRoots(1);
  Object.assign(withSecret.roots[0]!.identity, { secretKey: new Uint8Array(64) });
  assert.equal(
    code(() => serializeWorld(withSecret)),
    'ROOT_HAS_SECRET_KEY',
  );
  assert.equal(
    code(() => serializeWorld({ ...withRoots(1), id: -1n })),
    'BAD_WORLD',
  );
  assert.equal(
    code(() => serializeWorld({ ...withRoots(1), timestamp: 2n ** 64n })),
    'BAD_WORLD',
  );
  assert.equal(
    code(() => serializeWorld({ ...withRoots(1), signature: new Uint8Array(64) })),
    'BAD_WORLD',
  );
  assert.equal(
    code(() => serializeWorld({ ...withRoots(1), updatesMustBeSignedBy: new Uint8Array(32) })),
    'BAD_WORLD',
  );
});

const keyA = ed25519SeedSigner(new Uint8Array(32).fill(1));
const keyB = ed25519SeedSigner(new Uint8Array(32).fill(2));

test('a planet chain with a key rotation: each update is accepted by both rules, and nothing else is', async () => {
  const base = { ...withRoots(2), id: 42n };
  const v1 = await signWorld(
    { ...base, timestamp: 1000n, updatesMustBeSignedBy: c25519PublicKeyOfEd25519(keyA.publicKey) },
    keyA,
  );
  const v2 = await signWorld(
    { ...base, timestamp: 2000n, updatesMustBeSignedBy: c25519PublicKeyOfEd25519(keyB.publicKey) },
    keyA,
  );
  const v3 = await signWorld(
    { ...withRoots(3), id: 42n, timestamp: 3000n, updatesMustBeSignedBy: v2.updatesMustBeSignedBy },
    keyB,
  );
  const bytes = [v1, v2, v3].map(serializeWorld);
  for (const [current, next] of [
    [0, 1],
    [1, 2],
  ] as const) {
    assert.equal(zeroTierAcceptsUpdate(bytes[current]!, bytes[next]!), true);
    assert.deepEqual(checkWorldUpdate(parseWorld(bytes[current]!), parseWorld(bytes[next]!)), {
      accepted: true,
    });
  }
  // v3 is signed by key B: a node still on v1 (which names key A) refuses it.
  assert.equal(zeroTierAcceptsUpdate(bytes[0]!, bytes[2]!), false);
  assert.deepEqual(checkWorldUpdate(v1, v3), { accepted: false, reason: 'BAD_SIGNATURE' });
  // Same timestamp, other id, other type.
  const sameTime = await signWorld(
    { ...base, timestamp: 1000n, updatesMustBeSignedBy: v1.updatesMustBeSignedBy },
    keyA,
  );
  assert.deepEqual(checkWorldUpdate(v1, sameTime), { accepted: false, reason: 'NOT_NEWER' });
  assert.equal(zeroTierAcceptsUpdate(bytes[0]!, serializeWorld(sameTime)), false);
  const otherId = await signWorld(
    { ...base, id: 43n, timestamp: 5000n, updatesMustBeSignedBy: v1.updatesMustBeSignedBy },
    keyA,
  );
  assert.deepEqual(checkWorldUpdate(v1, otherId), { accepted: false, reason: 'DIFFERENT_ID' });
  assert.equal(zeroTierAcceptsUpdate(bytes[0]!, serializeWorld(otherId)), false);
  const moon = await signWorld(
    { ...base, type: 'moon', timestamp: 5000n, updatesMustBeSignedBy: v1.updatesMustBeSignedBy },
    keyA,
  );
  assert.deepEqual(checkWorldUpdate(v1, moon), { accepted: false, reason: 'DIFFERENT_TYPE' });
  assert.equal(zeroTierAcceptsUpdate(bytes[0]!, serializeWorld(moon)), false);
});

test('signWorld refuses a signer whose signature does not verify, and c25519Verify refuses a wrong digest', async () => {
  const liar = { publicKey: keyA.publicKey, sign: (m: Uint8Array) => keyB.sign(m) };
  const unsigned = {
    ...withRoots(1),
    timestamp: 1n,
    updatesMustBeSignedBy: new Uint8Array(C25519_PUBLIC_KEY_BYTES),
  };
  await assert.rejects(
    signWorld(unsigned, liar),
    (e: unknown) => e instanceof ZeroTierError && e.code === 'BAD_SIGNATURE',
  );
  const short = { publicKey: keyA.publicKey, sign: () => new Uint8Array(10) };
  await assert.rejects(
    signWorld(unsigned, short),
    (e: unknown) => e instanceof ZeroTierError && e.code === 'BAD_SIGNATURE',
  );
  const good = await signWorld(unsigned, keyA);
  assert.equal(good.signature.length, C25519_SIGNATURE_BYTES);
  const key = c25519PublicKeyOfEd25519(keyA.publicKey);
  const message = new Uint8Array([1, 2, 3]);
  const signature = new Uint8Array(C25519_SIGNATURE_BYTES);
  assert.equal(c25519Verify(key, message, signature), false);
  assert.equal(c25519Verify(key.subarray(0, 32), message, signature), false);
});

test('the Curve25519 half of a federation key is the Montgomery form of its Ed25519 half', async () => {
  const { x25519 } = await import('@noble/curves/ed25519.js');
  const seed = new Uint8Array(32).fill(9);
  const c25519 = c25519PublicKeyOfEd25519(keyA.publicKey);
  assert.deepEqual(c25519.subarray(32), keyA.publicKey);
  // Same point on the Montgomery curve: X25519 of the Ed25519 key's secret scalar gives it.
  const edPublic = ed25519.getPublicKey(seed);
  const montgomery = c25519PublicKeyOfEd25519(edPublic).subarray(0, 32);
  assert.deepEqual(montgomery, x25519.getPublicKey(ed25519.utils.toMontgomerySecret(seed)));
});

test('a remembered Montgomery form gives the same key, in an array of its own, and a bad key still throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
      const publicKey = keyPairFromSeed(seed).publicKey;
      const first = c25519PublicKeyOfEd25519(publicKey);
      first.fill(0); // what a caller does with its copy is not remembered
      const again = c25519PublicKeyOfEd25519(publicKey);
      assert.deepEqual(again.subarray(0, 32), ed25519.utils.toMontgomery(publicKey));
      assert.deepEqual(again.subarray(32), publicKey);
    }),
    { numRuns: 50 },
  );
  assert.throws(() => c25519PublicKeyOfEd25519(new Uint8Array(31)), ZeroTierError);
});
