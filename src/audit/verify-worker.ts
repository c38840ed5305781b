// Worker side of the verification pool (verify-pool.ts): signature chunks, checked with
// src/crypto verifySignature — the single verification function — so the auditor accepts
// exactly what roots accept; and entry jobs, checked by entry-check.ts, the same code the
// audit runs inline without a pool.

import { parentPort } from 'node:worker_threads';
import { invariant } from '../base/index.ts';
import { verifySignature } from '../crypto/index.ts';
import { checkEntries, forTransfer } from './entry-check.ts';
import { unpackChunk, unpackEntries } from './verify-chunk.ts';
import type { PoolAnswer, PoolJob } from './verify-pool.ts';

invariant(parentPort !== null, 'verify-worker runs as a worker thread');
const port = parentPort;
port.on('message', (job: PoolJob) => {
  if (job.kind === 'entries') {
    const checked = checkEntries(unpackEntries(job.packed), job.start, new Map(job.keys), true);
    port.postMessage({ id: job.id, checked: forTransfer(checked) } satisfies PoolAnswer);
    return;
  }
  const items = unpackChunk(job.chunk);
  const results = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    results[i] = verifySignature(it.publicKey, it.message, it.signature) ? 1 : 0;
  }
  port.postMessage({ id: job.id, results } satisfies PoolAnswer, [results.buffer]);
});
