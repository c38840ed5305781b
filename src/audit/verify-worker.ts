// Worker side of the verification pool (verify-pool.ts): unpacks a chunk of signatures and
// checks each with src/crypto verifySignature — the single verification function — so the
// auditor accepts exactly what roots accept.

import { parentPort } from 'node:worker_threads';
import { invariant } from '../base/index.ts';
import { verifySignature } from '../crypto/index.ts';
import { unpackChunk } from './verify-chunk.ts';

invariant(parentPort !== null, 'verify-worker runs as a worker thread');
const port = parentPort;
port.on('message', (message: { id: number; chunk: Uint8Array }) => {
  const items = unpackChunk(message.chunk);
  const results = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    results[i] = verifySignature(it.publicKey, it.message, it.signature) ? 1 : 0;
  }
  port.postMessage({ id: message.id, results }, [results.buffer]);
});
