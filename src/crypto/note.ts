// C2SP signed-note (c2sp.org/signed-note, v1.0.0): a UTF-8 text ending in a newline, a blank
// line, then one or more lines "— <key name> <base64(key ID || signature)>". Parsing follows
// golang.org/x/mod/sumdb/note (the reference implementation) with two deliberate tightenings,
// written in ledger/LEDGER.md §3.2–3.3: base64 must be canonical (RFC 4648 §3.5, no stray bits),
// and every signature by a known key is checked, duplicates included.
//
// Verification rule (signed-note §Signatures): signatures whose (name, key ID) pair is unknown
// are ignored; a known key's signature that fails makes the whole note invalid; at least one
// known key must have verified. Ed25519 checks go through verifySignature and nothing else.

import { bytesEqual, CodecError, fromBase64, toBase64, utf8Bytes } from '../codec/index.ts';
import {
  COSIGNATURE_V1_TYPE,
  ED25519_NOTE_TYPE,
  NOTE_BYTES_MAX,
  NOTE_KEY_ID_BYTES,
  NOTE_SIGNATURES_MAX,
  PUBLIC_KEY_BYTES,
  VKEY_BYTES_MAX,
} from './constants.ts';
import { cosignatureVerifier } from './cosignature.ts';
import { isValidPublicKey, keyPairFromSeed, sign, verifySignature } from './ed25519.ts';
import { CryptoError, NoteError } from './errors.ts';
import {
  isKeyId,
  isValidKeyName,
  keyIdHex,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
} from './note-key.ts';

export { isValidKeyName, type NoteSignature, type NoteSigner, type NoteVerifier, noteKeyId };

/** U+2014 EM DASH then U+0020 SPACE opens every signature line. */
const SIGNATURE_PREFIX = '\u2014 ';
// biome-ignore lint/suspicious/noControlCharactersInRegex: signed-note forbids exactly these characters.
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;
const KEY_ID_HEX = /^[0-9a-f]{8}$/;
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function malformed(message: string): NoteError {
  return new NoteError('MALFORMED_NOTE', message);
}

/** Decodes and bounds a note: valid UTF-8, at most NOTE_BYTES_MAX, no control characters but '\n'. */
function noteString(note: string | Uint8Array): string {
  let text: string;
  if (note instanceof Uint8Array) {
    if (note.length > NOTE_BYTES_MAX)
      throw new NoteError('TOO_LARGE', `note exceeds ${NOTE_BYTES_MAX} bytes`);
    try {
      text = utf8Strict.decode(note);
    } catch {
      throw malformed('note is not valid UTF-8');
    }
  } else if (typeof note === 'string') {
    if (note.length > NOTE_BYTES_MAX || Buffer.byteLength(note, 'utf8') > NOTE_BYTES_MAX) {
      throw new NoteError('TOO_LARGE', `note exceeds ${NOTE_BYTES_MAX} bytes`);
    }
    if (!note.isWellFormed()) throw malformed('note is not valid UTF-8 (lone surrogate)');
    text = note;
  } else {
    throw new TypeError('a note is a string or UTF-8 bytes');
  }
  if (CONTROL_EXCEPT_NEWLINE.test(text))
    throw malformed('note contains a control character other than newline');
  return text;
}

function checkText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('note text must end with a newline');
  if (!text.isWellFormed()) throw malformed('note text is not valid UTF-8 (lone surrogate)');
  if (CONTROL_EXCEPT_NEWLINE.test(text))
    throw malformed('note text contains a control character other than newline');
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('signature line does not start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw malformed('signature line has no space between key name and signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw malformed(`invalid key name ${JSON.stringify(name)}`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(rest.slice(space + 1));
  } catch (error) {
    if (error instanceof CodecError) throw malformed(`signature by ${name} is not canonical base64`);
    throw error;
  }
  if (bytes.length <= NOTE_KEY_ID_BYTES) throw malformed(`signature by ${name} is too short`);
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false);
  return { name, keyId, signature: bytes.slice(NOTE_KEY_ID_BYTES) };
}

