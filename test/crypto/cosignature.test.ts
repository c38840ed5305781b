import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { utf8Bytes } from '../../src/codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
  ED25519_NOTE_TYPE,
  ed25519NoteVerifier,
  formatNote,
  keyPairFromSeed,
  NoteError,
  noteKeyId,
  openNote,
  parseNote,
  parseVkey,
  sha256,
  sign,
  signNote,
  verifySignature,
  vkeyString,
} from '../../src/crypto/index.ts';
import { thrownCode } from '../helpers/thrown.ts';

const CHECKPOINT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const witness = keyPairFromSeed(sha256(utf8Bytes('witness')));

const code = (fn: () => unknown): string => thrownCode(fn, NoteError);

test('the signed message is "cosignature/v1\\ntime <t>\\n" followed by the whole checkpoint text', () => {
  const message = new TextDecoder().decode(cosignatureMessage(1679315147, utf8Bytes(CHECKPOINT)));
  assert.equal(message, `cosignature/v1\ntime 1679315147\n${CHECKPOINT}`);
  assert.equal(
    new TextDecoder().decode(cosignatureMessage(0, utf8Bytes(CHECKPOINT))).split('\n')[1],
    'time 0',
  );
});

test('a cosignature is u64 big-endian timestamp || Ed25519 signature over that message, key ID type 0x04', () => {
  const signer = cosignatureSigner('witness.example/w1', witness.secretKey, 1679315147);
  assert.equal(signer.keyId, noteKeyId('witness.example/w1', COSIGNATURE_V1_TYPE, witness.publicKey));
  const bytes = signer.sign(utf8Bytes(CHECKPOINT));
  assert.equal(bytes.length, 72);
  assert.equal(new DataView(bytes.buffer).getBigUint64(0, false), 1679315147n);
  const message = cosignatureMessage(1679315147, utf8Bytes(CHECKPOINT));
  assert.ok(verifySignature(witness.publicKey, message, bytes.subarray(8)));
  assert.deepEqual(bytes.subarray(8), sign(witness.secretKey, message));
});

test('cosigned checkpoints open with a vkey of type 0x04 and report their timestamp', () => {
  const note = signNote(CHECKPOINT, [cosignatureSigner('w1', witness.secretKey, 1_700_000_123)]);
  const vkey = vkeyString('w1', COSIGNATURE_V1_TYPE, witness.publicKey);
  const { verified } = openNote(note, [parseVkey(vkey)]);
  assert.equal(cosignatureTimestamp(verified[0]!), 1_700_000_123);
  // The same key as a plain Ed25519 verifier has another key ID: the cosignature is unknown to it.
  assert.equal(
    code(() => openNote(note, [ed25519NoteVerifier('w1', witness.publicKey)])),
    'UNVERIFIED',
  );
});

test('property: changing the timestamp, the signature or the checkpoint breaks the cosignature', () => {
  const verifier = cosignatureVerifier('w1', witness.publicKey);
  fc.assert(
    fc.property(fc.nat(2 ** 40), fc.nat(71), fc.integer({ min: 1, max: 255 }), (t, at, xor) => {
      const signature = cosignatureSigner('w1', witness.secretKey, t).sign(utf8Bytes(CHECKPOINT));
      assert.ok(verifier.verify(utf8Bytes(CHECKPOINT), signature));
      const altered = signature.slice();
      altered[at]! ^= xor;
      assert.equal(verifier.verify(utf8Bytes(CHECKPOINT), altered), false);
      assert.equal(verifier.verify(utf8Bytes(CHECKPOINT.replace('20852163', '20852164')), signature), false);
    }),
    { numRuns: 60 },
  );
});

test('wrong lengths, timestamps past 2^53 − 1 and bad signer inputs are refused', () => {
  const verifier = cosignatureVerifier('w1', witness.publicKey);
  const good = cosignatureSigner('w1', witness.secretKey, 5).sign(utf8Bytes(CHECKPOINT));
  assert.equal(verifier.verify(utf8Bytes(CHECKPOINT), good.subarray(0, 71)), false);
  assert.equal(verifier.verify(utf8Bytes(CHECKPOINT), new Uint8Array([...good, 0])), false);
  const huge = good.slice();
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n - 1n, false);
  assert.equal(verifier.verify(utf8Bytes(CHECKPOINT), huge), false);
  const sig = { name: 'w1', keyId: verifier.keyId, signature: huge };
  assert.equal(
    code(() => cosignatureTimestamp(sig)),
    'MALFORMED_NOTE',
  );
  assert.equal(
    code(() => cosignatureTimestamp({ ...sig, signature: good.subarray(0, 64) })),
    'MALFORMED_NOTE',
  );
  assert.throws(() => cosignatureSigner('w1', witness.secretKey, -1), RangeError);
  assert.throws(() => cosignatureSigner('w1', witness.secretKey, 1.5), RangeError);
  assert.throws(() => cosignatureSigner('w1', witness.secretKey, 2 ** 53), RangeError);
});

test('a log signature and quorum cosignatures on one checkpoint, as Witan publishes them', () => {
  const log = keyPairFromSeed(sha256(utf8Bytes('log')));
  const members = [1, 2, 3].map((i) => keyPairFromSeed(sha256(utf8Bytes(`member-${i}`))));
  const logNote = signNote(CHECKPOINT, [
    {
      ...parseVkey(vkeyString('witan/demo', ED25519_NOTE_TYPE, log.publicKey)),
      sign: (m) => sign(log.secretKey, m),
    },
  ]);
  const { text, signatures } = parseNote(logNote);
  const cosigs = members.map(
    (m, i) =>
      parseNote(signNote(text, [cosignatureSigner(`member-${i + 1}`, m.secretKey, 1000 + i)])).signatures[0]!,
  );
  const full = formatNote(text, [...signatures, ...cosigs]);
  const verifiers = members.map((m, i) => cosignatureVerifier(`member-${i + 1}`, m.publicKey));
  const opened = openNote(full, verifiers);
  assert.deepEqual(opened.verified.map(cosignatureTimestamp), [1000, 1001, 1002]);
  assert.deepEqual(
    opened.unknown.map((s) => s.name),
    ['witan/demo'],
  );
});
