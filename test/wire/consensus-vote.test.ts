// Signed consensus votes, the bytes consensus signs and governance's equivocation evidence
// verifies: sign/verify, strict parsing with a typed error, and conflict detection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, signingBytes, toBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import {
  CONSENSUS_VOTE_DOMAIN,
  parseSignedVote,
  signVote,
  type VoteBody,
  verifyVote,
  voteSigningBytes,
  votesConflict,
  WireError,
} from '../../src/wire/index.ts';

const KEY = keyPairFromSeed(new Uint8Array(32).fill(3));
const OTHER = keyPairFromSeed(new Uint8Array(32).fill(4));

function body(over: Partial<VoteBody> = {}): VoteBody {
  return {
    federation: 'test.witan',
    height: 5,
    round: 1,
    type: 'prevote',
    valueId: 'ab'.repeat(32),
    validator: toBase64(KEY.publicKey),
    ...over,
  };
}

test('the signed bytes are the domain line and the canonical body', () => {
  const b = body();
  const expected = new Uint8Array([
    ...utf8Bytes(`${CONSENSUS_VOTE_DOMAIN}\n`),
    ...canonicalBytes(b as never),
  ]);
  assert.equal(toHex(voteSigningBytes(b)), toHex(expected));
});

test('the signed bytes equal the generic canonical encoding for any body, or are refused alike', () => {
  const generic = (b: VoteBody): Uint8Array => signingBytes(CONSENSUS_VOTE_DOMAIN, { ...b } as never);
  const outcome = (f: () => Uint8Array): string => {
    try {
      return toHex(f());
    } catch (e) {
      return `refused: ${(e as Error).constructor.name}`;
    }
  };
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('a"b\\c', 'é\u2028', '\ud800'),
  );
  const integer = fc.oneof(fc.integer(), fc.constantFrom(-0, 2 ** 53, 1.5, Number.NaN));
  fc.assert(
    fc.property(
      fc.record({
        federation: text,
        height: integer,
        round: integer,
        type: fc.oneof(fc.constantFrom('prevote', 'precommit'), text),
        valueId: fc.oneof(fc.constant(null), text),
        validator: text,
      }),
      (b) => {
        const v = b as VoteBody;
        assert.equal(
          outcome(() => voteSigningBytes(v)),
          outcome(() => generic(v)),
        );
      },
    ),
    { numRuns: 2000 },
  );
});

test('a vote verifies by its validator only, and not once any field changes', () => {
  const v = signVote(body(), KEY.secretKey);
  assert.ok(verifyVote(v));
  assert.ok(!verifyVote({ ...v, validator: toBase64(OTHER.publicKey) }));
  for (const over of [{ height: 6 }, { round: 2 }, { type: 'precommit' as const }, { valueId: null }])
    assert.ok(!verifyVote({ ...v, ...over }), JSON.stringify(over));
  assert.ok(!verifyVote({ ...v, signature: 'x' }), 'never throws, even on garbage');
});

test('parse is strict and says what is wrong with a BAD_VOTE error', () => {
  const v = signVote(body(), KEY.secretKey);
  assert.deepEqual(parseSignedVote(JSON.parse(JSON.stringify(v))), v);
  const bad: Array<[unknown, RegExp]> = [
    [null, /an object/],
    [{ ...v, extra: 1 }, /exactly/],
    [{ ...v, height: 0 }, /height/],
    [{ ...v, round: -1 }, /round/],
    [{ ...v, type: 'vote' }, /type/],
    [{ ...v, valueId: 'AB'.repeat(32) }, /valueId/],
    [{ ...v, validator: 'abc' }, /validator/],
    [{ ...v, signature: toBase64(new Uint8Array(63)) }, /signature/],
  ];
  for (const [x, why] of bad)
    assert.throws(
      () => parseSignedVote(x),
      (e: unknown) => e instanceof WireError && e.code === 'BAD_VOTE' && why.test(e.message),
    );
});

test('two votes conflict exactly when one validator signs two values for one height, round and type', () => {
  const a = body();
  assert.ok(votesConflict(a, body({ valueId: null })));
  assert.ok(!votesConflict(a, body()));
  assert.ok(!votesConflict(a, body({ valueId: null, round: 2 })));
  assert.ok(!votesConflict(a, body({ valueId: null, type: 'precommit' })));
  assert.ok(!votesConflict(a, body({ valueId: null, validator: toBase64(OTHER.publicKey) })));
});

test('fuzz: parse returns a vote or throws WireError, never anything else', () => {
  const v = signVote(body(), KEY.secretKey) as unknown as Record<string, unknown>;
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(v)), fc.jsonValue(), (key, value) => {
      try {
        parseSignedVote({ ...v, [key]: value });
      } catch (e) {
        assert.ok(e instanceof WireError && e.code === 'BAD_VOTE', String(e));
      }
    }),
    { numRuns: 500 },
  );
});
