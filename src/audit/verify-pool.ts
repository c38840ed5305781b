// Signature verification on all cores: a pool of node:worker_threads, one per
// available core, each calling src/crypto verifySignature. Work is cut in chunks of
// VERIFY_CHUNK_SIGNATURES packed into one transferable buffer, dealt to the least-loaded worker;
// callers get one promise per batch, results in input order.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { siblingModuleUrl } from '../base/index.ts';
import { VERIFY_CHUNK_SIGNATURES } from './constants.ts';
import { AuditError } from './errors.ts';
import { packChunk, type SignatureCheck } from './verify-chunk.ts';

export type { SignatureCheck };

type Pending = { resolve: (r: Uint8Array) => void; reject: (e: Error) => void; worker: number };

export class VerifyPool {
  readonly size: number;
  readonly #workers: Worker[];
  readonly #load: number[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(size = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1 || size > 256)
      throw new AuditError('BAD_ARGUMENT', 'pool size must be 1..256');
    this.size = size;
    this.#load = new Array(size).fill(0);
    this.#workers = Array.from({ length: size }, (_, i) => {
      const w = new Worker(siblingModuleUrl(import.meta.url, 'verify-worker'));
      w.on('message', (m: { id: number; results: Uint8Array }) => this.#done(m.id, m.results));
      w.on('error', (error) => this.#fail(i, error));
      return w;
    });
  }

  #done(id: number, results: Uint8Array): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    this.#load[p.worker]!--;
    p.resolve(results);
  }

  #fail(worker: number, error: Error): void {
    for (const [id, p] of this.#pending) {
      if (p.worker === worker) {
        this.#pending.delete(id);
        p.reject(
          new AuditError('BAD_ARGUMENT', `signature worker failed: ${error.message}`, { cause: error }),
        );
      }
    }
  }

  #chunk(items: readonly SignatureCheck[]): Promise<Uint8Array> {
    if (this.#closed)
      return Promise.reject(new AuditError('BAD_ARGUMENT', 'the verification pool is closed'));
    let worker = 0;
    for (let i = 1; i < this.size; i++) if (this.#load[i]! < this.#load[worker]!) worker = i;
    const id = this.#nextId++;
    const chunk = packChunk(items);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker });
      this.#load[worker]!++;
      this.#workers[worker]!.postMessage({ id, chunk }, [chunk.buffer as ArrayBuffer]);
    });
  }

  /** Verifies every item; result i is true iff verifySignature accepted item i. */
  async verify(items: readonly SignatureCheck[]): Promise<boolean[]> {
    const parts: Promise<Uint8Array>[] = [];
    for (let i = 0; i < items.length; i += VERIFY_CHUNK_SIGNATURES)
      parts.push(this.#chunk(items.slice(i, i + VERIFY_CHUNK_SIGNATURES)));
    const out: boolean[] = [];
    for (const r of await Promise.all(parts)) for (const b of r) out.push(b === 1);
    return out;
  }

  /** Chunks not yet answered, for back-pressure. */
  get inFlight(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
