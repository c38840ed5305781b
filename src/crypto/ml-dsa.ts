// ML-DSA-44 (FIPS 204) keys and signatures through @noble/post-quantum, and the ML-DSA-44
// cosignature of C2SP tlog-cosignature (§Format, §"ML-DSA-44 signed message"), which sits in a
// signed note beside Ed25519 (0x01) and cosignature/v1 (0x04) lines:
//   key ID    = SHA-256(name ‖ 0x0A ‖ 0x06 ‖ 1312-byte public key)[:4]
//   signature = u64 timestamp (big-endian) ‖ ML-DSA-44 signature (2420 bytes)
//   message   = "subtree/v1\n\0" ‖ u8-length-prefixed cosigner name ‖ u64 timestamp
//               ‖ u8-length-prefixed log origin ‖ u64 start ‖ u64 end ‖ 32-byte root hash
// signed with pure ML-DSA and the empty context, as filippo.io/torchwood does (our vector).
// Unlike cosignature/v1 the message is built from the checkpoint's origin, size and root hash
// — extension lines are not covered — and it names the cosigner. The note text is turned into
// those fields by a SubtreeReader that the caller passes in (the checkpoint format belongs to
// the ledger); for a checkpoint, start = 0 and end = the tree size.

import { randomBytes } from 'node:crypto';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { concatBytes, utf8Bytes } from '../codec/index.ts';
import { NoteError } from './errors.ts';
import { decodeVkey, vkeyString } from './note.ts';
import { type NoteSignature, type NoteSigner, type NoteVerifier, noteKeyId } from './note-key.ts';

/** Signature type byte of ML-DSA-44 cosignatures (tlog-cosignature §Format). */
export const ML_DSA_44_COSIGNATURE_TYPE = 0x06;
/** FIPS 204 Table 2, ML-DSA-44. */
export const ML_DSA_44_PUBLIC_KEY_BYTES = 1312;
export const ML_DSA_44_SIGNATURE_BYTES = 2420;
/** The 32-byte seed ξ of FIPS 204 ML-DSA.KeyGen, which is all a key file needs to keep. */
export const ML_DSA_44_SEED_BYTES = 32;
/** Label that opens every cosigned_message (12 bytes). */
const SUBTREE_LABEL = utf8Bytes('subtree/v1\n\0');
const TIMESTAMP_BYTES = 8;
/** A u64 on the wire, carried as a JS number: only safe integers (spec bound for timestamps: 2^63 − 1). */
const U64_SAFE_MAX = Number.MAX_SAFE_INTEGER;
/** Longest ML-DSA-44 vkey we parse: base64 of 1 + 1312 bytes is 1,752 characters, plus name and key ID. */
export const ML_DSA_44_VKEY_CHARS_MAX = 2048;
/** opaque <1..2^8-1> fields: cosigner name and log origin. */
const SHORT_OPAQUE_BYTES_MAX = 255;

export type MlDsaKeyPair = { publicKey: Uint8Array; secretKey: Uint8Array };

/** The subtree a cosignature covers; for a checkpoint: its origin, start 0, end = size, root hash. */
export type CosignedSubtree = { origin: string; start: number; end: number; hash: Uint8Array };
/** Reads the cosigned subtree from a note's text; throws if the text is not one (e.g. not a checkpoint). */
export type SubtreeReader = (noteText: Uint8Array) => CosignedSubtree;

export function mlDsaKeyPairFromSeed(seed: Uint8Array): MlDsaKeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== ML_DSA_44_SEED_BYTES) {
    throw new RangeError(`an ML-DSA-44 seed is ${ML_DSA_44_SEED_BYTES} bytes`);
  }
  return ml_dsa44.keygen(seed);
}

export function generateMlDsaKeyPair(): MlDsaKeyPair {
  return mlDsaKeyPairFromSeed(new Uint8Array(randomBytes(ML_DSA_44_SEED_BYTES)));
}

/** Pure ML-DSA-44 with the empty context, hedged (FIPS 204 §3.4: fresh randomness per signature). */
export function mlDsaSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ml_dsa44.sign(message, secretKey);
}

/** Never throws: malformed keys or signatures are simply not valid. */
export function mlDsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ML_DSA_44_PUBLIC_KEY_BYTES) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== ML_DSA_44_SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  try {
    return ml_dsa44.verify(signature, message, publicKey) === true;
  } catch {
    return false;
  }
}

