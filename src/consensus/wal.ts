// The consensus write-ahead log ("persist before you speak", docs/architecture.md §Consensus): the core's
// PersistRecord — height, round, step, lock, valid value, last signed round/step and the votes and
// proposal signed there — written durably before any message of the same step leaves, so that no
// restart, even after SIGKILL between any two instructions, signs a vote that conflicts with one
// already sent. This file holds the contract, the record codec and an in-memory WAL; the LevelDB
// WAL a root runs is in level-wal.ts (I/O, so not exported from index.ts).
//
// Contract:
// - save(record) resolves only once the record is durable: when the promise resolves the record
//   survives a crash or power cut. A save that has not resolved may or may not have happened; a
//   reader sees the old or the new record, whole.
// - load() returns the last record whose save resolved (or a later one whose save was in flight).
// - Calls must not overlap: the driver awaits each save before the next step.
// - The record is canonical JSON; a record that does not decode is WAL_CORRUPT (stop the root and
//   restore its data folder: signing again without it could equivocate).

import { decodeCanonical } from '../codec/index.ts';
import { parseSignedVote } from '../wire/index.ts';
import { MESSAGE_BYTES_MAX } from './constants.ts';
import { ConsensusError } from './errors.ts';
import { parseSignedProposal } from './proposal.ts';
import type { PersistRecord } from './tendermint.ts';

export interface Wal {
  load(): Promise<PersistRecord | null>;
  save(record: PersistRecord): Promise<void>;
  close(): Promise<void>;
}

/** An in-memory WAL for tests and scripted peers: durable for the life of the object. */
export class MemoryWal implements Wal {
  record: PersistRecord | null = null;
  async load(): Promise<PersistRecord | null> {
    return this.record;
  }
  async save(record: PersistRecord): Promise<void> {
    this.record = record;
  }
  async close(): Promise<void> {}
}

export function decodeRecord(bytes: Uint8Array): PersistRecord {
  try {
    const x = decodeCanonical(bytes, {
      bytesMax: MESSAGE_BYTES_MAX,
      depthMax: 8,
    }) as unknown as PersistRecord;
    const int = (n: unknown, min: number): boolean => Number.isSafeInteger(n) && (n as number) >= min;
    const ok =
      typeof x === 'object' &&
      x !== null &&
      int(x.height, 0) &&
      typeof x.active === 'boolean' &&
      int(x.round, 0) &&
      (x.step === 'propose' || x.step === 'prevote' || x.step === 'precommit') &&
      int(x.lockedRound, -1) &&
      int(x.validRound, -1) &&
      (x.lockedValue === null || typeof x.lockedValue === 'string') &&
      (x.validValue === null || typeof x.validValue === 'string') &&
      (x.lastSigned === null || (int(x.lastSigned.round, 0) && int(x.lastSigned.step, 0))) &&
      Array.isArray(x.ownVotes);
    if (!ok) throw new Error('fields out of shape');
    x.ownVotes.forEach(parseSignedVote);
    if (x.validPol !== undefined) {
      if (!Array.isArray(x.validPol)) throw new Error('validPol must be an array');
      x.validPol.forEach(parseSignedVote);
    }
    if (x.ownProposal !== null) parseSignedProposal(x.ownProposal);
    return x;
  } catch (e) {
    throw new ConsensusError(
      'WAL_CORRUPT',
      `the WAL record does not decode (${e instanceof Error ? e.message : String(e)}); restore the WAL from a backup, since signing without it could equivocate`,
    );
  }
}
