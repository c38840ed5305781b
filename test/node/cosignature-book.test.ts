// The checkpoint note a root serves carries, beside the members' cosignatures, the federation's
// signature (type 0x01, name = origin, key = the federation key) and members' ML-DSA-44
// cosignatures (type 0x06): each is verified before it is kept, travels in peers' notes, and
// counts for a quorum only as the policy says; the note never exceeds the lines a stock C2SP
// verifier reads. The note shared with other members every few seconds leaves out ML-DSA-44
// lines it sent lately, and a member still gets every line within a bound, whatever was lost.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { utf8Bytes } from '../../src/codec/index.ts';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  formatNote,
  generateKeyPair,
  ML_DSA_44_SIGNATURE_BYTES,
  mlDsaCosignatureSigner,
  mlDsaKeyPairFromSeed,
  NOTE_SIGNATURES_MAX,
  noteKeyId,
  parseNote,
  sign,
  signNote,
} from '../../src/crypto/index.ts';
import { checkpointSubtree } from '../../src/ledger/index.ts';
import { CosignatureBook, type Cosigner, ML_DSA_RESHARE_MS } from '../../src/node/cosignature-book.ts';
import { COSIGN_REFRESH_MS } from '../../src/node/root.ts';
import { nodeVerifies } from '../crypto/plain-ed25519.ts';

const ORIGIN = 'book.witan.test';

function books(n: number) {
  const members = Array.from({ length: n }, (_, i) => {
    const node = generateKeyPair();
    const pq = mlDsaKeyPairFromSeed(new Uint8Array(32).fill(i + 1));
    return { name: `m${String(i).padStart(2, '0')}`, node, pq };
  });
  const cosigners: Cosigner[] = members.map((m) => ({
    name: m.name,
    nodeKey: m.node.publicKey,
    mlDsaKey: m.pq.publicKey,
  }));
  const make = () => new CosignatureBook(ORIGIN, ed25519NoteSigner(ORIGIN, generateKeyPair().secretKey));
  return { members, cosigners, make };
}

test('the federation line: kept only if it verifies under the key in force, plain Ed25519, and it travels in a peer note', () => {
  const { members, cosigners, make } = books(4);
  const federation = generateKeyPair();
  const a = make();
  const b = make();
  for (const book of [a, b]) {
    book.setTree(10, new Uint8Array(32).fill(3));
    book.setFederationKey(federation.publicKey);
  }
  const text = utf8Bytes(a.text);
  assert.equal(a.addFederationSignature(sign(generateKeyPair().secretKey, text)), false, 'another key');
  assert.equal(a.federationSigned, false);
  const signature = sign(federation.secretKey, text);
  assert.equal(a.addFederationSignature(signature), true);
  a.cosignOwn(cosignatureSigner(members[0]!.name, members[0]!.node.secretKey, 1000));
  const note = parseNote(a.note());
  const line = note.signatures[1]!;
  assert.equal(line.name, ORIGIN);
  assert.equal(line.keyId, noteKeyId(ORIGIN, 0x01, federation.publicKey));
  assert.ok(nodeVerifies(federation.publicKey, utf8Bytes(note.text), line.signature));
  // b learns it from a's note.
  assert.equal(b.add(a.note(), cosigners).kind, 'added');
  assert.equal(b.federationSigned, true);
  // A new tree drops it; a new key too.
  b.setTree(11, new Uint8Array(32).fill(4));
  assert.equal(b.federationSigned, false);
});

test('ML-DSA-44 lines: one per member per tree, verified before kept, and counted when the policy requires them', () => {
  const { members, cosigners, make } = books(4);
  const a = make();
  const b = make();
  for (const book of [a, b]) book.setTree(5, new Uint8Array(32).fill(9));
  const [m0, m1] = members as [(typeof members)[0], (typeof members)[0]];
  a.cosignOwn(cosignatureSigner(m0.name, m0.node.secretKey, 1000));
  a.cosignOwnMlDsa(mlDsaCosignatureSigner(m0.name, m0.pq, 1000, checkpointSubtree));
  a.cosignOwnMlDsa(mlDsaCosignatureSigner(m0.name, m0.pq, 2000, checkpointSubtree));
  assert.equal(
    parseNote(a.note()).signatures.filter((s) => s.name === m0.name).length,
    2,
    'one Ed25519 and one ML-DSA line',
  );
  b.cosignOwn(cosignatureSigner(m1.name, m1.node.secretKey, 1000));
  assert.equal(b.add(a.note(), cosigners).kind, 'added');
  assert.deepEqual(b.mlDsaCosigners(), [m0.name]);
  assert.equal(b.count([m0.name, m1.name]), 2);
  assert.equal(b.count([m0.name, m1.name], true), 1, 'm1 has no ML-DSA cosignature yet');
  // An ML-DSA line by m1's name made with m0's key does not verify: not kept.
  const wrong = mlDsaCosignatureSigner(m1.name, m0.pq, 1000, checkpointSubtree);
  const forged = signNote(b.text, [cosignatureSigner(m1.name, m1.node.secretKey, 1001), wrong]);
  b.add(forged, cosigners);
  assert.deepEqual(b.mlDsaCosigners(), [m0.name]);
});

