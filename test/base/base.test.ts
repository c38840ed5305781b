// The shared base: the quorum rule with its safety and liveness bounds, the coded-error
// class every module extends, and invariant().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CodedError, InvariantError, invariant, quorumSize } from '../../src/base/index.ts';

test('quorum is floor(2n/3)+1', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 10, 31, 100].map(quorumSize), [1, 2, 3, 3, 4, 5, 5, 7, 21, 67]);
});

test('any two quorums share a correct validator, and the correct ones alone reach a quorum', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
      const q = quorumSize(n);
      const f = Math.floor((n - 1) / 3);
      assert.ok(2 * q - n >= f + 1, `two quorums of ${n} overlap in more than f = ${f}`);
      assert.ok(q <= n - f, `the ${n - f} correct validators of ${n} reach ${q}`);
    }),
  );
});

test('quorumSize refuses what is not a count', () => {
  for (const n of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => quorumSize(n), RangeError);
});

test('a coded error keeps its code, its subclass name and its cause', () => {
  class ExampleError extends CodedError<'BAD_EXAMPLE'> {}
  const cause = new Error('underneath');
  const e = new ExampleError('BAD_EXAMPLE', 'the example is bad; fix it', { cause });
  assert.ok(e instanceof CodedError && e instanceof Error);
  assert.equal(e.code, 'BAD_EXAMPLE');
  assert.equal(e.name, 'ExampleError');
  assert.equal(e.message, 'the example is bad; fix it');
  assert.equal(e.cause, cause);
});

test('invariant passes when it holds and throws InvariantError naming the rule when not', () => {
  invariant(true, 'never shown');
  assert.throws(
    () => invariant(1 > 2, 'one is above two'),
    (e: unknown) => e instanceof InvariantError && /one is above two/.test(e.message),
  );
});
