// Keys, hashes and signatures. Every signature in Witan is checked by verifySignature. Key files
// are I/O: importers take readKeyFile and writeKeyFile from key-file.ts.
export {
  COSIGNATURE_V1_TYPE,
  ED25519_NOTE_TYPE,
  GROUP_ORDER,
  HASH_BYTES,
  NOTE_BYTES_MAX,
  NOTE_SIGNATURES_MAX,
  PUBLIC_KEY_BYTES,
  SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
} from './constants.ts';
export {
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTimestamp,
  cosignatureVerifier,
} from './cosignature.ts';
export {
  generateKeyPair,
  isValidPublicKey,
  type KeyPair,
  keyPairFromSeed,
  scalarBasePoint,
  sign,
  verifySignature,
} from './ed25519.ts';
export {
  CryptoError,
  type CryptoErrorCode,
  KeyFileError,
  type KeyFileErrorCode,
  NoteError,
  type NoteErrorCode,
} from './errors.ts';
export { sha256 } from './hash.ts';
export {
  type CosignedSubtree,
  generateMlDsaKeyPair,
  ML_DSA_44_COSIGNATURE_TYPE,
  ML_DSA_44_PUBLIC_KEY_BYTES,
  ML_DSA_44_SEED_BYTES,
  ML_DSA_44_SIGNATURE_BYTES,
  ML_DSA_44_VKEY_CHARS_MAX,
  type MlDsaKeyPair,
  mlDsaCosignatureSigner,
  mlDsaCosignatureTimestamp,
  mlDsaCosignatureVerifier,
  mlDsaKeyPairFromSeed,
  mlDsaSign,
  mlDsaVerify,
  mlDsaVkey,
  parseMlDsaVkey,
  type SubtreeReader,
  subtreeCosignatureMessage,
} from './ml-dsa.ts';
export {
  decodeVkey,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatNote,
  isValidKeyName,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
  openNote,
  parseNote,
  parseVkey,
  signNote,
  vkeyString,
} from './note.ts';
