// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) note text: the origin line, the tree
// size in decimal without leading zeroes, the base64 root hash, then optional non-empty
// extension lines, each line ending in U+000A. Parsing is strict and bounded: a text is
// accepted only if formatting what was parsed gives back exactly the same text.

import { fromBase64, toBase64 } from '../codec/index.ts';
import {
  CHECKPOINT_EXTENSIONS_MAX,
  CHECKPOINT_LINE_CHARS_MAX,
  HASH_BYTES,
  ORIGIN_CHARS_MAX,
  TREE_SIZE_MAX,
} from './constants.ts';
import { LedgerError } from './errors.ts';

export type Checkpoint = { origin: string; size: number; rootHash: Uint8Array; extensions: string[] };

const SIZE_PATTERN = /^(?:0|[1-9][0-9]{0,15})$/;
// No control characters (C0, DEL, C1) anywhere: they have no business in a line a person reads.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to match them
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The largest checkpoint text parseCheckpoint reads. */
export const CHECKPOINT_TEXT_CHARS_MAX =
  ORIGIN_CHARS_MAX + 64 + CHECKPOINT_EXTENSIONS_MAX * (CHECKPOINT_LINE_CHARS_MAX + 1);

function bad(message: string): LedgerError {
  return new LedgerError('BAD_CHECKPOINT', message);
}

function checkLine(what: string, line: string, charsMax: number): void {
  if (line.length === 0) throw bad(`${what} is empty`);
  if (line.length > charsMax) throw bad(`${what} is longer than ${charsMax} characters`);
  if (CONTROL.test(line)) throw bad(`${what} contains a control character`);
  if (line.isWellFormed && !line.isWellFormed()) throw bad(`${what} is not well-formed Unicode`);
}

/** The note text of a checkpoint (ends with '\n'). Throws BAD_CHECKPOINT on fields it could not parse back. */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine('origin', c.origin, ORIGIN_CHARS_MAX);
  if (!Number.isSafeInteger(c.size) || c.size < 0 || c.size > TREE_SIZE_MAX) {
    throw bad(`size must be an integer in 0..2^52, got ${c.size}`);
  }
  if (!(c.rootHash instanceof Uint8Array) || c.rootHash.length !== HASH_BYTES) {
    throw bad('root hash must be 32 bytes');
  }
  if (c.extensions.length > CHECKPOINT_EXTENSIONS_MAX) {
    throw bad(`at most ${CHECKPOINT_EXTENSIONS_MAX} extension lines`);
  }
  for (const e of c.extensions) checkLine('extension line', e, CHECKPOINT_LINE_CHARS_MAX);
  return [c.origin, String(c.size), toBase64(c.rootHash), ...c.extensions].map((l) => `${l}\n`).join('');
}

/** Strict parse of checkpoint note text (the part of a signed note before its blank line). */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw bad('checkpoint text must be a string');
  if (text.length > CHECKPOINT_TEXT_CHARS_MAX) throw bad('checkpoint text is too long');
  if (!text.endsWith('\n')) throw bad('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('a checkpoint has at least three lines: origin, size, root hash');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine('origin', origin, ORIGIN_CHARS_MAX);
  if (!SIZE_PATTERN.test(sizeLine)) throw bad('tree size must be decimal without leading zeroes');
  const size = Number(sizeLine);
  if (size > TREE_SIZE_MAX) throw bad('tree size is too large');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootLine, HASH_BYTES);
  } catch {
    throw bad('root hash must be canonical base64 of 32 bytes');
  }
  if (extensions.length > CHECKPOINT_EXTENSIONS_MAX) {
    throw bad(`at most ${CHECKPOINT_EXTENSIONS_MAX} extension lines`);
  }
  for (const e of extensions) checkLine('extension line', e, CHECKPOINT_LINE_CHARS_MAX);
  return { origin, size, rootHash, extensions };
}
