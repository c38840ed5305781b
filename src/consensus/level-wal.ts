// The consensus WAL a root runs (contract in wal.ts): the record is one LevelDB key written with
// { sync: true }, so save() resolves only after the write reached the disk, and a reader sees the
// old or the new record, whole. A record byte for byte equal to the last one made durable is
// durable already: its save resolves without a write. The core marks a step for saving whenever
// it may have changed the record, and the step that decides a height changes nothing in it (the
// decision is the ledger's to keep): that synced write sat between the last precommit and the
// append on every commit.

import { Level } from 'level';
import { bytesEqual, canonicalBytes, type Json } from '../codec/index.ts';
import { ConsensusError } from './errors.ts';
import type { PersistRecord } from './tendermint.ts';
import { decodeRecord, type Wal } from './wal.ts';

const RECORD_KEY = 'consensus/record';

export class LevelWal implements Wal {
  #db: Level<string, Uint8Array>;
  #closed = false;
  /** The bytes of the last record known durable (saved, or loaded from disk). */
  #durable: Uint8Array | undefined;

  private constructor(db: Level<string, Uint8Array>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<LevelWal> {
    const db = new Level<string, Uint8Array>(dir, { valueEncoding: 'view' });
    await db.open();
    return new LevelWal(db);
  }

  async load(): Promise<PersistRecord | null> {
    this.#check();
    const bytes = await this.#db.get(RECORD_KEY);
    if (bytes === undefined) return null;
    const record = decodeRecord(bytes);
    this.#durable = bytes;
    return record;
  }

  async save(record: PersistRecord): Promise<void> {
    this.#check();
    const bytes = canonicalBytes(record as unknown as Json);
    if (this.#durable !== undefined && bytesEqual(bytes, this.#durable)) return;
    this.#durable = undefined; // a failed write may or may not have replaced it
    await this.#db.put(RECORD_KEY, bytes, { sync: true });
    this.#durable = bytes;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  #check(): void {
    if (this.#closed) throw new ConsensusError('CLOSED', 'the consensus WAL is closed; open it again');
  }
}