/** Splits a note into its text and signatures without verifying anything. Strict and bounded. */
export function parseNote(note: string | Uint8Array): { text: string; signatures: NoteSignature[] } {
  const message = noteString(note);
  // The text may contain blank lines; the last one separates it from the signatures.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line between the note text and its signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_SIGNATURES_MAX) {
    throw new NoteError('TOO_LARGE', `note has more than ${NOTE_SIGNATURES_MAX} signatures`);
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

function signatureLine(s: NoteSignature): string {
  if (!isValidKeyName(s.name)) throw malformed(`invalid key name ${JSON.stringify(s.name)}`);
  if (!isKeyId(s.keyId)) throw malformed('key ID must be a uint32');
  if (!(s.signature instanceof Uint8Array) || s.signature.length === 0) throw malformed('empty signature');
  const bytes = new Uint8Array(NOTE_KEY_ID_BYTES + s.signature.length);
  new DataView(bytes.buffer).setUint32(0, s.keyId, false);
  bytes.set(s.signature, NOTE_KEY_ID_BYTES);
  return `${SIGNATURE_PREFIX}${s.name} ${toBase64(bytes)}\n`;
}

/** Assembles a note from its text and signatures (e.g. to add cosignatures). Same bounds as parseNote. */
export function formatNote(text: string, signatures: NoteSignature[]): string {
  checkText(text);
  if (signatures.length === 0) throw malformed('a signed note has at least one signature');
  if (signatures.length > NOTE_SIGNATURES_MAX) {
    throw new NoteError('TOO_LARGE', `note has more than ${NOTE_SIGNATURES_MAX} signatures`);
  }
  const note = `${text}\n${signatures.map(signatureLine).join('')}`;
  if (Buffer.byteLength(note, 'utf8') > NOTE_BYTES_MAX) {
    throw new NoteError('TOO_LARGE', `note exceeds ${NOTE_BYTES_MAX} bytes`);
  }
  return note;
}

/** Signs text (which must end in '\n') with every signer, in order. */
export function signNote(text: string, signers: NoteSigner[]): string {
  checkText(text);
  const message = utf8Bytes(text);
  const signatures = signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(message) }));
  return formatNote(text, signatures);
}

function verifierIndex(verifiers: NoteVerifier[]): Map<string, NoteVerifier> {
  const index = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const id = `${v.name}+${keyIdHex(v.keyId)}`;
    if (index.has(id)) throw new NoteError('AMBIGUOUS_KEY', `two verifiers share the name and key ID ${id}`);
    index.set(id, v);
  }
  return index;
}

function sameSignature(a: NoteSignature, b: NoteSignature): boolean {
  return a.name === b.name && a.keyId === b.keyId && bytesEqual(a.signature, b.signature);
}

function pushUnique(list: NoteSignature[], s: NoteSignature): void {
  if (!list.some((t) => sameSignature(t, s))) list.push(s);
}

function verifies(verifier: NoteVerifier, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifier.verify(message, signature) === true;
  } catch {
    return false;
  }
}

