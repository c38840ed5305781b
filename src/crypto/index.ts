// Keys, hashes and signatures. Every signature in Witan is checked by verifySignature.
export { GROUP_ORDER, HASH_BYTES, PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES } from './constants.ts';
export {
  generateKeyPair,
  isValidPublicKey,
  type KeyPair,
  keyPairFromSeed,
  sign,
  verifySignature,
} from './ed25519.ts';
export { CryptoError, type CryptoErrorCode } from './errors.ts';
export { sha256 } from './hash.ts';