test('a note never holds more lines than a stock verifier reads: ML-DSA lines give way first', () => {
  const { members, cosigners, make } = books(64);
  const a = make();
  a.setTree(7, new Uint8Array(32).fill(1));
  const notes = members.map((m) => {
    const b = make();
    b.setTree(7, new Uint8Array(32).fill(1));
    b.cosignOwn(cosignatureSigner(m.name, m.node.secretKey, 1000));
    b.cosignOwnMlDsa(mlDsaCosignatureSigner(m.name, m.pq, 1000, checkpointSubtree));
    return b.note();
  });
  for (const note of notes) a.add(note, cosigners);
  assert.equal(a.mlDsaCosigners().length, 64);
  const served = parseNote(a.note()).signatures;
  assert.equal(served.length, NOTE_SIGNATURES_MAX);
  assert.equal(
    served.filter(
      (s) =>
        s.keyId ===
        noteKeyId(s.name, 0x04, cosigners.find((c) => c.name === s.name)?.nodeKey ?? new Uint8Array(32)),
    ).length,
    64,
    'every Ed25519 cosignature stays',
  );
});

test('a peer note re-sharing lines this root holds counts them; a forged line by a member, beside its held one, counts nothing of it', () => {
  const { members, cosigners, make } = books(3);
  const [a, b, c] = [make(), make(), make()];
  const root = new Uint8Array(32).fill(9);
  for (const book of [a, b, c]) book.setTree(5, root);
  const [m0, m1, m2] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
  b.cosignOwn(cosignatureSigner(m1.name, m1.node.secretKey, 1_000));
  c.cosignOwn(cosignatureSigner(m2.name, m2.node.secretKey, 1_000));
  a.cosignOwn(cosignatureSigner(m0.name, m0.node.secretKey, 1_000));
  assert.deepEqual(a.add(b.note(), cosigners), { kind: 'added', names: [m1.name] });
  // c has taken b's line too: its note carries a line a holds already, and c's own.
  c.add(b.note(), cosigners);
  assert.deepEqual(a.add(c.note(), cosigners), { kind: 'added', names: [m1.name, m2.name] });
  assert.deepEqual(a.cosigners(), [m0.name, m1.name, m2.name]);
  // A note in which m2's line is forged (its signature bytes altered) beside m1's held line.
  const parsed = parseNote(c.note());
  const forged = parsed.signatures.map((s) =>
    s.name === m2.name
      ? { ...s, signature: Uint8Array.from(s.signature, (x, i) => (i === 20 ? x ^ 1 : x)) }
      : s,
  );
  const fresh = make();
  fresh.setTree(5, root);
  fresh.add(b.note(), cosigners);
  assert.deepEqual(fresh.add(formatNote(parsed.text, forged), cosigners), {
    kind: 'added',
    names: [m1.name],
  });
  assert.deepEqual(fresh.cosigners(), [m1.name], 'the forged line of m2 is not kept');
  // And a forged copy of a line the root holds is no line at all: m1's real one stays.
  const forgedHeld = parsed.signatures
    .filter((s) => s.name === m1.name)
    .map((s) => ({ ...s, signature: Uint8Array.from(s.signature, (x, i) => (i === 20 ? x ^ 1 : x)) }));
  assert.equal(fresh.add(formatNote(parsed.text, forgedHeld), cosigners).kind, 'ignored');
  assert.deepEqual(fresh.cosigners(), [m1.name]);
});

/** The names on a note's ML-DSA-44 lines (their signatures: an 8-byte timestamp and the signature). */
const mlDsaNames = (note: string) =>
  parseNote(note)
    .signatures.filter((s) => s.signature.length === 8 + ML_DSA_44_SIGNATURE_BYTES)
    .map((s) => s.name);

