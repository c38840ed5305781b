// Ledger entries grouped by batch, the unit the rules execute: a batch header, the statements
// it holds, then what the rules produced from them (outcomes, a world). Replay, the auditor's
// streaming replay and a root's start-up replay all read the ledger through this one grouper,
// so they agree on where a batch ends and on what may follow what.

import type { LedgerEntry } from './entry.ts';
import { GovernanceError } from './errors.ts';
import type { SignedStatement } from './statement-types.ts';

/** One batch as the ledger records it: its header (at `start`), entries and statements. */
export interface BatchGroup {
  start: number;
  /** A batch header, or a recovery: the header of a batch of its own (charter §20). */
  header: Extract<LedgerEntry, { kind: 'batch' | 'recovery' }>;
  /** The batch's entries as recorded, header first. */
  raw: Uint8Array[];
  statements: SignedStatement[];
  /** An outcome or world was seen: no statement may follow in this batch. */
  producing: boolean;
}

export function replayMismatch(entryIndex: number, message: string): GovernanceError {
  return new GovernanceError('REPLAY_MISMATCH', `ledger entry ${entryIndex}: ${message}`, { entryIndex });
}

/**
 * Groups decoded entries, fed in ledger order from index 1 (entry 0 is the genesis), into
 * batches. Throws REPLAY_MISMATCH for an entry that cannot stand where it is. Memory: the
 * entries of the open batch only.
 */
export class BatchGrouper {
  #open: BatchGroup | null = null;

  /** The batch still being read, if any. */
  get open(): BatchGroup | null {
    return this.#open;
  }

  /** Adds entry `index`; returns the batch it closed when it is the next batch's header. */
  add(index: number, bytes: Uint8Array, entry: LedgerEntry): BatchGroup | null {
    const group = this.#open;
    if (entry.kind === 'batch' || entry.kind === 'recovery') {
      this.#open = { start: index, header: entry, raw: [bytes], statements: [], producing: false };
      return group;
    }
    if (group === null || entry.kind === 'genesis')
      throw replayMismatch(index, `a ${entry.kind} entry must follow a batch header`);
    if (entry.kind === 'statement') {
      if (group.producing) throw replayMismatch(index, 'a statement entry after the outcomes of its batch');
      group.statements.push(entry.statement);
    } else {
      group.producing = true;
    }
    group.raw.push(bytes);
    return null;
  }

  /** Closes and returns the open batch (at the end of the entries), if any. */
  take(): BatchGroup | null {
    const group = this.#open;
    this.#open = null;
    return group;
  }
}
