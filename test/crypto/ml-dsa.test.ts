import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import {
  cosignatureSigner,
  cosignatureVerifier,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  keyPairFromSeed,
  ML_DSA_44_COSIGNATURE_TYPE,
  ML_DSA_44_SIGNATURE_BYTES,
  mlDsaCosignatureSigner,
  mlDsaCosignatureTimestamp,
  mlDsaCosignatureVerifier,
  mlDsaKeyPairFromSeed,
  mlDsaSign,
  mlDsaVerify,
  mlDsaVkey,
  NoteError,
  noteKeyId,
  openNote,
  parseMlDsaVkey,
  parseNote,
  parseVkey,
  sha256,
  signNote,
  subtreeCosignatureMessage,
} from '../../src/crypto/index.ts';
import { checkpointSubtree } from '../../src/ledger/index.ts';
import { thrownCode } from '../helpers/thrown.ts';

const DIR = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'ml-dsa');
const TORCHWOOD_VKEY = readFileSync(join(DIR, 'torchwood-mldsa-log.vkey'), 'utf8').trim();
const TORCHWOOD_NOTE = readFileSync(join(DIR, 'torchwood-mldsa-log.note'), 'utf8');
const CHECKPOINT = 'example.org/witan\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

const pq = mlDsaKeyPairFromSeed(sha256(utf8Bytes('pq member')));
const log = keyPairFromSeed(sha256(utf8Bytes('log')));
const witness = keyPairFromSeed(sha256(utf8Bytes('witness')));

const code = (fn: () => unknown): string => thrownCode(fn, NoteError);

test('the torchwood ML-DSA-44 checkpoint (an independent implementation) verifies, and any changed byte does not', () => {
  const verifier = parseMlDsaVkey(TORCHWOOD_VKEY, checkpointSubtree);
  assert.equal(verifier.name, 'example.com/mldsa-log');
  assert.equal(verifier.keyId, 0xb5df45c5);
  const opened = openNote(TORCHWOOD_NOTE, [verifier]);
  assert.equal(opened.verified.length, 1);
  assert.equal(mlDsaCosignatureTimestamp(opened.verified[0]!), 0);
  assert.equal(
    mlDsaVkey(verifier.name, fromBase64(TORCHWOOD_VKEY.split('+').slice(2).join('+')).subarray(1)),
    TORCHWOOD_VKEY,
  );
  const { text, signatures } = parseNote(TORCHWOOD_NOTE);
  const sig = signatures[0]!.signature;
  fc.assert(
    fc.property(fc.nat(sig.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const changed = sig.slice();
      changed[at]! ^= mask;
      assert.equal(verifier.verify(utf8Bytes(text), changed), false);
    }),
    { numRuns: 50 },
  );
  assert.equal(verifier.verify(utf8Bytes(text.replace('\n1\n', '\n2\n')), sig), false);
});

test('a checkpoint carries a log signature, a cosignature/v1 and an ML-DSA-44 cosignature, each verified by its own key', () => {
  const signers = [
    ed25519NoteSigner('example.org/witan', log.secretKey),
    cosignatureSigner('witness.example/w1', witness.secretKey, 1_700_000_000),
    mlDsaCosignatureSigner('member.example/pq', pq, 1_700_000_001, checkpointSubtree),
  ];
  const note = signNote(CHECKPOINT, signers);
  const verifiers = [
    ed25519NoteVerifier('example.org/witan', log.publicKey),
    cosignatureVerifier('witness.example/w1', witness.publicKey),
    parseMlDsaVkey(mlDsaVkey('member.example/pq', pq.publicKey), checkpointSubtree),
  ];
  const opened = openNote(note, verifiers);
  assert.equal(opened.verified.length, 3);
  const pqLine = opened.verified[2]!;
  assert.equal(pqLine.keyId, noteKeyId('member.example/pq', ML_DSA_44_COSIGNATURE_TYPE, pq.publicKey));
  assert.equal(pqLine.signature.length, 8 + ML_DSA_44_SIGNATURE_BYTES);
  assert.equal(mlDsaCosignatureTimestamp(pqLine), 1_700_000_001);
  // A verifier that knows only the ML-DSA key accepts the note on that line alone.
  assert.equal(openNote(note, [verifiers[2]!]).verified.length, 1);
  // The line is bound to its cosigner's name: the same key under another name does not verify.
  const renamed = note.replace('— member.example/pq ', '— other.example/pq ');
  const other = mlDsaCosignatureVerifier('other.example/pq', pq.publicKey, checkpointSubtree);
  assert.equal(
    code(() => openNote(renamed, [{ ...other, keyId: pqLine.keyId }])),
    'BAD_SIGNATURE',
  );
  // A changed root hash breaks every line.
  const forged = note.replace('CsUYapGG', 'DsUYapGG');
  for (const v of verifiers)
    assert.equal(
      code(() => openNote(forged, [v])),
      'BAD_SIGNATURE',
    );
});

