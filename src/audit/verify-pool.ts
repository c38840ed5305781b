// Work of the audit on all cores: a pool of node:worker_threads, one per available core. Two
// kinds of job, each packed into one transferable buffer and dealt to the least-loaded worker:
// signatures (chunks of VERIFY_CHUNK_SIGNATURES, each checked with src/crypto verifySignature)
// and ledger entries (entry-check.ts: decoded, statement ids and signatures, a bundle at a
// time). Callers get one promise per job, results in input order.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { siblingModuleUrl } from '../base/index.ts';
import { VERIFY_CHUNK_SIGNATURES } from './constants.ts';
import type { CheckedEntries, KeyGuesses, MemberKeys } from './entry-check.ts';
import { AuditError } from './errors.ts';
import { packChunk, packEntries, type SignatureCheck } from './verify-chunk.ts';

export type { SignatureCheck };

/** A job as the worker gets it (verify-worker.ts). */
export type PoolJob =
  | { id: number; kind: 'signatures'; chunk: Uint8Array }
  | { id: number; kind: 'entries'; packed: Uint8Array; start: number; keys: [string, MemberKeys][] };

/** A worker's answer: signature verdicts (1/0) or checked entries. */
export type PoolAnswer = { id: number; results?: Uint8Array; checked?: CheckedEntries };

type Pending = { resolve: (r: PoolAnswer) => void; reject: (e: Error) => void; worker: number };

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
      w.on('message', (m: PoolAnswer) => this.#done(m));
      w.on('error', (error) => this.#fail(i, error));
      return w;
    });
  }

  #done(answer: PoolAnswer): void {
    const p = this.#pending.get(answer.id);
    if (p === undefined) return;
    this.#pending.delete(answer.id);
    this.#load[p.worker]!--;
    p.resolve(answer);
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

  /** Posts a job (its buffer transferred) to the least-loaded worker. */
  #post(job: PoolJob, buffer: Uint8Array): Promise<PoolAnswer> {
    if (this.#closed)
      return Promise.reject(new AuditError('BAD_ARGUMENT', 'the verification pool is closed'));
    let worker = 0;
    for (let i = 1; i < this.size; i++) if (this.#load[i]! < this.#load[worker]!) worker = i;
    return new Promise((resolve, reject) => {
      this.#pending.set(job.id, { resolve, reject, worker });
      this.#load[worker]!++;
      this.#workers[worker]!.postMessage(job, [buffer.buffer as ArrayBuffer]);
    });
  }

  /** Verifies every item; result i is true iff verifySignature accepted item i. */
  async verify(items: readonly SignatureCheck[]): Promise<boolean[]> {
    const parts: Promise<PoolAnswer>[] = [];
    for (let i = 0; i < items.length; i += VERIFY_CHUNK_SIGNATURES) {
      const chunk = packChunk(items.slice(i, i + VERIFY_CHUNK_SIGNATURES));
      parts.push(this.#post({ id: this.#nextId++, kind: 'signatures', chunk }, chunk));
    }
    const out: boolean[] = [];
    for (const r of await Promise.all(parts)) for (const b of r.results!) out.push(b === 1);
    return out;
  }

  /**
   * entry-check.ts checkEntries on a worker: `entries` are the ledger's from index `start`,
   * `keys` the guessed keys by author (copied; the caller's map is not changed).
   */
  async checkEntries(
    entries: readonly Uint8Array[],
    start: number,
    keys: KeyGuesses,
  ): Promise<CheckedEntries> {
    const packed = packEntries(entries);
    const job: PoolJob = { id: this.#nextId++, kind: 'entries', packed, start, keys: [...keys] };
    return (await this.#post(job, packed)).checked!;
  }

  /** Jobs not yet answered, for back-pressure. */
  get inFlight(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
