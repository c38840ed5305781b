// The subtree an ML-DSA-44 cosignature of a checkpoint covers (C2SP tlog-cosignature,
// §"ML-DSA-44 signed message"): the checkpoint's origin, start 0, end = tree size, and root
// hash. Given to the crypto layer's ML-DSA signers and verifiers, which do not parse
// checkpoints themselves.

import type { CosignedSubtree } from '../crypto/index.ts';
import { parseCheckpoint } from './checkpoint.ts';

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function checkpointSubtree(noteText: Uint8Array): CosignedSubtree {
  const checkpoint = parseCheckpoint(utf8Strict.decode(noteText));
  return { origin: checkpoint.origin, start: 0, end: checkpoint.size, hash: checkpoint.rootHash };
}
