// Generates ledger/vectors/notes/ (see ledger/LEDGER.md §7 Test vectors): C2SP signed notes
// (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and cosignatures
// (c2sp.org/tlog-cosignature, cosignature/v1), each with the keys, the exact signed messages
// and the verdict a conforming verifier must reach under Witan's rules.
//
//   node test/interop/note-vectors.ts            write the files
//   node test/interop/note-vectors.ts --check    compare only (exit 1 if stale)
//
// Every key comes from a fixed seed and every timestamp is fixed, so the output is a pure
// function of this file; test/interop/note-vectors.test.ts checks it byte for byte.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64, toBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  cosignatureMessage,
  cosignatureSigner,
  ED25519_NOTE_TYPE,
  ed25519NoteSigner,
  GROUP_ORDER,
  keyPairFromSeed,
  type NoteSigner,
  noteKeyId,
  sha256,
  sign,
  signNote,
  vkeyString,
} from '../../src/crypto/index.ts';
import { formatCheckpoint, leafHash, rootOf } from '../../src/ledger/index.ts';

export const NOTE_VECTORS_DIR = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'notes');

export const VECTOR_ORIGIN = 'vectors.witan.test';
/** Cosignature timestamp of every vector: 2025-01-01T00:00:00Z. */
export const VECTOR_TIMESTAMP_S = 1_735_689_600;
const VECTOR_TREE_SIZE = 600;

export type Verdict =
  | { ok: true; verified: string[]; unknown: string[] }
  | { ok: false; error: 'BAD_SIGNATURE' | 'UNVERIFIED' | 'MALFORMED_NOTE' | 'BAD_VKEY' };
export type NoteCase = { name: string; description: string; vkeys: string[]; note: string; expect: Verdict };

// The example of c2sp.org/signed-note and golang.org/x/mod/sumdb/note.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_NOTE =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

const seedOf = (role: string): Uint8Array => sha256(utf8Bytes(`witan note vector key: ${role}`));

type Key = { name: string; type: number; seedHex: string; publicKeyHex: string; vkey: string };
function key(name: string, type: number): Key & { seed: Uint8Array } {
  const seed = seedOf(name);
  const { publicKey } = keyPairFromSeed(seed);
  return {
    name,
    type,
    seed,
    seedHex: toHex(seed),
    publicKeyHex: toHex(publicKey),
    vkey: vkeyString(name, type, publicKey),
  };
}

/** Vector entry i of the tree vectors: canonical JSON {"index": i, "vector": "witan ledger"}. */
function treeRoot(size: number): Uint8Array {
  const leaves = Array.from({ length: size }, (_, index) =>
    leafHash(utf8Bytes(`{"index":${index},"vector":"witan ledger"}`)),
  );
  return rootOf(leaves);
}

