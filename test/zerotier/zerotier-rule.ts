// ZeroTier's world update rule, written for the tests from ZeroTier's documented behaviour and
// independently of src/zerotier: it reads the raw bytes at fixed offsets and verifies with
// node:crypto, so a bug in our encoder or verifier cannot hide in both places at once.

import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * ZeroTier's update rule written from its documented behaviour (World::shouldBeReplacedBy,
 * C25519::verify), on raw bytes, without our codec: same type (byte 0) and id (bytes 1–8), a
 * larger u64 timestamp (bytes 9–16), and a signature (bytes 81–176) that is an Ed25519
 * signature by the Ed25519 half of the current planet's updatesMustBeSignedBy (bytes 17–80)
 * over the first 32 bytes of SHA-512(0x7f×8 ‖ bytes without the signature ‖ 0xf7×8), followed
 * by those 32 bytes.
 */
export function zeroTierAcceptsUpdate(current: Uint8Array, update: Uint8Array): boolean {
  const u64 = (b: Uint8Array, at: number) => Buffer.from(b).readBigUInt64BE(at);
  if (current[0] !== update[0]) return false;
  if (u64(current, 1) !== u64(update, 1)) return false;
  if (!(u64(update, 9) > u64(current, 9))) return false;
  const signingInput = Buffer.concat([
    Buffer.alloc(8, 0x7f),
    update.subarray(0, 81),
    update.subarray(177),
    Buffer.alloc(8, 0xf7),
  ]);
  const digest = createHash('sha512').update(signingInput).digest().subarray(0, 32);
  const signature = update.subarray(81, 177);
  if (!digest.equals(signature.subarray(64))) return false;
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), current.subarray(17 + 32, 17 + 64)]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, digest, key, signature.subarray(0, 64));
}
