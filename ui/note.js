// Reading a checkpoint note (C2SP signed note + tlog-checkpoint, ledger/LEDGER.md) for display:
// its tree size and who signed it, with each cosignature's time. Nothing here verifies a
// signature — the dashboard shows what roots say; `witan audit` is what checks them.

/** A cosignature/v1 signature: 4-byte key hash, 8-byte big-endian time (seconds), 64-byte Ed25519. */
const COSIGNATURE_V1_BYTES = 4 + 8 + 64;
const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/;

/**
 * @typedef {{ name: string, timeMs: number | null }} NoteSigner
 * @typedef {{ origin: string, size: number, signers: NoteSigner[] }} CheckpointNote
 */

/**
 * @param {string} text a signed checkpoint note
 * @returns {CheckpointNote}
 */
export function parseCheckpointNote(text) {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new Error('not a signed note: no blank line before the signatures');
  const body = text.slice(0, split).split('\n');
  const size = Number(body[1]);
  if (body.length < 3 || !Number.isSafeInteger(size) || size < 0)
    throw new Error('not a checkpoint: the second line is not a tree size');
  /** @type {NoteSigner[]} */
  const signers = [];
  for (const line of text.slice(split + 2).split('\n')) {
    const match = SIGNATURE_LINE.exec(line);
    if (match === null) continue;
    signers.push({ name: match[1] ?? '', timeMs: cosignatureTimeMs(match[2] ?? '') });
  }
  return { origin: body[0] ?? '', size, signers };
}

/**
 * The time in a cosignature/v1 signature, or null for another kind (the log's own signature).
 * @param {string} base64
 */
function cosignatureTimeMs(base64) {
  let raw;
  try {
    raw = atob(base64);
  } catch {
    return null;
  }
  if (raw.length !== COSIGNATURE_V1_BYTES) return null;
  let seconds = 0;
  for (let i = 4; i < 12; i++) seconds = seconds * 256 + raw.charCodeAt(i);
  return seconds * 1000;
}

/**
 * Member cosignatures and witness cosignatures of a note: a witness is any cosigner that is
 * not a member (the log's own signature, named after the origin, is neither).
 * @param {CheckpointNote} note
 * @param {ReadonlySet<string>} members
 */
export function cosigners(note, members) {
  const cosigned = note.signers.filter((s) => s.timeMs !== null && s.name !== note.origin);
  return {
    members: cosigned.filter((s) => members.has(s.name)),
    witnesses: cosigned.filter((s) => !members.has(s.name)),
  };
}

/**
 * When the note was last cosigned by a quorum: the `quorum`-th newest member cosignature time,
 * or null when fewer members cosigned.
 * @param {NoteSigner[]} memberCosignatures
 * @param {number} quorum
 */
export function quorumTimeMs(memberCosignatures, quorum) {
  const times = memberCosignatures.map((s) => s.timeMs ?? 0).sort((a, b) => b - a);
  return quorum > 0 && times.length >= quorum ? (times[quorum - 1] ?? null) : null;
}
