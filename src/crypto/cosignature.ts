// C2SP tlog-cosignature, cosignature/v1 (c2sp.org/tlog-cosignature §Format, §"Ed25519 signed
// message"): a note signature of type 0x04 whose bytes after the key ID are
//   u64 timestamp (big-endian, POSIX seconds) || Ed25519 signature (64 bytes)
// over the message
//   "cosignature/v1\n" || "time " || decimal timestamp, no leading zeroes || "\n" || note text
// where the note text is the whole checkpoint body, extension lines and final newline included.
// Witan carries the timestamp as a JS number, so it refuses timestamps above 2^53 − 1 (the
// spec's own bound is 2^63 − 1).

import { concatBytes, utf8Bytes } from '../codec/index.ts';
import {
  COSIGNATURE_TIMESTAMP_MAX,
  COSIGNATURE_V1_BYTES,
  COSIGNATURE_V1_TYPE,
  SIGNATURE_BYTES,
} from './constants.ts';
import { isValidPublicKey, keyPairFromSeed, sign, verifySignature } from './ed25519.ts';
import { CryptoError, NoteError } from './errors.ts';
import { type NoteSignature, type NoteSigner, type NoteVerifier, noteKeyId } from './note-key.ts';

export { COSIGNATURE_V1_TYPE };

const TIMESTAMP_BYTES = 8;

function isTimestamp(t: number): boolean {
  return Number.isSafeInteger(t) && t >= 0 && t <= COSIGNATURE_TIMESTAMP_MAX;
}

/** The bytes a cosigner signs: header line, time line, then the checkpoint note text. */
export function cosignatureMessage(timestampSeconds: number, noteText: Uint8Array): Uint8Array {
  if (!isTimestamp(timestampSeconds))
    throw new RangeError('cosignature timestamp must be a safe non-negative integer');
  return concatBytes(utf8Bytes(`cosignature/v1\ntime ${timestampSeconds}\n`), noteText);
}

function readTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== COSIGNATURE_V1_BYTES) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, TIMESTAMP_BYTES).getBigUint64(0, false);
  return t <= BigInt(COSIGNATURE_TIMESTAMP_MAX) ? Number(t) : undefined;
}

/** A cosigner that stamps every signature with the given time (seconds since the epoch). */
export function cosignatureSigner(name: string, secretKey: Uint8Array, timestampSeconds: number): NoteSigner {
  if (!isTimestamp(timestampSeconds))
    throw new RangeError('cosignature timestamp must be a safe non-negative integer');
  const { publicKey } = keyPairFromSeed(secretKey);
  return {
    name,
    keyId: noteKeyId(name, COSIGNATURE_V1_TYPE, publicKey),
    sign(message: Uint8Array): Uint8Array {
      const out = new Uint8Array(COSIGNATURE_V1_BYTES);
      new DataView(out.buffer).setBigUint64(0, BigInt(timestampSeconds), false);
      out.set(sign(secretKey, cosignatureMessage(timestampSeconds, message)), TIMESTAMP_BYTES);
      return out;
    },
  };
}

/** Verifies cosignature/v1 signatures by one cosigner key through verifySignature. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidPublicKey(publicKey)) {
    throw new CryptoError('BAD_KEY', 'not a canonical, prime-order Ed25519 public key');
  }
  const key = new Uint8Array(publicKey);
  return {
    name,
    keyId: noteKeyId(name, COSIGNATURE_V1_TYPE, key),
    verify(message: Uint8Array, signature: Uint8Array): boolean {
      const timestamp = readTimestamp(signature);
      if (timestamp === undefined) return false;
      const ed25519Signature = signature.subarray(TIMESTAMP_BYTES);
      if (ed25519Signature.length !== SIGNATURE_BYTES) return false;
      return verifySignature(key, cosignatureMessage(timestamp, message), ed25519Signature);
    },
  };
}

/** The timestamp (seconds since the epoch) carried by a cosignature/v1 signature. */
export function cosignatureTimestamp(signature: NoteSignature): number {
  const timestamp = readTimestamp(signature.signature);
  if (timestamp === undefined) {
    throw new NoteError(
      'MALFORMED_NOTE',
      `signature by ${signature.name} is not a cosignature/v1 (72 bytes, timestamp ≤ 2^53 − 1)`,
    );
  }
  return timestamp;
}