function u64(n: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > U64_SAFE_MAX)
    throw new RangeError(`${what} must be a safe non-negative integer`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

function shortOpaque(text: string, what: string): Uint8Array {
  const bytes = utf8Bytes(text);
  if (bytes.length < 1 || bytes.length > SHORT_OPAQUE_BYTES_MAX)
    throw new RangeError(`${what} must be 1–255 bytes`);
  return concatBytes(new Uint8Array([bytes.length]), bytes);
}

/** The cosigned_message of tlog-cosignature §"ML-DSA-44 signed message". */
export function subtreeCosignatureMessage(
  cosigner: string,
  timestampSeconds: number,
  subtree: CosignedSubtree,
): Uint8Array {
  if (subtree.start !== 0 && timestampSeconds !== 0) {
    throw new RangeError('a cosignature of a subtree that does not start at 0 carries timestamp 0');
  }
  if (!(subtree.hash instanceof Uint8Array) || subtree.hash.length !== 32)
    throw new RangeError('a subtree hash is 32 bytes');
  if (!(subtree.end >= subtree.start)) throw new RangeError('a subtree ends at or after its start');
  return concatBytes(
    SUBTREE_LABEL,
    shortOpaque(cosigner, 'the cosigner name'),
    u64(timestampSeconds, 'the timestamp'),
    shortOpaque(subtree.origin, 'the log origin'),
    u64(subtree.start, 'the start'),
    u64(subtree.end, 'the end'),
    subtree.hash,
  );
}

/** An ML-DSA-44 cosigner (type 0x06) that stamps each signature with timestampSeconds. */
export function mlDsaCosignatureSigner(
  name: string,
  keyPair: MlDsaKeyPair,
  timestampSeconds: number,
  readSubtree: SubtreeReader,
): NoteSigner {
  u64(timestampSeconds, 'the timestamp');
  return {
    name,
    keyId: noteKeyId(name, ML_DSA_44_COSIGNATURE_TYPE, keyPair.publicKey),
    sign(noteText: Uint8Array): Uint8Array {
      const message = subtreeCosignatureMessage(name, timestampSeconds, readSubtree(noteText));
      return concatBytes(u64(timestampSeconds, 'the timestamp'), mlDsaSign(keyPair.secretKey, message));
    },
  };
}

function readTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== TIMESTAMP_BYTES + ML_DSA_44_SIGNATURE_BYTES) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, TIMESTAMP_BYTES).getBigUint64(0, false);
  return t <= BigInt(U64_SAFE_MAX) ? Number(t) : undefined;
}

/** Verifies ML-DSA-44 cosignatures by one cosigner; use it in openNote beside the other verifiers. */
export function mlDsaCosignatureVerifier(
  name: string,
  publicKey: Uint8Array,
  readSubtree: SubtreeReader,
): NoteVerifier {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ML_DSA_44_PUBLIC_KEY_BYTES) {
    throw new NoteError('BAD_VKEY', `an ML-DSA-44 public key is ${ML_DSA_44_PUBLIC_KEY_BYTES} bytes`);
  }
  const key = new Uint8Array(publicKey);
  return {
    name,
    keyId: noteKeyId(name, ML_DSA_44_COSIGNATURE_TYPE, key),
    verify(noteText: Uint8Array, signature: Uint8Array): boolean {
      const timestamp = readTimestamp(signature);
      if (timestamp === undefined) return false;
      let message: Uint8Array;
      try {
        message = subtreeCosignatureMessage(name, timestamp, readSubtree(noteText));
      } catch {
        return false;
      }
      return mlDsaVerify(key, message, signature.subarray(TIMESTAMP_BYTES));
    },
  };
}

/** The timestamp of an ML-DSA-44 cosignature line. */
export function mlDsaCosignatureTimestamp(signature: NoteSignature): number {
  const timestamp = readTimestamp(signature.signature);
  if (timestamp === undefined) {
    throw new NoteError(
      'MALFORMED_NOTE',
      `signature by ${signature.name} is not an ML-DSA-44 cosignature (${TIMESTAMP_BYTES + ML_DSA_44_SIGNATURE_BYTES} bytes)`,
    );
  }
  return timestamp;
}

/** "<name>+<key ID>+<base64(0x06 ‖ public key)>", the vkey of an ML-DSA-44 cosigner. */
export function mlDsaVkey(name: string, publicKey: Uint8Array): string {
  return vkeyString(name, ML_DSA_44_COSIGNATURE_TYPE, publicKey);
}

/** Parses an ML-DSA-44 cosigner vkey (type 0x06) into a verifier. */
export function parseMlDsaVkey(vkey: string, readSubtree: SubtreeReader): NoteVerifier {
  const { name, type, publicKey } = decodeVkey(vkey, ML_DSA_44_VKEY_CHARS_MAX);
  if (type !== ML_DSA_44_COSIGNATURE_TYPE) {
    throw new NoteError(
      'BAD_VKEY',
      `signature type 0x${type.toString(16).padStart(2, '0')} is not ML-DSA-44 (0x06)`,
    );
  }
  return mlDsaCosignatureVerifier(name, publicKey, readSubtree);
}
