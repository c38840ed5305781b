// ZeroTier's identities, worlds (planets and moons) and C25519 signatures, byte-compatible with
// ZeroTierOne 1.x so that stock ZeroTier nodes accept the planets the federation signs. Pure.
export {
  c25519PublicKeyOfEd25519,
  c25519Sign,
  c25519SignedDigest,
  c25519Verify,
  type Ed25519Signer,
  ed25519SeedSigner,
} from './c25519.ts';
export * from './constants.ts';
export { type Endpoint, formatEndpoint, parseEndpoint, unusableEndpointReason } from './endpoint.ts';
export { ZeroTierError, type ZeroTierErrorCode } from './errors.ts';
export {
  addressFromBytes,
  addressToBytes,
  ed25519Half,
  formatIdentity,
  generateIdentity,
  isReservedAddress,
  isValidIdentity,
  parseIdentity,
  publicKeyFromSecret,
  type RandomSource,
  validateIdentity,
  type ZeroTierIdentity,
  type ZeroTierSecretIdentity,
} from './identity.ts';
export { identityHash } from './identity-hash.ts';
export { checkWorldUpdate, shouldBeReplacedBy, type UpdateVerdict } from './update.ts';
export {
  parseWorld,
  serializeWorld,
  signWorld,
  type UnsignedWorld,
  verifyWorldSignature,
  type World,
  type WorldRoot,
  type WorldType,
  worldSigningBytes,
} from './world.ts';
