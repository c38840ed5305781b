// What a root answers from memory about its ledger: where each statement was committed, every
// world with its entry index, and each motion's outcome. Rebuilt from the ledger at start-up
// (entries are the source of truth) and extended on every commit.

import type { MotionOutcome } from '../api/root-view.ts';
import {
  decodeEntry,
  type FederationSignatureStatement,
  type LedgerEntry,
  type OutcomeResult,
  statementId,
  type World,
  worldHash,
} from '../governance/index.ts';

export interface WorldRecord {
  version: number;
  hash: string;
  /** Ledger index of the entry that holds the world (0: the genesis). */
  index: number;
  world: World;
}

export interface CommitRecord {
  index: number;
  height: number;
}

export interface OutcomeRecord {
  result: OutcomeResult;
  reason?: string;
  index: number;
  height: number;
}

export class LedgerIndex {
  readonly statements = new Map<string, CommitRecord>();
  readonly worlds: WorldRecord[] = [];
  readonly outcomes = new Map<string, OutcomeRecord>();
  /** The federation's signatures of each world that has them (charter §20), by version. */
  readonly federationSignatures = new Map<number, FederationSignatureStatement>();
  /** Batch header per height: where it starts and its time. */
  readonly batches = new Map<number, { index: number; timeMs: number; proposer: string }>();
  #height = 0;

  /** The outcome of a decided motion, or undefined. */
  outcome(id: string): MotionOutcome | undefined {
    const o = this.outcomes.get(id);
    return o === undefined ? undefined : { id, ...o };
  }

  /** The `limit` most recently decided motions, newest first. */
  decidedMotions(limit: number): MotionOutcome[] {
    return [...this.outcomes.entries()]
      .slice(-limit)
      .reverse()
      .map(([id, o]) => ({ id, ...o }));
  }

  /** Records one entry at `index`; call in ledger order. */
  add(index: number, bytes: Uint8Array): void {
    this.addDecoded(index, decodeEntry(bytes));
  }

  addDecoded(index: number, entry: LedgerEntry): void {
    switch (entry.kind) {
      case 'genesis':
        this.worlds.push({
          version: 1,
          hash: worldHash(entry.genesis.world),
          index,
          world: entry.genesis.world,
        });
        break;
      case 'batch':
        this.#height = entry.height;
        this.batches.set(entry.height, { index, timeMs: entry.timeMs, proposer: entry.proposer });
        break;
      case 'statement': {
        this.statements.set(statementId(entry.statement), { index, height: this.#height });
        const s = entry.statement.statement;
        if (s.kind === 'federation-signature') this.federationSignatures.set(s.version, s);
        break;
      }
      case 'world':
        this.worlds.push({
          version: entry.world.version,
          hash: worldHash(entry.world),
          index,
          world: entry.world,
        });
        break;
      case 'outcome': {
        const record: OutcomeRecord = { result: entry.result, index, height: this.#height };
        if (entry.reason !== undefined) record.reason = entry.reason;
        this.outcomes.set(entry.motion, record);
        break;
      }
    }
  }
}
