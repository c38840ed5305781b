// The C2SP tlog-witness add-checkpoint body: what the auditor writes is exactly what a root
// parses, and anything else is a typed WireError that says which rule the body breaks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toBase64 } from '../../src/codec/index.ts';
import { ed25519NoteSigner, keyPairFromSeed, signNote } from '../../src/crypto/index.ts';
import { formatCheckpoint, parseCheckpoint } from '../../src/ledger/index.ts';
import {
  ADD_CHECKPOINT_BODY_BYTES_MAX,
  ADD_CHECKPOINT_PROOF_HASHES_MAX,
  formatAddCheckpointBody,
  parseAddCheckpointBody,
  WireError,
} from '../../src/wire/index.ts';

const ORIGIN = 'test.witan';
const LOG = keyPairFromSeed(new Uint8Array(32).fill(7));

function note(size: number, rootByte = 1): string {
  const text = formatCheckpoint({
    origin: ORIGIN,
    size,
    rootHash: new Uint8Array(32).fill(rootByte),
    extensions: [],
  });
  return signNote(text, [ed25519NoteSigner(ORIGIN, LOG.secretKey)]);
}

const parse = (body: unknown) => parseAddCheckpointBody(body, parseCheckpoint);

function isWireError(code: string) {
  return (e: unknown) => e instanceof WireError && e.code === code && e.message.length > 20;
}

test('the body is "old N", one base64 line per proof hash, a blank line, then the note', () => {
  assert.equal(
    formatAddCheckpointBody({ oldSize: 3, proof: [new Uint8Array(32)], note: 'n\n' }),
    `old 3\n${'A'.repeat(43)}=\n\nn\n`,
  );
  const n = note(10);
  const parsed = parse(`old 0\n\n${n}`);
  assert.deepEqual(
    { oldSize: parsed.oldSize, proof: parsed.proof, note: parsed.note, size: parsed.checkpoint.size },
    { oldSize: 0, proof: [], note: n, size: 10 },
  );
});

test('round trip: every body the writer makes parses back to the same request', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 40 }),
      fc.nat(),
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
        maxLength: ADD_CHECKPOINT_PROOF_HASHES_MAX,
      }),
      (size, old, hashes) => {
        const oldSize = old % size; // below the checkpoint's size: any proof length is allowed
        const request = { oldSize, proof: hashes, note: note(size) };
        const body = formatAddCheckpointBody(request);
        const back = parse(body);
        assert.deepEqual({ oldSize: back.oldSize, proof: back.proof, note: back.note }, request);
        assert.equal(back.checkpoint.size, size);
        assert.equal(formatAddCheckpointBody(back), body);
      },
    ),
    { numRuns: 200 },
  );
});

test('the writer refuses what the parser would refuse', () => {
  const n = note(5);
  for (const request of [
    { oldSize: -1, proof: [], note: n },
    { oldSize: 1.5, proof: [], note: n },
    { oldSize: 1, proof: [new Uint8Array(31)], note: n },
    {
      oldSize: 1,
      proof: Array.from({ length: ADD_CHECKPOINT_PROOF_HASHES_MAX + 1 }, () => new Uint8Array(32)),
      note: n,
    },
  ]) {
    assert.throws(() => formatAddCheckpointBody(request), isWireError('BAD_ADD_CHECKPOINT'));
  }
  assert.throws(
    () => formatAddCheckpointBody({ oldSize: 0, proof: [], note: 'x'.repeat(ADD_CHECKPOINT_BODY_BYTES_MAX) }),
    isWireError('TOO_LARGE'),
  );
});

test('each broken rule is a BAD_ADD_CHECKPOINT error naming it; oversize is TOO_LARGE', () => {
  const n = note(600);
  const hash = `${toBase64(new Uint8Array(32))}\n`;
  const cases: Array<[unknown, string, RegExp]> = [
    [42, 'BAD_ADD_CHECKPOINT', /as text/],
    ['garbage', 'BAD_ADD_CHECKPOINT', /no blank line/],
    [`old 300\n${n}`, 'BAD_ADD_CHECKPOINT', /first line|base64|malformed/],
    [`old 0300\n\n${n}`, 'BAD_ADD_CHECKPOINT', /old <size>/],
    [`old -1\n\n${n}`, 'BAD_ADD_CHECKPOINT', /old <size>/],
    [`new 300\n\n${n}`, 'BAD_ADD_CHECKPOINT', /old <size>/],
    [`old 601\n\n${n}`, 'BAD_ADD_CHECKPOINT', /larger than the checkpoint's size 600/],
    [`old 600\n${hash}\n${n}`, 'BAD_ADD_CHECKPOINT', /same size is empty/],
    [`old 300\n${hash.replace('=', '')}\n${n}`, 'BAD_ADD_CHECKPOINT', /proof line 1/],
    [`old 300\n${hash.repeat(64)}\n${n}`, 'BAD_ADD_CHECKPOINT', /at most 63/],
    ['old 300\n\nnot a note\n', 'BAD_ADD_CHECKPOINT', /checkpoint note is malformed/],
    [`old 300\n\n${n.replace('600', '60x')}`, 'BAD_ADD_CHECKPOINT', /checkpoint note is malformed/],
    [`old 300\n\n${n}${'x'.repeat(70 * 1024)}`, 'TOO_LARGE', /over 65536 bytes/],
  ];
  for (const [body, code, why] of cases) {
    assert.throws(
      () => parse(body),
      (e: unknown) => isWireError(code)(e) && why.test((e as Error).message),
      String(body).slice(0, 40),
    );
  }
});

test('fuzz: random and mutated bodies parse or throw WireError, never anything else', () => {
  const sample = formatAddCheckpointBody({ oldSize: 2, proof: [new Uint8Array(32).fill(9)], note: note(8) });
  const tryParse = (body: string) => {
    try {
      parse(body);
    } catch (e) {
      assert.ok(e instanceof WireError, String(e));
    }
  };
  fc.assert(
    fc.property(
      fc.string({ maxLength: 300 }),
      fc.nat(sample.length),
      fc.string({ maxLength: 4 }),
      (noise, at, cut) => {
        tryParse(noise);
        tryParse(sample.slice(0, at) + cut + sample.slice(at + cut.length));
      },
    ),
    { numRuns: 1000 },
  );
});
