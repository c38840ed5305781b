import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromBase64 } from '../../src/codec/index.ts';
import { formatCheckpoint, LedgerError, parseCheckpoint } from '../../src/ledger/index.ts';

const badCheckpoint = (err: unknown): boolean => err instanceof LedgerError && err.code === 'BAD_CHECKPOINT';

// The example body from C2SP tlog-checkpoint.
const EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

test('the C2SP tlog-checkpoint example parses and formats back byte for byte', () => {
  const c = parseCheckpoint(EXAMPLE);
  assert.equal(c.origin, 'example.com/behind-the-sofa');
  assert.equal(c.size, 20852163);
  assert.deepEqual(c.rootHash, fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='));
  assert.deepEqual(c.extensions, []);
  assert.equal(formatCheckpoint(c), EXAMPLE);
  const withExtensions = `${EXAMPLE}ext one\next-two\n`;
  assert.deepEqual(parseCheckpoint(withExtensions).extensions, ['ext one', 'ext-two']);
  assert.equal(formatCheckpoint(parseCheckpoint(withExtensions)), withExtensions);
  assert.equal(parseCheckpoint('witan/x\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n').size, 0);
});

test('malformed checkpoints are refused', () => {
  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  const bad = [
    '',
    'origin\n1\n',
    `origin\n1\n${root}`, // no final newline
    `\n1\n${root}\n`, // empty origin
    `origin\n01\n${root}\n`, // leading zero
    `origin\n-1\n${root}\n`,
    `origin\n+1\n${root}\n`,
    `origin\n1.0\n${root}\n`,
    `origin\n 1\n${root}\n`,
    `origin\n99999999999999999\n${root}\n`,
    `origin\n1\n${root.slice(0, -1)}\n`, // not canonical base64
    `origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n`, // stray bits
    `origin\n1\n${root.slice(4)}AAAA\n`.replace('AAAA\n', 'AAAAAAAA\n'), // wrong length
    `origin\n1\n${root}\n\n`, // empty extension line
    `origin\n1\n${root}\n\nsig\n`,
    `ori\rgin\n1\n${root}\n`,
    `origin\n1\n${root}\r\n`,
    `origin\n1\n${root}\next\u0000\n`,
    `${'o'.repeat(257)}\n1\n${root}\n`,
    `origin\n1\n${root}\n${'e\n'.repeat(17)}`,
  ];
  for (const text of bad) assert.throws(() => parseCheckpoint(text), badCheckpoint, JSON.stringify(text));
});

test('property: format then parse is the identity', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
      fc.integer({ min: 0, max: 2 ** 52 }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.array(fc.stringMatching(/^[ -~]{1,30}$/), { maxLength: 3 }),
      (origin, size, rootHash, extensions) => {
        const c = { origin, size, rootHash, extensions };
        const text = formatCheckpoint(c);
        assert.deepEqual(parseCheckpoint(text), c);
        assert.equal(formatCheckpoint(parseCheckpoint(text)), text);
      },
    ),
    { numRuns: 300, seed: 1 },
  );
});
