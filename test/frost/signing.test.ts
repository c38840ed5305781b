import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex, utf8Bytes } from '../../src/codec/index.ts';
import {
  aggregateSignature,
  CommitmentPool,
  NONCES_OUTSTANDING_MAX,
  NonceBook,
  verifyShare,
} from '../../src/frost/index.ts';
import {
  c25519PublicKeyOfEd25519,
  type Ed25519Signer,
  parseWorld,
  serializeWorld,
  signWorld,
} from '../../src/zerotier/index.ts';
import { zeroTierAcceptsUpdate } from '../zerotier/zerotier-rule.ts';
import { frostCode, nodeVerifies, runDkg, thresholdSign } from './helpers.ts';

const { group, shares } = runDkg(4, 3);
const message = utf8Bytes('checkpoint\n');

function setup() {
  const books = shares.map((s) => new NonceBook(s, group));
  const pool = new CommitmentPool(group);
  for (const b of books) pool.add(b.prepare(2));
  return { books, pool };
}

test('prepared commitments: a signature costs one round, and verifies as plain Ed25519', () => {
  const { books, pool } = setup();
  assert.equal(books[0]!.outstanding, 2);
  const request = pool.take(['member-1.example', 'member-3.example', 'member-4.example'], message);
  const answers = [books[0]!, books[2]!, books[3]!].map((b) => b.signShare(request));
  for (const a of answers) verifyShare(group, request, a);
  const signature = aggregateSignature(group, request, answers);
  assert.equal(nodeVerifies(group.publicKey, message, signature), true);
  assert.equal(books[0]!.outstanding, 1);
  assert.equal(pool.available('member-1.example'), 1);
  assert.equal(pool.available('member-2.example'), 2);
});

test('a wrong signature share is named, by verifyShare and by aggregateSignature, and nothing is signed', () => {
  const { books, pool } = setup();
  const request = pool.take(['member-1.example', 'member-2.example', 'member-3.example'], message);
  const answers = books.slice(0, 3).map((b) => b.signShare(request));
  const bad = { ...answers[1]!, share: answers[0]!.share };
  assert.deepEqual(
    frostCode(() => verifyShare(group, request, bad)),
    { code: 'BAD_SHARE', participant: 'member-2.example' },
  );
  assert.deepEqual(
    frostCode(() => aggregateSignature(group, request, [answers[0]!, bad, answers[2]!])),
    {
      code: 'BAD_SHARE',
      participant: 'member-2.example',
    },
  );
  // A share over another message from an honest signer is just as wrong.
  assert.equal(
    frostCode(() => verifyShare(group, { ...request, message: utf8Bytes('other') }, answers[0]!)).code,
    'BAD_SHARE',
  );
  assert.equal(
    frostCode(() => aggregateSignature(group, request, answers.slice(0, 2))).code,
    'MISSING_PACKAGE',
  );
  assert.equal(
    frostCode(() => aggregateSignature(group, request, [...answers, answers[0]!])).code,
    'DUPLICATE_PACKAGE',
  );
  const outsider = { participant: 'member-4.example', share: answers[0]!.share };
  assert.equal(frostCode(() => verifyShare(group, request, outsider)).code, 'NOT_A_PARTICIPANT');
});

