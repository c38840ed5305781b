import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/codec/index.ts';
import { hasCanonicalS } from '../../src/crypto/ed25519.ts';
import {
  GROUP_ORDER,
  generateKeyPair,
  isValidPublicKey,
  keyPairFromSeed,
  sha256,
  sign,
  verifySignature,
} from '../../src/crypto/index.ts';

// RFC 8032 §7.1 TEST 1 and TEST 3.
const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

function scalarToBytes(s: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

function bytesToScalar(b: Uint8Array): bigint {
  let s = 0n;
  for (let i = b.length - 1; i >= 0; i--) s = (s << 8n) | BigInt(b[i]!);
  return s;
}

test('RFC 8032 test vectors sign and verify', () => {
  for (const v of RFC8032) {
    const pair = keyPairFromSeed(fromHex(v.seed));
    assert.equal(toHex(pair.publicKey), v.publicKey);
    const message = fromHex(v.message);
    assert.equal(toHex(sign(pair.secretKey, message)), v.signature);
    assert.ok(verifySignature(pair.publicKey, message, fromHex(v.signature)));
  }
});

test('a signature verifies only for its own key and message', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(199), (message, flip) => {
      const a = generateKeyPair();
      const b = generateKeyPair();
      const sig = sign(a.secretKey, message);
      assert.ok(verifySignature(a.publicKey, message, sig));
      assert.equal(verifySignature(b.publicKey, message, sig), false);
      if (message.length > 0) {
        const altered = message.slice();
        altered[flip % message.length]! ^= 1;
        assert.equal(verifySignature(a.publicKey, altered, sig), false);
      }
      const badSig = sig.slice();
      badSig[flip % 64]! ^= 0x40;
      assert.equal(verifySignature(a.publicKey, message, badSig), false);
    }),
    { numRuns: 100 },
  );
});

test('a malleated signature with S + L is refused (canonical S rule)', () => {
  const pair = generateKeyPair();
  const message = new Uint8Array([1, 2, 3]);
  const sig = sign(pair.secretKey, message);
  const s = bytesToScalar(sig.subarray(32));
  const malleated = new Uint8Array(64);
  malleated.set(sig.subarray(0, 32));
  const sPlusL = s + GROUP_ORDER;
  if (sPlusL < 2n ** 256n) {
    malleated.set(scalarToBytes(sPlusL), 32);
    assert.equal(verifySignature(pair.publicKey, message, malleated), false);
  }
  // noble's permissive mode would accept the same equation; our rule refuses it first.
});

test('small-order and non-canonical public keys are refused', () => {
  // The identity point (y = 1) has order 1; it is a valid encoding of a small-order point.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  assert.equal(isValidPublicKey(identity), false);
  // A point of order 8 from the torsion subgroup.
  const torsion = ed25519.Point.BASE.multiply(1n).clearCofactor(); // prime-order, fine
  assert.ok(isValidPublicKey(torsion.toBytes()));
  const order2 = fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'); // y = p - 1: order 2
  assert.equal(isValidPublicKey(order2), false);
  // y = p encodes 0 non-canonically; y >= p is never canonical.
  const yEqualsP = fromHex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
  assert.equal(isValidPublicKey(yEqualsP), false);
  assert.equal(isValidPublicKey(new Uint8Array(31)), false);
  const pair = generateKeyPair();
  assert.ok(isValidPublicKey(pair.publicKey));
  // A message "signed" under the identity key never verifies.
  assert.equal(verifySignature(identity, new Uint8Array(), new Uint8Array(64)), false);
});

test('malformed inputs return false rather than throwing', () => {
  const pair = generateKeyPair();
  const sig = sign(pair.secretKey, new Uint8Array([9]));
  assert.equal(verifySignature(pair.publicKey, new Uint8Array([9]), sig.subarray(0, 63)), false);
  assert.equal(verifySignature(pair.publicKey.subarray(1), new Uint8Array([9]), sig), false);
  assert.equal(verifySignature(pair.publicKey, 'x' as unknown as Uint8Array, sig), false);
});

test('sha256 of the empty string is the known constant', () => {
  assert.equal(toHex(sha256()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(
    toHex(sha256(new Uint8Array([0x61]), new Uint8Array([0x62, 0x63]))),
    toHex(sha256(new TextEncoder().encode('abc'))),
  );
});

test('the canonical-S check agrees with S < L read as a little-endian integer, at and around L', () => {
  const below = (s: bigint) => {
    const sig = new Uint8Array(64);
    sig.set(scalarToBytes(s), 32);
    return hasCanonicalS(sig);
  };
  for (const s of [0n, 1n, GROUP_ORDER - 1n, GROUP_ORDER, GROUP_ORDER + 1n, 2n ** 256n - 1n])
    assert.equal(below(s), s < GROUP_ORDER, `S = ${s}`);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map((d) => GROUP_ORDER + d),
      ),
      (s) => below(s) === s < GROUP_ORDER,
    ),
    { numRuns: 2000 },
  );
});
