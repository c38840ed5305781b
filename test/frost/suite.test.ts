// Our ciphersuite instance (src/frost/suite.ts) is noble's ed25519_FROST without its repeated
// point checks, each point checked once per process: for the same randomness every output — DKG
// packages, group key, shares, nonces, signature shares and the signature — is byte for byte
// what ed25519_FROST gives, RFC 9591's own vectors included, whether the points were seen before
// or not; a point remembered as valid vouches for no other encoding, and the memo is bounded.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ed25519, ed25519_FROST } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { FROST, POINT_MEMO_ENTRIES } from '../../src/frost/index.ts';
import { checkedPoints, rememberNonceCommitments } from '../../src/frost/suite.ts';

/** SHA-256 in counter mode: the same stream for both suites. */
function stream(label: string): (n?: number) => Uint8Array<ArrayBuffer> {
  let counter = 0;
  return (n = 32) => {
    let out = new Uint8Array(0);
    while (out.length < n) out = new Uint8Array(concatBytes(out, sha256(utf8Bytes(`${label}/${counter++}`))));
    return new Uint8Array(out.slice(0, n));
  };
}

type Suite = typeof FROST;

function transcript(suite: Suite): string[] {
  const rng = stream('suite equivalence');
  const n = 4;
  const signers = { min: 3, max: n };
  const ids = ['a', 'b', 'c', 'd'].map((x) => suite.Identifier.derive(x));
  const r1 = ids.map((id) => suite.DKG.round1(id, signers, undefined, rng));
  const others = (i: number) => r1.filter((_, j) => j !== i).map((r) => r.public);
  const r2 = r1.map((r, i) => suite.DKG.round2(r.secret, others(i)));
  const r3 = r1.map((r, i) =>
    suite.DKG.round3(
      r.secret,
      others(i),
      ids.flatMap((_, j) => (j === i ? [] : [r2[j]![ids[i]!]!])),
    ),
  );
  const message = utf8Bytes('witan suite equivalence');
  const chosen = r3.slice(0, 3);
  const nonces = chosen.map((k) => suite.commit(k.secret, rng));
  const commitments = nonces.map((x) => x.commitments);
  const shares = chosen.map((k, i) =>
    suite.signShare(k.secret, k.public, nonces[i]!.nonces, commitments, message),
  );
  const signature = suite.aggregate(
    r3[0]!.public,
    commitments,
    message,
    Object.fromEntries(chosen.map((k, i) => [k.secret.identifier, shares[i]!])),
  );
  return [
    ...r1.map((r) => toHex(concatBytes(...r.public.commitment, r.public.proofOfKnowledge))),
    ...r3.map((r) => toHex(r.secret.signingShare)),
    toHex(concatBytes(...r3[0]!.public.commitments)),
    ...commitments.map((c) => toHex(concatBytes(c.hiding, c.binding))),
    ...shares.map(toHex),
    toHex(signature),
  ];
}

test('our suite gives exactly what noble ed25519_FROST gives, for the same randomness', () => {
  assert.deepEqual(transcript(FROST), transcript(ed25519_FROST));
});

/** A point of order 8 (RFC 8032 small-order encodings). */
const smallOrder = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

test('our suite gives the same outputs again once every point is remembered', () => {
  checkedPoints.forget();
  const first = transcript(FROST);
  assert.ok(checkedPoints.size > 0, 'the points read are remembered');
  assert.deepEqual(transcript(FROST), first);
});

