import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromBase64, toBase64 } from '../../src/codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  ED25519_NOTE_TYPE,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatNote,
  keyPairFromSeed,
  NOTE_BYTES_MAX,
  NOTE_SIGNATURES_MAX,
  NoteError,
  type NoteSignature,
  noteKeyId,
  openNote,
  parseNote,
  parseVkey,
  sha256,
  signNote,
  vkeyString,
} from '../../src/crypto/index.ts';
import { thrownCode } from '../helpers/thrown.ts';

// The example of golang.org/x/mod/sumdb/note (and earlier c2sp.org/signed-note drafts).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SEED = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').subarray(1);
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_NOTE = `${PETER_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const seed = (label: string) => sha256(new TextEncoder().encode(label));
const alice = keyPairFromSeed(seed('alice'));
const bob = keyPairFromSeed(seed('bob'));

const code = (fn: () => unknown): string => thrownCode(fn, NoteError);

test('the PeterNeumann example verifies, and signing reproduces it byte for byte', () => {
  const verifier = parseVkey(PETER_VKEY);
  assert.equal(verifier.keyId, 0xc74f20a3);
  const opened = openNote(PETER_NOTE, [verifier]);
  assert.equal(opened.text, PETER_TEXT);
  assert.equal(opened.verified.length, 1);
  assert.equal(signNote(PETER_TEXT, [ed25519NoteSigner('PeterNeumann', PETER_SEED)]), PETER_NOTE);
  const publicKey = keyPairFromSeed(PETER_SEED).publicKey;
  assert.equal(vkeyString('PeterNeumann', ED25519_NOTE_TYPE, publicKey), PETER_VKEY);
  assert.equal(openNote(new TextEncoder().encode(PETER_NOTE), [verifier]).text, PETER_TEXT);
});

test('key ID is the first four bytes of SHA-256(name || 0x0A || type || key), big-endian', () => {
  const digest = sha256(new TextEncoder().encode('a.example\n'), new Uint8Array([4]), alice.publicKey);
  const expected = new DataView(digest.buffer).getUint32(0, false);
  assert.equal(noteKeyId('a.example', COSIGNATURE_V1_TYPE, alice.publicKey), expected);
  assert.notEqual(
    noteKeyId('a.example', ED25519_NOTE_TYPE, alice.publicKey),
    noteKeyId('a.example', COSIGNATURE_V1_TYPE, alice.publicKey),
  );
});

test('a note signed by several keys round-trips through parse and format', () => {
  const text = 'witan/demo\n3\nAAAA\n\nwith a blank line above\n';
  const note = signNote(text, [
    ed25519NoteSigner('witan/demo', alice.secretKey),
    cosignatureSigner('bob.example', bob.secretKey, 1_700_000_000),
  ]);
  const parsed = parseNote(note);
  assert.equal(parsed.text, text);
  assert.equal(formatNote(parsed.text, parsed.signatures), note);
  const opened = openNote(note, [
    ed25519NoteVerifier('witan/demo', alice.publicKey),
    cosignatureVerifier('bob.example', bob.publicKey),
  ]);
  assert.equal(opened.verified.length, 2);
  assert.equal(cosignatureTimestamp(opened.verified[1]!), 1_700_000_000);
});

test('unknown keys are ignored, but at least one known key must verify', () => {
  const note = signNote('hello\n', [
    ed25519NoteSigner('alice', alice.secretKey),
    ed25519NoteSigner('bob', bob.secretKey),
  ]);
  const opened = openNote(note, [ed25519NoteVerifier('alice', alice.publicKey)]);
  assert.deepEqual(
    opened.unknown.map((s) => s.name),
    ['bob'],
  );
  assert.equal(
    code(() => openNote(note, [])),
    'UNVERIFIED',
  );
  // Same name, other key (so other key ID): unknown, not bad.
  assert.equal(
    code(() => openNote(note, [ed25519NoteVerifier('carol', alice.publicKey)])),
    'UNVERIFIED',
  );
});

test('a bad signature by a known key rejects the whole note', () => {
  const good = ed25519NoteSigner('alice', alice.secretKey);
  const forged = { ...good, sign: () => new Uint8Array(64).fill(7) };
  const note = signNote('hello\n', [ed25519NoteSigner('bob', bob.secretKey), forged]);
  const verifiers = [
    ed25519NoteVerifier('alice', alice.publicKey),
    ed25519NoteVerifier('bob', bob.publicKey),
  ];
  assert.equal(
    code(() => openNote(note, verifiers)),
    'BAD_SIGNATURE',
  );
  // A good and a bad copy by the same key: still rejected (stricter than Go, which checks the first only).
  const both = formatNote('hello\n', [
    ...parseNote(signNote('hello\n', [good])).signatures,
    ...parseNote(signNote('hello\n', [forged])).signatures,
  ]);
  assert.equal(
    code(() => openNote(both, verifiers)),
    'BAD_SIGNATURE',
  );
});

test('malformed notes are refused with MALFORMED_NOTE or TOO_LARGE', () => {
  const sigLine = PETER_NOTE.slice(PETER_TEXT.length + 1);
  const b64 = sigLine.slice('— PeterNeumann '.length, -1);
  const raw = fromBase64(b64);
  const cases: Array<[string, string | Uint8Array, string]> = [
    ['no blank line', PETER_TEXT + sigLine, 'MALFORMED_NOTE'],
    ['no final newline', PETER_NOTE.slice(0, -1), 'MALFORMED_NOTE'],
    ['hyphen instead of em dash', PETER_NOTE.replace('—', '-'), 'MALFORMED_NOTE'],
    ['no space after the dash', PETER_NOTE.replace('— ', '—'), 'MALFORMED_NOTE'],
    ['no signature lines', `${PETER_TEXT}\n`, 'MALFORMED_NOTE'],
    ['blank line after signatures', `${PETER_NOTE}\n`, 'MALFORMED_NOTE'],
    ['tab in text', PETER_NOTE.replace('If you', 'If\tyou'), 'MALFORMED_NOTE'],
    ['carriage return', PETER_NOTE.replace(/\n/g, '\r\n'), 'MALFORMED_NOTE'],
    ['name with +', PETER_NOTE.replace('PeterNeumann x', 'Peter+Neumann x'), 'MALFORMED_NOTE'],
    ['empty name', PETER_NOTE.replace('PeterNeumann x', ' x'), 'MALFORMED_NOTE'],
    ['unpadded base64', PETER_NOTE.replace('AM=\n', 'AM\n'), 'MALFORMED_NOTE'],
    ['non-canonical base64 (stray bits)', PETER_NOTE.replace('AM=\n', 'AN=\n'), 'MALFORMED_NOTE'],
    ['signature of only a key ID', PETER_NOTE.replace(b64, toBase64(raw.subarray(0, 4))), 'MALFORMED_NOTE'],
    ['invalid UTF-8', new Uint8Array([...new TextEncoder().encode(PETER_NOTE), 0xff]), 'MALFORMED_NOTE'],
    ['lone surrogate', PETER_NOTE.replace('If', '\ud800'), 'MALFORMED_NOTE'],
    ['too many signatures', `${PETER_TEXT}\n${sigLine.repeat(NOTE_SIGNATURES_MAX + 1)}`, 'TOO_LARGE'],
    ['too many bytes', 'x'.repeat(NOTE_BYTES_MAX) + PETER_NOTE, 'TOO_LARGE'],
  ];
  for (const [name, note, expected] of cases) {
    assert.equal(
      code(() => parseNote(note)),
      expected,
      name,
    );
    assert.equal(
      code(() => openNote(note, [parseVkey(PETER_VKEY)])),
      expected,
      name,
    );
  }
  assert.equal(parseNote(`${PETER_TEXT}\n${sigLine.repeat(NOTE_SIGNATURES_MAX)}`).signatures.length, 100);
});

test('signNote and formatNote refuse text the parser would refuse', () => {
  const s = ed25519NoteSigner('alice', alice.secretKey);
  assert.equal(
    code(() => signNote('no newline', [s])),
    'MALFORMED_NOTE',
  );
  assert.equal(
    code(() => signNote('bell\u0007\n', [s])),
    'MALFORMED_NOTE',
  );
  assert.equal(
    code(() => signNote('ok\n', [])),
    'MALFORMED_NOTE',
  );
  assert.throws(() => ed25519NoteSigner('two words', alice.secretKey), TypeError);
  assert.throws(() => ed25519NoteSigner('a+b', alice.secretKey), TypeError);
});

test('vkeys: round trip for both types, every mangling refused', () => {
  const ed = vkeyString('witan/x', ED25519_NOTE_TYPE, alice.publicKey);
  const co = vkeyString('member-a', COSIGNATURE_V1_TYPE, alice.publicKey);
  assert.equal(parseVkey(ed).keyId, noteKeyId('witan/x', ED25519_NOTE_TYPE, alice.publicKey));
  assert.equal(parseVkey(co).keyId, noteKeyId('member-a', COSIGNATURE_V1_TYPE, alice.publicKey));
  const bad = (v: string) =>
    assert.equal(
      code(() => parseVkey(v)),
      'BAD_VKEY',
      v,
    );
  for (let i = 0; i < ed.length; i++) {
    bad(ed.slice(0, i));
    const chars = [...ed];
    chars[i] = chars[i] === 'A' ? 'B' : 'A';
    if (chars.join('') !== ed) bad(chars.join(''));
  }
  bad(ed.replace(/\+([0-9a-f]{8})\+/, (_m, h: string) => `+${h.toUpperCase()}+`));
  bad(vkeyString('x', 0x02, alice.publicKey)); // unsupported type
  const smallOrder = new Uint8Array(32);
  smallOrder[0] = 1; // the identity point
  bad(vkeyString('x', ED25519_NOTE_TYPE, smallOrder));
});

test('property: any byte change to a signed note (text or signatures) is rejected', () => {
  const text = 'witan/prop\n42\nq8BG9pmcqAzU2ZlsTLjkIOTpaFnBXGpgNmxiz4JXYu4=\n';
  const note = signNote(text, [ed25519NoteSigner('alice', alice.secretKey)]);
  const verifiers = [ed25519NoteVerifier('alice', alice.publicKey)];
  const bytes = new TextEncoder().encode(note);
  fc.assert(
    fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const mutated = bytes.slice();
      mutated[at]! ^= xor;
      assert.notEqual(
        code(() => openNote(mutated, verifiers)),
        'accepted',
      );
    }),
    { numRuns: 300 },
  );
});

test('property: signatures by unknown keys never change the outcome', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.stringMatching(/^[a-z][a-z0-9./-]{0,20}$/),
          fc.uint8Array({ minLength: 1, maxLength: 80 }),
        ),
        {
          maxLength: 10,
        },
      ),
      fc.nat(10),
      (extra, position) => {
        const text = 'some text\n';
        const own = parseNote(signNote(text, [ed25519NoteSigner('alice', alice.secretKey)])).signatures;
        const noise: NoteSignature[] = extra
          .filter(([name]) => name !== 'alice')
          .map(([name, signature]) => ({ name, keyId: noteKeyId(name, 0xff, signature), signature }));
        noise.splice(Math.min(position, noise.length), 0, ...own);
        const opened = openNote(formatNote(text, noise), [ed25519NoteVerifier('alice', alice.publicKey)]);
        assert.equal(opened.text, text);
        assert.equal(opened.verified.length, 1);
      },
    ),
    { numRuns: 100 },
  );
});

test('two verifiers with the same name and key ID are a configuration error', () => {
  const v = ed25519NoteVerifier('alice', alice.publicKey);
  assert.equal(
    code(() => openNote(PETER_NOTE, [v, { ...v }])),
    'AMBIGUOUS_KEY',
  );
});
