import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CodecError,
  canonicalBytes,
  canonicalize,
  decodeCanonical,
  fromBase64,
  fromHex,
  type Json,
  signingBytes,
  toBase64,
  toHex,
} from '../../src/codec/index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

const jsonValue: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value as fc.Arbitrary<Json>;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof CodecError, `expected CodecError, got ${err}`);
    return err.code;
  }
}

test('canonical bytes decode back to an equal value and re-encode identically', () => {
  fc.assert(
    fc.property(jsonValue, (value) => {
      const bytes = canonicalBytes(value);
      const decoded = decodeCanonical(bytes, { bytesMax: 1 << 20 });
      assert.deepEqual(canonicalBytes(decoded), bytes);
    }),
    { numRuns: 500 },
  );
});

test('encoding does not depend on key insertion order', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.integer()), (dict) => {
      const reversed = Object.fromEntries(Object.entries(dict).reverse());
      assert.equal(canonicalize(dict), canonicalize(reversed));
    }),
  );
});

test('RFC 8785 key ordering sorts by UTF-16 code units', () => {
  // From RFC 8785 §3.2.3: "\u20ac" (€) sorts before "\ud83d\ude00" (😀) by code unit, even
  // though its code point is lower only by code unit comparison rules.
  const value = { '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '1': 4, '\u0080': 5, '\u00f6': 6 };
  assert.equal(canonicalize(value), '{"\\r":2,"1":4,"\u0080":5,"ö":6,"€":1,"😀":3}');
});

test('RFC 8785 string escaping: only the mandatory escapes, lowercase hex', () => {
  assert.equal(canonicalize('\u0000\u001f"\\/\u2028é'), '"\\u0000\\u001f\\"\\\\/\u2028é"');
});

test('non-canonical spellings of valid JSON are rejected', () => {
  const cases = [
    '{"b":1,"a":2}', // key order
    '{"a":1 }', // whitespace
    ' 1', // leading whitespace
    '{"a":1,"a":1}', // duplicate key
    '1.0', // number form
    '1e2',
    '-0',
    '"\\u0041"', // unnecessary escape
    '"\\/"',
    '[1,2] ', // trailing whitespace
  ];
  for (const text of cases) {
    const code = codeOf(() => decodeCanonical(utf8(text)));
    assert.ok(code === 'NON_CANONICAL' || code === 'INVALID_JSON', `${text} gave ${code}`);
  }
});

test('floats, huge integers and foreign objects are refused on encode and decode', () => {
  assert.equal(
    codeOf(() => canonicalBytes(1.5)),
    'UNSUPPORTED_VALUE',
  );
  assert.equal(
    codeOf(() => canonicalBytes(2 ** 53)),
    'UNSUPPORTED_VALUE',
  );
  assert.equal(
    codeOf(() => canonicalBytes(new Date(0) as unknown as Json)),
    'UNSUPPORTED_VALUE',
  );
  assert.equal(
    codeOf(() => decodeCanonical(utf8('1.5'))),
    'UNSUPPORTED_VALUE',
  );
  assert.equal(
    codeOf(() => decodeCanonical(utf8('9007199254740993'))),
    'UNSUPPORTED_VALUE',
  );
});

test('size, depth and UTF-8 limits are enforced before parsing', () => {
  assert.equal(
    codeOf(() => decodeCanonical(utf8(`"${'a'.repeat(100)}"`), { bytesMax: 50 })),
    'TOO_LARGE',
  );
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.equal(
    codeOf(() => decodeCanonical(utf8(deep), { bytesMax: 1 << 20 })),
    'TOO_DEEP',
  );
  assert.equal(
    codeOf(() => decodeCanonical(new Uint8Array([0x22, 0xc3, 0x28, 0x22]))),
    'INVALID_UTF8',
  );
  assert.equal(
    codeOf(() => decodeCanonical(utf8('{"a":'))),
    'INVALID_JSON',
  );
  // Exactly at the depth limit is fine.
  let nested: Json = 1;
  for (let i = 0; i < 32; i++) nested = [nested];
  assert.deepEqual(decodeCanonical(canonicalBytes(nested)), nested);
  assert.equal(
    codeOf(() => canonicalBytes([nested])),
    'TOO_DEEP',
  );
});

test('garbage bytes never decode to something that re-encodes differently', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        const value = decodeCanonical(bytes);
        assert.deepEqual(canonicalBytes(value), bytes);
      } catch (err) {
        assert.ok(err instanceof CodecError);
      }
    }),
    { numRuns: 2000 },
  );
});