test('a replayed nonce commitment is refused by the signer and by the pool; an unknown one too', () => {
  const { books, pool } = setup();
  const published = books[3]!.prepare(1);
  const request = pool.take(['member-1.example', 'member-2.example', 'member-3.example'], message);
  books[0]!.signShare(request);
  assert.equal(frostCode(() => books[0]!.signShare(request)).code, 'NONCE_REUSED');
  assert.equal(
    frostCode(() => books[0]!.signShare({ ...request, message: utf8Bytes('other') })).code,
    'NONCE_REUSED',
  );
  pool.add(published);
  assert.deepEqual(
    frostCode(() => pool.add(published)),
    { code: 'NONCE_REUSED', participant: 'member-4.example' },
  );
  assert.deepEqual(
    frostCode(() => pool.add([request.commitments[0]!])),
    { code: 'NONCE_REUSED', participant: 'member-1.example' },
  );
  // A commitment member 1 never prepared (member 2's, relabelled) is unknown to member 1.
  const foreign = {
    ...request,
    commitments: request.commitments.map((c, i) =>
      i === 0 ? { ...request.commitments[1]!, participant: c.participant } : c,
    ),
  };
  assert.equal(frostCode(() => books[0]!.signShare(foreign)).code, 'UNKNOWN_COMMITMENT');
  // After a restart a book has no nonces: old commitments are unknown, not signed.
  const restarted = new NonceBook(shares[1]!, group);
  assert.equal(frostCode(() => restarted.signShare(request)).code, 'UNKNOWN_COMMITMENT');
});

test('signing sets of the wrong size, strangers and malformed commitments are refused', () => {
  const { books, pool } = setup();
  const request = pool.take(['member-1.example', 'member-2.example', 'member-3.example'], message);
  const two = { ...request, commitments: request.commitments.slice(0, 2) };
  assert.equal(frostCode(() => books[0]!.signShare(two)).code, 'WRONG_THRESHOLD');
  assert.equal(
    frostCode(() => pool.take(['member-1.example', 'member-2.example'], message)).code,
    'WRONG_THRESHOLD',
  );
  const stranger = {
    ...request,
    commitments: [
      ...request.commitments.slice(0, 2),
      { ...request.commitments[2]!, participant: 'x.example' },
    ],
  };
  assert.equal(frostCode(() => books[0]!.signShare(stranger)).code, 'NOT_A_PARTICIPANT');
  assert.equal(
    frostCode(() => pool.add([{ participant: 'x.example', hiding: '00', binding: '00' }])).code,
    'NOT_A_PARTICIPANT',
  );
  const twice = {
    ...request,
    commitments: [request.commitments[0]!, request.commitments[0]!, request.commitments[1]!],
  };
  assert.equal(frostCode(() => books[0]!.signShare(twice)).code, 'DUPLICATE_PACKAGE');
  const garbled = {
    ...request,
    commitments: [{ ...request.commitments[0]!, hiding: 'zz' }, ...request.commitments.slice(1)],
  };
  assert.equal(frostCode(() => books[0]!.signShare(garbled)).code, 'MALFORMED_PACKAGE');
  const withoutMe = pool.take(['member-2.example', 'member-3.example', 'member-4.example'], message);
  assert.equal(frostCode(() => books[0]!.signShare(withoutMe)).code, 'MALFORMED_PACKAGE');
  assert.equal(frostCode(() => books[0]!.prepare(NONCES_OUTSTANDING_MAX)).code, 'TOO_MANY_NONCES');
  assert.equal(
    frostCode(() => pool.take(['member-1.example', 'member-2.example', 'member-3.example'], message)).code,
    'MISSING_PACKAGE',
  );
});

test('the group signs a ZeroTier planet update that the independent ZeroTier rule accepts', async () => {
  const federation: Ed25519Signer = {
    publicKey: fromHex(group.publicKey),
    sign: (m) => thresholdSign(group, shares.slice(0, 3), m),
  };
  const key = c25519PublicKeyOfEd25519(federation.publicKey);
  const roots = [
    { identity: { address: '0102030405', publicKey: new Uint8Array(64).fill(7) }, endpoints: [] },
  ];
  const v1 = await signWorld(
    { type: 'planet', id: 7n, timestamp: 1n, updatesMustBeSignedBy: key, roots },
    federation,
  );
  const v2 = await signWorld(
    { type: 'planet', id: 7n, timestamp: 2n, updatesMustBeSignedBy: key, roots },
    federation,
  );
  assert.equal(zeroTierAcceptsUpdate(serializeWorld(v1), serializeWorld(v2)), true);
  assert.deepEqual(parseWorld(serializeWorld(v2)), v2);
});
