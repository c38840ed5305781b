// C2SP tlog-witness (https://c2sp.org/tlog-witness) §add-checkpoint request body, written by
// the auditor acting as a witness and parsed by the root that receives it:
//
//   old <size>\n
//   <base64 consistency proof hash>\n     (0..63 lines)
//   \n
//   <checkpoint signed note>
//
// Parsed strictly and bounded, so whatever witness sits behind the route only ever sees a
// well-formed request. The checkpoint inside the note is the ledger's format (a higher layer),
// so the caller hands its checkpoint parser in; every rule of the body itself lives here.

import { fromBase64, toBase64 } from '../codec/index.ts';
import { HASH_BYTES, parseNote } from '../crypto/index.ts';
import { ADD_CHECKPOINT_BODY_BYTES_MAX, ADD_CHECKPOINT_PROOF_HASHES_MAX } from './constants.ts';
import { WireError } from './errors.ts';

/** What a body says: the size the witness last saw, the proof from it, the signed checkpoint. */
export type AddCheckpointBody = {
  oldSize: number;
  /** RFC 9162 consistency proof from oldSize to the checkpoint's size. */
  proof: Uint8Array[];
  /** The checkpoint as a signed note (text, blank line, signature lines). */
  note: string;
};

/** A parsed body with its checkpoint, as read by the caller's checkpoint parser. */
export type AddCheckpointRequest<C> = AddCheckpointBody & { checkpoint: C };

const OLD_LINE = /^old (0|[1-9][0-9]{0,15})$/;

/**
 * The request body for `request`. Throws BAD_ADD_CHECKPOINT or TOO_LARGE for an old size, a
 * proof or a length that parseAddCheckpointBody would refuse (the note is the caller's).
 */
export function formatAddCheckpointBody(request: AddCheckpointBody): string {
  const { oldSize, proof, note } = request;
  if (!Number.isSafeInteger(oldSize) || oldSize < 0)
    throw bad(`old size must be a non-negative integer, got ${oldSize}`);
  checkProofLength(proof.length);
  for (const [i, hash] of proof.entries())
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_BYTES)
      throw bad(`proof hash ${i + 1} must be ${HASH_BYTES} bytes`);
  const body = `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
  checkBodyBytes(body);
  return body;
}

/**
 * Parses an untrusted body. `parseCheckpointText` reads the note's text (the ledger's
 * parseCheckpoint); whatever it throws becomes BAD_ADD_CHECKPOINT. Throws WireError
 * BAD_ADD_CHECKPOINT or TOO_LARGE, with a message that says which rule the body breaks.
 */
export function parseAddCheckpointBody<C extends { size: number }>(
  body: unknown,
  parseCheckpointText: (text: string) => C,
): AddCheckpointRequest<C> {
  if (typeof body !== 'string') throw bad('send the body as text');
  checkBodyBytes(body);
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw bad('no blank line between the proof and the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const note = body.slice(blank + 2);
  const match = OLD_LINE.exec(head[0]!);
  if (match === null) throw bad('the first line must be "old <size>", decimal without leading zeroes');
  const oldSize = Number(match[1]);
  const proofLines = head.slice(1);
  checkProofLength(proofLines.length);
  const proof = proofLines.map((line, i) => {
    try {
      return fromBase64(line, HASH_BYTES);
    } catch {
      throw bad(`proof line ${i + 1} is not canonical base64 of a ${HASH_BYTES}-byte hash`);
    }
  });
  let checkpoint: C;
  try {
    checkpoint = parseCheckpointText(parseNote(note).text);
  } catch (err) {
    throw bad(`the checkpoint note is malformed: ${(err as Error).message}`);
  }
  if (oldSize > checkpoint.size) {
    throw bad(`old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}`);
  }
  if (oldSize === checkpoint.size && proof.length > 0) {
    throw bad('a consistency proof to the same size is empty');
  }
  return { oldSize, proof, note, checkpoint };
}

function checkBodyBytes(body: string): void {
  if (Buffer.byteLength(body, 'utf8') > ADD_CHECKPOINT_BODY_BYTES_MAX) {
    throw new WireError('TOO_LARGE', `add-checkpoint body is over ${ADD_CHECKPOINT_BODY_BYTES_MAX} bytes`);
  }
}

function checkProofLength(n: number): void {
  if (n > ADD_CHECKPOINT_PROOF_HASHES_MAX)
    throw bad(`at most ${ADD_CHECKPOINT_PROOF_HASHES_MAX} consistency proof lines`);
}

function bad(message: string): WireError {
  return new WireError('BAD_ADD_CHECKPOINT', `add-checkpoint body: ${message} (see c2sp.org/tlog-witness)`);
}