/** Replaces the Ed25519 S half of the named signature line with S + L (same value mod L). */
function withNonCanonicalS(note: string, name: string): string {
  const prefix = `— ${name} `;
  const start = note.indexOf(prefix) + prefix.length;
  const end = note.indexOf('\n', start);
  const raw = fromBase64(note.slice(start, end));
  const sig = raw.subarray(raw.length - 64);
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  s += GROUP_ORDER;
  for (let i = 0; i < 32; i++) sig[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return note.slice(0, start) + toBase64(raw) + note.slice(end);
}

/** Flips the timestamp of the named cosignature (the first 8 bytes after the key ID). */
function withTimestamp(note: string, name: string, timestamp: number): string {
  const prefix = `— ${name} `;
  const start = note.indexOf(prefix) + prefix.length;
  const end = note.indexOf('\n', start);
  const raw = fromBase64(note.slice(start, end));
  new DataView(raw.buffer, raw.byteOffset).setBigUint64(4, BigInt(timestamp), false);
  return note.slice(0, start) + toBase64(raw) + note.slice(end);
}

/**
 * A cosignature/v1 signer for any u64 timestamp, also above 2^53 − 1 where cosignatureSigner
 * refuses: the signed message is built here exactly as C2SP tlog-cosignature states it.
 */
function rawCosigner(name: string, seed: Uint8Array, timestamp: bigint): NoteSigner {
  const { publicKey } = keyPairFromSeed(seed);
  return {
    name,
    keyId: noteKeyId(name, COSIGNATURE_V1_TYPE, publicKey),
    sign(message: Uint8Array): Uint8Array {
      const header = utf8Bytes(`cosignature/v1\ntime ${timestamp}\n`);
      const signed = new Uint8Array(header.length + message.length);
      signed.set(header);
      signed.set(message, header.length);
      const out = new Uint8Array(8 + 64);
      new DataView(out.buffer).setBigUint64(0, timestamp, false);
      out.set(sign(seed, signed), 8);
      return out;
    },
  };
}

export function noteVectors(): Record<string, string> {
  const log = key(VECTOR_ORIGIN, ED25519_NOTE_TYPE);
  const cosigners = ['member-a', 'member-b', 'member-c'].map((n) => key(n, COSIGNATURE_V1_TYPE));
  const stranger = key('stranger.witan.test', ED25519_NOTE_TYPE);
  const text = formatCheckpoint({
    origin: VECTOR_ORIGIN,
    size: VECTOR_TREE_SIZE,
    rootHash: treeRoot(VECTOR_TREE_SIZE),
    extensions: [],
  });
  const logSigned = signNote(text, [ed25519NoteSigner(log.name, log.seed)]);
  const cosigned = signNote(text, [
    ed25519NoteSigner(log.name, log.seed),
    ...cosigners.map((c) => cosignatureSigner(c.name, c.seed, VECTOR_TIMESTAMP_S)),
  ]);
  // The identity point (y = 1) has order 1: refused as a public key by the strict rule.
  const smallOrder = new Uint8Array(32);
  smallOrder[0] = 1;
  const lastLine = cosigned.slice(cosigned.lastIndexOf('— '));
  const a = cosigners[0]!;
  const atTimestamp = (t: bigint) =>
    signNote(text, [ed25519NoteSigner(log.name, log.seed), rawCosigner(a.name, a.seed, t)]);
  const all = [log.vkey, ...cosigners.map((c) => c.vkey)];

  const cases: NoteCase[] = [
    {
      name: 'c2sp-signed-note-example',
      description: 'The example of c2sp.org/signed-note (and golang.org/x/mod/sumdb/note).',
      vkeys: [PETER_VKEY],
      note: PETER_NOTE,
      expect: { ok: true, verified: ['PeterNeumann'], unknown: [] },
    },
    {
      name: 'checkpoint-log-signature',
      description: 'A checkpoint signed by the log key only (type 0x01, key name = origin).',
      vkeys: [log.vkey],
      note: logSigned,
      expect: { ok: true, verified: [VECTOR_ORIGIN], unknown: [] },
    },
    {
      name: 'checkpoint-cosigned-all-keys-known',
      description: 'Log signature plus three cosignature/v1 lines, every key known: all four verify.',
      vkeys: all,
      note: cosigned,
      expect: { ok: true, verified: [VECTOR_ORIGIN, 'member-a', 'member-b', 'member-c'], unknown: [] },
    },
    {
      name: 'checkpoint-cosigned-log-key-only',
      description:
        'The same note verified with the log key only: the cosignatures are unknown keys and are ignored.',
      vkeys: [log.vkey],
      note: cosigned,
      expect: { ok: true, verified: [VECTOR_ORIGIN], unknown: ['member-a', 'member-b', 'member-c'] },
    },
    {
      name: 'checkpoint-one-cosigner-known',
      description: 'Only one cosigner key known: its cosignature verifies, the rest are ignored.',
      vkeys: [cosigners[1]!.vkey],
      note: cosigned,
      expect: { ok: true, verified: ['member-b'], unknown: [VECTOR_ORIGIN, 'member-a', 'member-c'] },
    },
    {
      name: 'duplicate-signature-line',
      description: 'An identical signature line repeated: accepted and reported once.',
      vkeys: all,
      note: cosigned + lastLine,
      expect: { ok: true, verified: [VECTOR_ORIGIN, 'member-a', 'member-b', 'member-c'], unknown: [] },
    },
    {
      name: 'tampered-checkpoint-text',
      description: 'Tree size changed after signing: the known log key fails, so the note is invalid.',
      vkeys: [log.vkey],
      note: cosigned.replace(`\n${VECTOR_TREE_SIZE}\n`, `\n${VECTOR_TREE_SIZE + 1}\n`),
      expect: { ok: false, error: 'BAD_SIGNATURE' },
    },
    {
      name: 'tampered-cosignature-timestamp',
      description:
        'A cosignature whose timestamp was changed: the signed message includes "time <t>", so it fails.',
      vkeys: all,
      note: withTimestamp(cosigned, 'member-a', VECTOR_TIMESTAMP_S + 1),
      expect: { ok: false, error: 'BAD_SIGNATURE' },
    },
    {
      name: 'cosignature-timestamp-2^53-1',
      description: 'A cosignature dated 2^53 − 1 seconds, the largest timestamp Witan accepts: it verifies.',
      vkeys: [log.vkey, a.vkey],
      note: atTimestamp(2n ** 53n - 1n),
      expect: { ok: true, verified: [VECTOR_ORIGIN, 'member-a'], unknown: [] },
    },
    {
      name: 'cosignature-timestamp-2^53',
      description:
        'A cosignature dated 2^53 seconds, validly signed over "time 9007199254740992": Witan refuses timestamps above 2^53 − 1, so the known key fails and the note is invalid.',
      vkeys: [log.vkey, a.vkey],
      note: atTimestamp(2n ** 53n),
      expect: { ok: false, error: 'BAD_SIGNATURE' },
    },
    {
      name: 'cosignature-timestamp-2^64-1-unknown-key',
      description:
        'A cosignature dated 2^64 − 1 by a key the verifier does not know: ignored like any unknown signature.',
      vkeys: [log.vkey],
      note: atTimestamp(2n ** 64n - 1n),
      expect: { ok: true, verified: [VECTOR_ORIGIN], unknown: ['member-a'] },
    },
    {
      name: 'no-known-key',
      description: 'Only an unrelated key is known: nothing verifies.',
      vkeys: [stranger.vkey],
      note: cosigned,
      expect: { ok: false, error: 'UNVERIFIED' },
    },
    {
      name: 'non-canonical-s',
      description:
        'The log signature with S replaced by S + L (equal mod L): refused by the strict rule (S < L).',
      vkeys: [log.vkey],
      note: withNonCanonicalS(logSigned, VECTOR_ORIGIN),
      expect: { ok: false, error: 'BAD_SIGNATURE' },
    },
    {
      name: 'small-order-key',
      description: 'A vkey whose public key is the identity point (small order): the vkey itself is refused.',
      vkeys: [vkeyString('small-order', ED25519_NOTE_TYPE, smallOrder)],
      note: logSigned,
      expect: { ok: false, error: 'BAD_VKEY' },
    },
    {
      name: 'non-canonical-base64',
      description:
        'A signature line whose base64 has non-zero padding bits: Witan refuses it (golang.org/x/mod accepts it).',
      vkeys: [PETER_VKEY],
      note: PETER_NOTE.replace('JnAM=', 'JnAN='),
      expect: { ok: false, error: 'MALFORMED_NOTE' },
    },
  ];

  const messages = [
    { signer: VECTOR_ORIGIN, type: 'ed25519 (0x01)', message: text },
    ...cosigners.map((c) => ({
      signer: c.name,
      type: 'cosignature/v1 (0x04)',
      message: Buffer.from(cosignatureMessage(VECTOR_TIMESTAMP_S, utf8Bytes(text))).toString('utf8'),
    })),
  ];
  const json = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;
  return {
    'keys.json': json({
      description:
        'Keys of the note vectors. Secret seeds are SHA-256("witan note vector key: <name>"); never reuse them.',
      keys: [log, ...cosigners, stranger].map(({ seed: _seed, ...k }) => k),
    }),
    'notes.json': json({
      description:
        'Signed notes and the verdict a verifier must reach with exactly the given vkeys (see ledger/LEDGER.md §3.2 and §3.3). "unknown" lists signature lines by keys not given, which are ignored.',
      cosignatureTimestamp: VECTOR_TIMESTAMP_S,
      checkpointText: text,
      signedMessages: messages,
      cases,
    }),
  };
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, content] of Object.entries(noteVectors())) {
    const path = join(NOTE_VECTORS_DIR, name);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current !== content) {
        console.error(`${path} is stale`);
        stale++;
      }
    } else writeFileSync(path, content);
  }
  process.exit(stale > 0 ? 1 : 0);
}
