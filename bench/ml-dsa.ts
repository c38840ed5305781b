// Post-quantum cosignatures: ML-DSA-44 (FIPS 204, @noble/post-quantum) signing and
// verification rates against Ed25519 through node:crypto (THE verification function), in the
// same run, over the same checkpoint-sized message. The ratio says how many Ed25519
// operations one ML-DSA-44 operation costs.

import { loadavg } from 'node:os';
import { utf8Bytes } from '../src/codec/index.ts';
import {
  keyPairFromSeed,
  mlDsaKeyPairFromSeed,
  mlDsaSign,
  mlDsaVerify,
  sha256,
  sign,
  verifySignature,
} from '../src/crypto/index.ts';
import { type BenchResult, opsPerSecond, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const MESSAGE = utf8Bytes('example.org/witan\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');

export async function run(options: BenchOptions): Promise<BenchResult> {
  const ms = options.quick ? 300 : 3000;
  const ed = keyPairFromSeed(sha256(utf8Bytes('bench ed25519')));
  const pq = mlDsaKeyPairFromSeed(sha256(utf8Bytes('bench ml-dsa')));
  const edSignature = sign(ed.secretKey, MESSAGE);
  const pqSignature = mlDsaSign(pq.secretKey, MESSAGE);
  if (
    !verifySignature(ed.publicKey, MESSAGE, edSignature) ||
    !mlDsaVerify(pq.publicKey, MESSAGE, pqSignature)
  ) {
    throw new Error('a benchmark signature does not verify');
  }
  const batch = 16;
  const edSign = await opsPerSecond(() => {
    for (let i = 0; i < batch; i++) sign(ed.secretKey, MESSAGE);
    return batch;
  }, ms);
  const pqSign = await opsPerSecond(() => {
    mlDsaSign(pq.secretKey, MESSAGE);
    return 1;
  }, ms);
  const edVerify = await opsPerSecond(() => {
    for (let i = 0; i < batch; i++) verifySignature(ed.publicKey, MESSAGE, edSignature);
    return batch;
  }, ms);
  const pqVerify = await opsPerSecond(() => {
    mlDsaVerify(pq.publicKey, MESSAGE, pqSignature);
    return 1;
  }, ms);
  return {
    id: 'ml-dsa',
    title: 'Post-quantum cosignatures: ML-DSA-44 against Ed25519',
    figures: [
      ratioFigure(
        'ML-DSA-44 sign (@noble/post-quantum)',
        pqSign,
        'ops/s',
        'Ed25519 sign (node:crypto)',
        edSign,
      ),
      ratioFigure(
        'ML-DSA-44 verify (@noble/post-quantum)',
        pqVerify,
        'ops/s',
        'Ed25519 verify (node:crypto, strict)',
        edVerify,
      ),
    ],
    notes: [
      `one core, ${ms} ms per measure; message is a ${MESSAGE.length}-byte checkpoint; ratio = ML-DSA rate / Ed25519 rate (higher is better)`,
      `1-minute load average ${loadavg()[0]!.toFixed(1)} at the end of the run (other work shares the machine's cores)`,
      `signature sizes: Ed25519 64 bytes, ML-DSA-44 2,420 bytes (+ 8-byte timestamp in a cosignature line); public keys 32 and 1,312 bytes`,
    ],
  };
}