test('the ML-DSA-44 message covers origin, size and root, not extension lines (as the spec says)', () => {
  const withExtension = `${CHECKPOINT}extension line\n`;
  const signer = mlDsaCosignatureSigner('member.example/pq', pq, 5, checkpointSubtree);
  const verifier = mlDsaCosignatureVerifier('member.example/pq', pq.publicKey, checkpointSubtree);
  const signature = signer.sign(utf8Bytes(withExtension));
  assert.equal(verifier.verify(utf8Bytes(CHECKPOINT), signature), true);
  assert.equal(verifier.verify(utf8Bytes('not a checkpoint\n'), signature), false);
  const message = subtreeCosignatureMessage('n', 7, {
    origin: 'o',
    start: 0,
    end: 3,
    hash: new Uint8Array(32).fill(1),
  });
  assert.equal(
    toHex(message),
    `${toHex(utf8Bytes('subtree/v1\n\0'))}016e${'0000000000000007'}016f${'0'.repeat(16)}${'0000000000000003'}${'01'.repeat(32)}`,
  );
  assert.throws(
    () => subtreeCosignatureMessage('n', 7, { origin: 'o', start: 2, end: 3, hash: new Uint8Array(32) }),
    RangeError,
  );
  assert.throws(
    () => subtreeCosignatureMessage('', 0, { origin: 'o', start: 0, end: 3, hash: new Uint8Array(32) }),
    RangeError,
  );
});

test('ML-DSA-44 keys, signatures and vkeys: deterministic keys, verification never throws, bad vkeys refused', () => {
  assert.deepEqual(mlDsaKeyPairFromSeed(sha256(utf8Bytes('pq member'))).publicKey, pq.publicKey);
  const message = utf8Bytes('hello');
  const signature = mlDsaSign(pq.secretKey, message);
  assert.equal(mlDsaVerify(pq.publicKey, message, signature), true);
  assert.equal(mlDsaVerify(pq.publicKey, utf8Bytes('hellO'), signature), false);
  assert.equal(mlDsaVerify(pq.publicKey.subarray(1), message, signature), false);
  assert.equal(mlDsaVerify(pq.publicKey, message, signature.subarray(1)), false);
  assert.equal(mlDsaVerify(new Uint8Array(1312).fill(0xff), message, signature), false);
  const ed = parseVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
  assert.equal(ed.keyId, 0xc74f20a3);
  assert.equal(
    code(() =>
      parseMlDsaVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', checkpointSubtree),
    ),
    'BAD_VKEY',
  );
  assert.equal(
    code(() => parseVkey(mlDsaVkey('member.example/pq', pq.publicKey))),
    'BAD_VKEY',
  );
  const tamperedId = mlDsaVkey('member.example/pq', pq.publicKey).replace(/\+[0-9a-f]{8}\+/, '+00000000+');
  assert.equal(
    code(() => parseMlDsaVkey(tamperedId, checkpointSubtree)),
    'BAD_VKEY',
  );
  assert.equal(
    code(() => parseMlDsaVkey(`${'x'.repeat(3000)}`, checkpointSubtree)),
    'BAD_VKEY',
  );
  assert.equal(
    code(() => mlDsaCosignatureVerifier('n', new Uint8Array(10), checkpointSubtree)),
    'BAD_VKEY',
  );
});