test('any JSON text decodes exactly when it is the canonical spelling of what it parses to', () => {
  // Texts of every shape: canonical ones, reordered keys, integer-like keys (which JSON.parse
  // reorders), floats, -0, escapes, whitespace.
  const spelling = fc.oneof(
    jsonValue.map((v) => canonicalize(v)),
    jsonValue.map((v) => JSON.stringify(v)),
    jsonValue.map((v) => JSON.stringify(v, null, 1)),
    fc.json(),
    fc
      .dictionary(
        fc.oneof(fc.constantFrom('0', '1', '10', '2', '-1', '01', 'a', 'B'), fc.string()),
        fc.integer(),
      )
      .map(
        (d) =>
          `{${Object.entries(d)
            .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
            .join(',')}}`,
      ),
    fc.constantFrom(
      '-0',
      '1.5',
      '1e3',
      '[1.0]',
      '{"a":-0}',
      '"\u0041"',
      '"\ud800"',
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
    ),
  );
  fc.assert(
    fc.property(spelling, (spelled) => {
      // What goes over the wire is UTF-8: a lone surrogate in the text becomes U+FFFD.
      const text = new TextDecoder().decode(utf8(spelled));
      let canonical: boolean;
      try {
        canonical = canonicalize(JSON.parse(text) as Json) === text;
      } catch {
        canonical = false;
      }
      assert.equal(
        codeOf(() => decodeCanonical(utf8(text), { bytesMax: 1 << 20 })) === undefined,
        canonical,
        text,
      );
    }),
    { numRuns: 3000 },
  );
});

test('signing bytes are domain || newline || canonical bytes, and domains are validated', () => {
  const bytes = signingBytes('witan/v1/ballot', { b: 2, a: 1 });
  assert.equal(new TextDecoder().decode(bytes), 'witan/v1/ballot\n{"a":1,"b":2}');
  assert.notDeepEqual(signingBytes('witan/v1/motion', { a: 1 }), signingBytes('witan/v1/ballot', { a: 1 }));
  for (const bad of ['witan/v2/x', 'other/v1/x', 'witan/v1/X', 'witan/v1/a\nb', 'witan/v1/']) {
    assert.equal(
      codeOf(() => signingBytes(bad, 1)),
      'UNSUPPORTED_VALUE',
    );
  }
});

test('base64 and hex have exactly one accepted spelling per byte string', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
      assert.deepEqual(fromHex(toHex(bytes)), bytes);
    }),
  );
  assert.equal(
    codeOf(() => fromBase64('QQ')),
    'BAD_ENCODING',
  ); // missing padding
  assert.equal(
    codeOf(() => fromBase64('QR==')),
    'BAD_ENCODING',
  ); // stray bits
  assert.equal(
    codeOf(() => fromBase64('QQ==\n')),
    'BAD_ENCODING',
  );
  assert.equal(
    codeOf(() => fromBase64('QUJD', 2)),
    'BAD_ENCODING',
  );
  // Exactly the grouped RFC 4648 language: groups of four, the last one padded with = or ==.
  const grouped = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('A', 'Q', 'g', '+', '/', '=', '-', ' '), maxLength: 12 }),
      (text) => {
        const accepted = codeOf(() => fromBase64(text)) === undefined;
        if (accepted) assert.ok(grouped.test(text), text);
        else if (grouped.test(text))
          assert.notEqual(toBase64(new Uint8Array(Buffer.from(text, 'base64'))), text);
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(
    codeOf(() => fromHex('AB')),
    'BAD_ENCODING',
  );
  assert.equal(
    codeOf(() => fromHex('abc')),
    'BAD_ENCODING',
  );
});
