// The consensus WAL a root runs (contract in wal.ts): the record is one LevelDB key written with
// { sync: true }, so save() resolves only after the write reached the disk, and a reader sees the
// old or the new record, whole.

import { Level } from 'level';
import { canonicalBytes, type Json } from '../codec/index.ts';
import { ConsensusError } from './errors.ts';
import type { PersistRecord } from './tendermint.ts';
import { decodeRecord, type Wal } from './wal.ts';

const RECORD_KEY = 'consensus/record';

export class LevelWal implements Wal {
  #db: Level<string, Uint8Array>;
  #closed = false;

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
    return bytes === undefined ? null : decodeRecord(bytes);
  }

  async save(record: PersistRecord): Promise<void> {
    this.#check();
    await this.#db.put(RECORD_KEY, canonicalBytes(record as unknown as Json), { sync: true });
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