// RFC 9591 Appendix E.1, FROST(Ed25519, SHA-512): 2-of-3, participants 1 and 3 sign "test".
const RFC = {
  groupPublicKey: '15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673',
  message: '74657374',
  shares: {
    1: '929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509',
    2: 'a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d',
    3: 'd3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02',
  },
  signers: [
    {
      id: 1,
      hidingRandomness: '06894e04ee4aceec8619d5f6a0a180e2f47194d2ac306cba586b555e7c48d765',
      bindingRandomness: '40d6f879ff22e22409f7d808fed81f37118e7d3e4af71c0f44c60207553bcbce',
      hiding: '9b116f12589591a7e23fe8048059ab10ab48e67739e7a2fb3890f61a7999478c',
      binding: 'c39b66b7dfccb122da24f13587f9a08c4347cae70046ca15169adf90ba65854d',
      share: '60997f0142e43e8005027fe5ab7447dac00d22c2d7ddd9571a02613ba7d81c08',
    },
    {
      id: 3,
      hidingRandomness: 'fa5d950626782aade9e33fa781376d4888c2d1de7c37518bc248eb818ed0cdde',
      bindingRandomness: '7459a4d14ded0e365b085271be8dc6600d5b88f3978a2174297ffa32001a5afc',
      hiding: 'e679a2a971748ccfaabead4dbe8ac1def61275c186c79d471e1e45091ad1e687',
      binding: 'b2a942478453fabb6bd3181c56ba657413447b4136e1daea2484d396d1a516b3',
      share: '79390e78bc59699c7af831f8f5fb478ec871a85f561a8641b5670ac4443f720f',
    },
  ],
  signature:
    '154fb694ee7fcb37bf2381d94488c2a84b03b3352ad085feca81ad26d45852b7ecfe971ce4da95c4a95db93ac376b053897fca212ef85f99cf696bffeb178f07',
};

/** RFC 9591's signing vector through our suite: commitments, shares and signature, hex. */
function rfcSigning(): string[] {
  const id = (n: number) => FROST.Identifier.fromNumber(n);
  const pub = {
    signers: { min: 2, max: 3 },
    commitments: [fromHex(RFC.groupPublicKey)],
    verifyingShares: Object.fromEntries(
      Object.entries(RFC.shares).map(([n, s]) => [
        id(Number(n)),
        ed25519.Point.BASE.multiply(FROST.utils.Fn.fromBytes(fromHex(s))).toBytes(),
      ]),
    ),
  };
  const message = fromHex(RFC.message);
  const rounds = RFC.signers.map((p) => {
    const secret = {
      identifier: id(p.id),
      signingShare: fromHex(RFC.shares[p.id as keyof typeof RFC.shares]),
    };
    // nonce_generate's 32 random bytes, hiding first (RFC 9591 §4.1).
    const randomness = [fromHex(p.hidingRandomness), fromHex(p.bindingRandomness)];
    const { nonces, commitments } = FROST.commit(secret, () => new Uint8Array(randomness.shift()!));
    return { secret, nonces, commitments };
  });
  const list = rounds.map((r) => r.commitments);
  const shares = rounds.map((r) => FROST.signShare(r.secret, pub, r.nonces, list, message));
  const signature = FROST.aggregate(
    pub,
    list,
    message,
    Object.fromEntries(rounds.map((r, i) => [r.secret.identifier, shares[i]!])),
  );
  return [
    ...list.flatMap((c) => [toHex(c.hiding), toHex(c.binding)]),
    ...shares.map(toHex),
    toHex(signature),
  ];
}

test("RFC 9591's FROST(Ed25519, SHA-512) vector, before and after its points are remembered", () => {
  const want = [
    ...RFC.signers.flatMap((p) => [p.hiding, p.binding]),
    ...RFC.signers.map((p) => p.share),
    RFC.signature,
  ];
  checkedPoints.forget();
  assert.deepEqual(rfcSigning(), want);
  assert.deepEqual(rfcSigning(), want, 'the same once the group key and commitments are remembered');
});

/** The key with its first byte changed until no x fits its y: not a point at all. */
function offCurveNeighbour(key: Uint8Array): Uint8Array {
  const bytes = key.slice();
  for (let b = 0; b < 256; b++) {
    bytes[0] = b;
    try {
      ed25519.Point.fromBytes(bytes);
    } catch {
      return bytes;
    }
  }
  throw new Error('every neighbour is a point');
}