/**
 * Verifies a note against trusted keys. Signatures by unknown (name, key ID) pairs are
 * returned in `unknown`, unchecked. Throws NoteError BAD_SIGNATURE when any signature by a
 * known key fails, UNVERIFIED when none verified. Identical lines are reported once.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: NoteVerifier[],
): { text: string; verified: NoteSignature[]; unknown: NoteSignature[] } {
  const index = verifierIndex(verifiers);
  const { text, signatures } = parseNote(note);
  const message = utf8Bytes(text);
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const s of signatures) {
    const id = `${s.name}+${keyIdHex(s.keyId)}`;
    const verifier = index.get(id);
    if (verifier === undefined) {
      pushUnique(unknown, s);
      continue;
    }
    if (!verifies(verifier, message, s.signature)) {
      throw new NoteError('BAD_SIGNATURE', `invalid signature for key ${id}`);
    }
    pushUnique(verified, s);
  }
  if (verified.length === 0) throw new NoteError('UNVERIFIED', 'note has no signature by a known key');
  return { text, verified, unknown };
}

/** A plain Ed25519 note signer (type 0x01) from a 32-byte seed. */
export function ed25519NoteSigner(name: string, secretKey: Uint8Array): NoteSigner {
  const { publicKey } = keyPairFromSeed(secretKey);
  return { name, keyId: noteKeyId(name, ED25519_NOTE_TYPE, publicKey), sign: (m) => sign(secretKey, m) };
}

/** A plain Ed25519 note verifier (type 0x01). Refuses keys that fail the strict key rule. */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidPublicKey(publicKey)) {
    throw new CryptoError('BAD_KEY', 'not a canonical, prime-order Ed25519 public key');
  }
  const key = new Uint8Array(publicKey);
  return {
    name,
    keyId: noteKeyId(name, ED25519_NOTE_TYPE, key),
    verify: (message, signature) => verifySignature(key, message, signature),
  };
}

/** "<name>+<key ID, 8 lowercase hex>+<base64(type || public key)>" (golang.org/x/mod/sumdb/note). */
export function vkeyString(name: string, type: number, publicKey: Uint8Array): string {
  const keyId = noteKeyId(name, type, publicKey);
  const material = new Uint8Array(1 + publicKey.length);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${keyIdHex(keyId)}+${toBase64(material)}`;
}

function badVkey(message: string): NoteError {
  return new NoteError('BAD_VKEY', message);
}

/**
 * Splits a vkey "<name>+<key ID>+<base64(type || public key)>" and checks that the key ID
 * matches, without interpreting the key. `bytesMax` bounds the text (ML-DSA vkeys are ~1.8 kB).
 */
export function decodeVkey(
  vkey: string,
  bytesMax: number = VKEY_BYTES_MAX,
): { name: string; type: number; publicKey: Uint8Array } {
  if (typeof vkey !== 'string' || vkey.length > bytesMax) throw badVkey('vkey is not a short string');
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw badVkey('vkey is <name>+<key ID>+<key>');
  const name = vkey.slice(0, first);
  const hex = vkey.slice(first + 1, second);
  if (!isValidKeyName(name)) throw badVkey(`invalid key name ${JSON.stringify(name)}`);
  if (!KEY_ID_HEX.test(hex)) throw badVkey('key ID must be 8 lowercase hex digits');
  let material: Uint8Array;
  try {
    material = fromBase64(vkey.slice(second + 1));
  } catch {
    throw badVkey('key material is not canonical base64');
  }
  const type = material[0];
  const publicKey = material.subarray(1);
  if (type === undefined) throw badVkey('empty key material');
  if (noteKeyId(name, type, publicKey) !== Number.parseInt(hex, 16))
    throw badVkey('key ID does not match key');
  return { name, type, publicKey };
}

/** Parses a vkey of type 0x01 (Ed25519) or 0x04 (cosignature/v1) into a verifier. */
export function parseVkey(vkey: string): NoteVerifier {
  const { name, type, publicKey } = decodeVkey(vkey);
  if (type !== ED25519_NOTE_TYPE && type !== COSIGNATURE_V1_TYPE) {
    throw badVkey(`unsupported signature type 0x${type.toString(16).padStart(2, '0')}`);
  }
  if (publicKey.length !== PUBLIC_KEY_BYTES || !isValidPublicKey(publicKey)) {
    throw badVkey('not a canonical, prime-order Ed25519 public key');
  }
  return type === ED25519_NOTE_TYPE
    ? ed25519NoteVerifier(name, publicKey)
    : cosignatureVerifier(name, publicKey);
}