/** A note from member `m`'s own book on `tree`: its cosignature and its ML-DSA-44 line. */
function ownNote(make: () => CosignatureBook, m: ReturnType<typeof books>['members'][0], tree: number) {
  const book = make();
  book.setTree(tree, new Uint8Array(32).fill(tree));
  book.cosignOwn(cosignatureSigner(m.name, m.node.secretKey, 1_000));
  book.cosignOwnMlDsa(mlDsaCosignatureSigner(m.name, m.pq, 1_000, checkpointSubtree));
  return book.note();
}

test('a shared note carries the ML-DSA-44 lines when they are new, whole or due again, and leaves out repeats', () => {
  const { members, cosigners, make } = books(3);
  const [m0, m1, m2] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
  const a = make();
  a.setTree(5, new Uint8Array(32).fill(5));
  a.cosignOwn(cosignatureSigner(m0.name, m0.node.secretKey, 1_000));
  assert.deepEqual(mlDsaNames(a.shareNote(0)), [], 'no line yet');
  a.cosignOwnMlDsa(mlDsaCosignatureSigner(m0.name, m0.pq, 1_000, checkpointSubtree));
  assert.deepEqual(mlDsaNames(a.shareNote(1_000)), [m0.name], 'its own new line');
  const lean = a.shareNote(1_000 + COSIGN_REFRESH_MS);
  assert.deepEqual(mlDsaNames(lean), [], 'sent already');
  assert.deepEqual(
    parseNote(lean).signatures.map((s) => s.name),
    [ORIGIN, m0.name],
    'every other line stays',
  );
  assert.deepEqual(mlDsaNames(a.note()), [m0.name], 'what the root serves keeps every line');
  const m1Note = ownNote(make, m1, 5);
  a.add(m1Note, cosigners);
  assert.deepEqual(mlDsaNames(a.shareNote(2_000 + COSIGN_REFRESH_MS)), [m0.name, m1.name], 'a line taken');
  assert.deepEqual(mlDsaNames(a.shareNote(3_000 + COSIGN_REFRESH_MS)), []);
  assert.deepEqual(mlDsaNames(a.shareNote(4_000 + COSIGN_REFRESH_MS, true)), [m0.name, m1.name], 'whole');
  assert.deepEqual(mlDsaNames(a.shareNote(4_000 + ML_DSA_RESHARE_MS - 1)), []);
  assert.deepEqual(
    mlDsaNames(a.shareNote(4_000 + COSIGN_REFRESH_MS + ML_DSA_RESHARE_MS)),
    [m0.name, m1.name],
    'due',
  );
  assert.deepEqual(mlDsaNames(a.shareNote(0)), [m0.name, m1.name], 'a clock set back');
  // A held line is not new: the same note again changes nothing.
  a.add(m1Note, cosigners);
  assert.deepEqual(mlDsaNames(a.shareNote(1)), []);
  // A new tree starts over: its first line goes out at once.
  a.setTree(6, new Uint8Array(32).fill(6));
  a.add(ownNote(make, m2, 6), cosigners);
  assert.deepEqual(mlDsaNames(a.shareNote(2)), [m2.name]);
});

test('property: whatever shared notes are lost, a member holds every line of the sharer once it has received a reshare period of them', () => {
  const { members, cosigners, make } = books(4);
  const tree = 9;
  // Each member's own note on the tree, made once: ML-DSA-44 signing is slow.
  const notes = members.map((m) => ownNote(make, m, tree));
  const step = fc.oneof(
    fc.record({ kind: fc.constant('line' as const), from: fc.integer({ min: 1, max: 3 }) }),
    fc.record({
      kind: fc.constant('share' as const),
      lost: fc.boolean(),
      late: fc.integer({ min: 0, max: 1_000 }),
    }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const a = make();
      const b = make();
      for (const book of [a, b]) book.setTree(tree, new Uint8Array(32).fill(tree));
      a.add(notes[0]!, cosigners);
      let now = 0;
      // The refresh timer: each share comes at most COSIGN_REFRESH_MS (plus timer lateness) after the last.
      const share = (lost: boolean, late: number) => {
        now += COSIGN_REFRESH_MS + late;
        const note = a.shareNote(now);
        if (!lost) b.add(note, cosigners);
      };
      for (const s of steps) {
        if (s.kind === 'line') a.add(notes[s.from]!, cosigners);
        else share(s.lost, s.late);
      }
      // Then nothing is lost for one reshare period and one refresh more.
      const until = now + ML_DSA_RESHARE_MS + COSIGN_REFRESH_MS;
      while (now < until) share(false, 0);
      assert.deepEqual(b.mlDsaCosigners(), a.mlDsaCosigners());
    }),
    { numRuns: 100 },
  );
});
