// C2SP tlog-witness (https://c2sp.org/tlog-witness) §add-checkpoint request body:
//
//   old <size>\n
//   <base64 consistency proof hash>\n     (0..63 lines)
//   \n
//   <checkpoint signed note>
//
// Parsed strictly and bounded here so that whatever witness sits behind the route only ever
// sees a well-formed request; the witness itself (verification, state) lives elsewhere.

import { fromBase64 } from '../codec/index.ts';
import { parseNote } from '../crypto/index.ts';
import { type Checkpoint, HASH_BYTES, parseCheckpoint } from '../ledger/index.ts';
import { ApiError } from './errors.ts';
import { ADD_CHECKPOINT_BODY_BYTES_MAX, ADD_CHECKPOINT_PROOF_HASHES_MAX } from './tlog-constants.ts';

export type AddCheckpointRequest = {
  oldSize: number;
  proof: Uint8Array[];
  note: string;
  checkpoint: Checkpoint;
};

const OLD_LINE = /^old (0|[1-9][0-9]{0,15})$/;

function bad(message: string): ApiError {
  return new ApiError(
    400,
    'BAD_ADD_CHECKPOINT',
    `add-checkpoint body: ${message} (see c2sp.org/tlog-witness)`,
  );
}

export function parseAddCheckpointBody(body: unknown): AddCheckpointRequest {
  if (typeof body !== 'string') throw bad('send the body as text');
  if (Buffer.byteLength(body, 'utf8') > ADD_CHECKPOINT_BODY_BYTES_MAX) {
    throw new ApiError(
      413,
      'TOO_LARGE',
      `add-checkpoint body is over ${ADD_CHECKPOINT_BODY_BYTES_MAX} bytes`,
    );
  }
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw bad('no blank line between the proof and the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const note = body.slice(blank + 2);
  const match = OLD_LINE.exec(head[0]!);
  if (match === null) throw bad('the first line must be "old <size>", decimal without leading zeroes');
  const oldSize = Number(match[1]);
  const proofLines = head.slice(1);
  if (proofLines.length > ADD_CHECKPOINT_PROOF_HASHES_MAX) {
    throw bad(`at most ${ADD_CHECKPOINT_PROOF_HASHES_MAX} consistency proof lines`);
  }
  const proof = proofLines.map((line, i) => {
    try {
      return fromBase64(line, HASH_BYTES);
    } catch {
      throw bad(`proof line ${i + 1} is not canonical base64 of a 32-byte hash`);
    }
  });
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parseNote(note).text);
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
