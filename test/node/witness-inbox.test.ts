// Checkpoint cosignatures at a root: members' cosignatures count towards the quorum, a member
// cosigning two trees of one size is a conflict, and outside witnesses trusted by the operator
// are published next to the members through C2SP tlog-witness add-checkpoint — never counted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureSigner,
  ED25519_NOTE_TYPE,
  ed25519NoteSigner,
  generateKeyPair,
  signNote,
  vkeyString,
} from '../../src/crypto/index.ts';
import { formatCheckpoint, parseCheckpoint } from '../../src/ledger/index.ts';
import { CosignatureBook } from '../../src/node/cosignature-book.ts';
import { NodeError } from '../../src/node/errors.ts';
import { WitnessInbox, witnessVerifiers } from '../../src/node/witness-inbox.ts';
import { parseAddCheckpointBody } from '../../src/wire/index.ts';

const ORIGIN = 'test.witan';
const root = (b: number) => new Uint8Array(32).fill(b);
/** An add-checkpoint request from the auditor's side: old size 0, no proof. */
const fromOldZero = (note: string) => parseAddCheckpointBody(`old 0\n\n${note}`, parseCheckpoint);

function setup() {
  const log = generateKeyPair();
  const book = new CosignatureBook(ORIGIN, ed25519NoteSigner(ORIGIN, log.secretKey));
  const members = ['alpha', 'beta', 'gamma', 'delta'].map((name) => ({ name, keys: generateKeyPair() }));
  const cosigners = members.map((m) => ({ name: m.name, nodeKey: m.keys.publicKey }));
  book.setTree(5, root(1));
  return { book, members, cosigners };
}

test('member cosignatures on the current tree count towards the quorum; bad or foreign ones do not', () => {
  const { book, members, cosigners } = setup();
  const names = members.map((m) => m.name);
  book.cosignOwn(cosignatureSigner('alpha', members[0]!.keys.secretKey, 1000));
  const beta = signNote(book.text, [cosignatureSigner('beta', members[1]!.keys.secretKey, 1001)]);
  assert.deepEqual(book.add(beta, cosigners), { kind: 'added', names: ['beta'] });
  const stranger = generateKeyPair();
  const forged = signNote(book.text, [cosignatureSigner('gamma', stranger.secretKey, 1002)]);
  assert.equal(book.add(forged, cosigners).kind, 'ignored');
  const otherSize = signNote(
    formatCheckpoint({ origin: ORIGIN, size: 4, rootHash: root(1), extensions: [] }),
    [cosignatureSigner('gamma', members[2]!.keys.secretKey, 1003)],
  );
  assert.equal(book.add(otherSize, cosigners).kind, 'ignored');
  assert.equal(book.count(names), 2);
  assert.match(book.note(), /— alpha .*\n— beta /s);
});

test('a member cosigning another root of the same size is a conflict with both signed notes', () => {
  const { book, members, cosigners } = setup();
  const beta = members[1]!;
  book.add(signNote(book.text, [cosignatureSigner('beta', beta.keys.secretKey, 1000)]), cosigners);
  const fork = signNote(formatCheckpoint({ origin: ORIGIN, size: 5, rootHash: root(2), extensions: [] }), [
    cosignatureSigner('beta', beta.keys.secretKey, 1001),
  ]);
  const result = book.add(fork, cosigners);
  assert.equal(result.kind, 'conflict');
  if (result.kind !== 'conflict') return;
  assert.equal(result.conflicts[0]!.name, 'beta');
  assert.equal(result.conflicts[0]!.theirs, fork);
  assert.match(result.conflicts[0]!.ours, /— beta /);
});

test('a trusted witness cosignature is published after the members, never counted; others are refused', async () => {
  const { book, members } = setup();
  book.cosignOwn(cosignatureSigner('alpha', members[0]!.keys.secretKey, 1000));
  const witness = generateKeyPair();
  const vkey = vkeyString('auditor', COSIGNATURE_V1_TYPE, witness.publicKey);
  const inbox = new WitnessInbox(
    book,
    witnessVerifiers(
      [vkey],
      members.map((m) => m.name),
    ),
  );
  const cosigned = signNote(book.text, [cosignatureSigner('auditor', witness.secretKey, 2000)]);
  const ok = await inbox.addCheckpoint(fromOldZero(cosigned));
  assert.equal(ok.status, 200, ok.body);
  assert.match(book.note(), /— alpha .*\n— auditor /s);
  assert.equal(book.count(members.map((m) => m.name)), 1);

  const stranger = generateKeyPair();
  const untrusted = signNote(book.text, [cosignatureSigner('auditor', stranger.secretKey, 2001)]);
  assert.equal((await inbox.addCheckpoint(fromOldZero(untrusted))).status, 403);
  const stale = signNote(formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: root(1), extensions: [] }), [
    cosignatureSigner('auditor', witness.secretKey, 2002),
  ]);
  assert.equal((await inbox.addCheckpoint(fromOldZero(stale))).status, 409);
});

test('witness config refuses non-cosignature keys and names taken by members', () => {
  const key = generateKeyPair();
  assert.throws(
    () => witnessVerifiers([vkeyString('auditor', ED25519_NOTE_TYPE, key.publicKey)], []),
    NodeError,
  );
  assert.throws(
    () => witnessVerifiers([vkeyString('alpha', COSIGNATURE_V1_TYPE, key.publicKey)], ['alpha']),
    NodeError,
  );
  assert.throws(() => witnessVerifiers(['not a vkey'], []), NodeError);
});

test('cosignatures for a tree not yet committed here are kept and counted once it is', () => {
  const { book, members, cosigners } = setup();
  const next = formatCheckpoint({ origin: ORIGIN, size: 6, rootHash: root(3), extensions: [] });
  const early = signNote(next, [cosignatureSigner('beta', members[1]!.keys.secretKey, 1000)]);
  assert.deepEqual(book.add(early, cosigners), { kind: 'ahead' });
  assert.equal(book.count(['beta']), 0);
  book.setTree(6, root(3));
  assert.deepEqual(book.addAhead(cosigners), [{ kind: 'added', names: ['beta'] }]);
  assert.equal(book.count(['beta']), 1);
  assert.deepEqual(book.addAhead(cosigners), [], 'each early note is added once');
});
