// The frozen note vectors in ledger/vectors/notes/: the generator reproduces them byte for
// byte, and our verifier reaches exactly the verdict each case states (what an outside
// implementation must reach too), including the C2SP signed-note example.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromHex, toHex } from '../../src/codec/index.ts';
import { keyPairFromSeed, openNote, parseVkey } from '../../src/crypto/index.ts';
import { NOTE_VECTORS_DIR, type NoteCase, noteVectors, type Verdict } from './note-vectors.ts';

const read = <T>(name: string): T => JSON.parse(readFileSync(join(NOTE_VECTORS_DIR, name), 'utf8')) as T;

function verdictOf(c: NoteCase): Verdict {
  try {
    const opened = openNote(c.note, c.vkeys.map(parseVkey));
    return {
      ok: true,
      verified: opened.verified.map((s) => s.name),
      unknown: opened.unknown.map((s) => s.name),
    };
  } catch (err) {
    return { ok: false, error: (err as { code: string }).code as 'BAD_SIGNATURE' };
  }
}

test('the generator reproduces the committed note vectors byte for byte', () => {
  for (const [name, text] of Object.entries(noteVectors())) {
    assert.equal(
      readFileSync(join(NOTE_VECTORS_DIR, name), 'utf8'),
      text,
      `${name} is stale: run node test/interop/note-vectors.ts`,
    );
  }
});

test('every note vector gets exactly its stated verdict, the C2SP example included', () => {
  const { cases } = read<{ cases: NoteCase[] }>('notes.json');
  assert.ok(cases.some((c) => c.name === 'c2sp-signed-note-example' && c.expect.ok));
  assert.ok(cases.some((c) => !c.expect.ok) && cases.some((c) => c.expect.ok));
  for (const c of cases) assert.deepEqual(verdictOf(c), c.expect, c.name);
});

test('the vector keys are what their seeds derive', () => {
  const { keys } = read<{
    keys: Array<{ seedHex: string; publicKeyHex: string; vkey: string; name: string }>;
  }>('keys.json');
  for (const k of keys) {
    assert.equal(toHex(keyPairFromSeed(fromHex(k.seedHex)).publicKey), k.publicKeyHex, k.name);
    assert.equal(parseVkey(k.vkey).name, k.name);
  }
});