test('a remembered point vouches for no other encoding: its torsioned neighbour, a bad encoding and the identity are still refused', () => {
  checkedPoints.forget();
  const sk = FROST.utils.randomScalar();
  const publicKey = ed25519.Point.BASE.multiply(FROST.utils.Fn.fromBytes(sk)).toBytes();
  const message = utf8Bytes('witan memo');
  const signature = FROST.sign(message, sk);
  assert.equal(FROST.verify(signature, message, publicKey), true);
  assert.equal(FROST.verify(signature, message, publicKey), true, 'again, remembered');
  const held = checkedPoints.size;
  // The remembered key plus a point of order 8: on the curve, outside the prime-order group.
  const torsioned = ed25519.Point.fromBytes(publicKey).add(ed25519.Point.fromBytes(smallOrder)).toBytes();
  const identity = ed25519.Point.ZERO.toBytes();
  const notCanonical = fromHex(`ed${'ff'.repeat(30)}7f`); // y = p, not reduced
  const offCurve = offCurveNeighbour(publicKey);
  for (let round = 0; round < 2; round++) {
    assert.throws(() => FROST.verify(signature, message, torsioned), /prime-order subgroup/);
    assert.throws(() => FROST.verify(signature, message, smallOrder), /prime-order subgroup/);
    assert.throws(() => FROST.verify(signature, message, identity), /ZERO|identity/);
    assert.throws(() => FROST.verify(signature, message, notCanonical), /point\.y|invalid/);
    assert.throws(() => FROST.verify(signature, message, offCurve), /invalid y coordinate/);
  }
  // A torsioned nonce commitment in a signing request is refused the same way.
  const secret = { identifier: FROST.Identifier.fromNumber(1), signingShare: sk };
  const pub = {
    signers: { min: 2, max: 2 },
    commitments: [publicKey],
    verifyingShares: { [secret.identifier]: publicKey },
  };
  const mine = FROST.commit(secret);
  const other = FROST.commit({ identifier: FROST.Identifier.fromNumber(2), signingShare: sk });
  rememberNonceCommitments(other.commitments);
  const bad = {
    ...other.commitments,
    hiding: ed25519.Point.fromBytes(other.commitments.hiding)
      .add(ed25519.Point.fromBytes(smallOrder))
      .toBytes(),
  };
  assert.throws(
    () => FROST.signShare(secret, pub, mine.nonces, [mine.commitments, bad], message),
    /prime-order subgroup/,
  );
  assert.equal(checkedPoints.size, held + 2 + 2, 'only the valid commitments were remembered');
});

test(`the memo holds at most POINT_MEMO_ENTRIES (${POINT_MEMO_ENTRIES}) encodings, the least recently used out first`, () => {
  checkedPoints.forget();
  const secret = { identifier: FROST.Identifier.fromNumber(1), signingShare: FROST.utils.randomScalar() };
  const sk = FROST.utils.randomScalar();
  const publicKey = ed25519.Point.BASE.multiply(FROST.utils.Fn.fromBytes(sk)).toBytes();
  const message = utf8Bytes('witan memo bound');
  const signature = FROST.sign(message, sk);
  FROST.verify(signature, message, publicKey); // the key and R, read first
  const R = signature.slice(0, 32);
  const commitments: Uint8Array[] = [];
  while (checkedPoints.size < POINT_MEMO_ENTRIES) {
    const { commitments: c } = FROST.commit(secret);
    rememberNonceCommitments(c);
    commitments.push(c.hiding, c.binding);
  }
  assert.equal(checkedPoints.size, POINT_MEMO_ENTRIES);
  assert.equal(checkedPoints.has(publicKey), true);
  // Reading the key and R again makes the first two commitments the least recently used: the
  // next two encodings push them out.
  FROST.verify(signature, message, publicKey);
  rememberNonceCommitments(FROST.commit(secret).commitments);
  assert.equal(checkedPoints.size, POINT_MEMO_ENTRIES);
  assert.equal(checkedPoints.has(publicKey), true);
  assert.equal(checkedPoints.has(R), true, 'R was read again with the key');
  assert.equal(checkedPoints.has(commitments[0]!), false, 'the least recently used is out');
  assert.equal(checkedPoints.has(commitments[1]!), false);
  assert.equal(checkedPoints.has(commitments[2]!), true);
  assert.equal(FROST.verify(signature, message, publicKey), true);
});

test('our suite still refuses a point outside the prime-order group', () => {
  // A point of order 8 as the second VSS coefficient (which no proof of knowledge covers):
  // RFC 9591 §3.1 DeserializeElement refuses it.
  const id = FROST.Identifier.derive('a');
  const other = FROST.DKG.round1(FROST.Identifier.derive('b'), { min: 2, max: 2 });
  const { secret } = FROST.DKG.round1(id, { min: 2, max: 2 });
  const bad = { ...other.public, commitment: [other.public.commitment[0]!, smallOrder] };
  assert.throws(() => FROST.DKG.round2(secret, [bad]), /prime-order subgroup/);
  assert.doesNotThrow(() =>
    FROST.DKG.round2(FROST.DKG.round1(id, { min: 2, max: 2 }).secret, [other.public]),
  );
});
