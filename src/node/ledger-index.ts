// What a root answers from memory about its ledger: where each statement was committed, every
// world with its entry index, each motion's outcome, and where each motion's statements are.
// Rebuilt from the ledger at start-up (entries are the source of truth) and extended on every
// commit.
//
// Memory: positions, not words. For every statement the index keeps its id and where it is
// (as it always has); for a motion the ledger index of its statement and of its ballots. What
// people wrote — a motion's summary, a ballot's reason — is read from the store when asked
// (motion-views.ts, behind a bounded cache), so years of ballots do not sit in memory as text.

import type { MotionOutcome } from '../api/root-view.ts';
import {
  decodeEntry,
  type FederationSignatureStatement,
  type LedgerEntry,
  type OutcomeResult,
  recoveryId,
  SHORT_ID_HEX_MIN,
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

/** Where a motion's statements are: the motion (or the evidence that opened it) and its ballots. */
export interface MotionPositions {
  index: number;
  /** Ledger indexes of the ballots on it, in ledger order. */
  ballots: number[];
}

/** What the index names as the proposer of a recovery's batch: no member proposed it. */
export const RECOVERY_PROPOSER = '#recovery';

/** A statement id's first SHORT_ID_HEX_MIN hex digits as a number: the key of its prefix bucket. */
function bucketOf(hex: string): number {
  return Number.parseInt(hex.slice(0, SHORT_ID_HEX_MIN), 16);
}

export class LedgerIndex {
  readonly statements = new Map<string, CommitRecord>();
  readonly worlds: WorldRecord[] = [];
  readonly outcomes = new Map<string, OutcomeRecord>();
  readonly motions = new Map<string, MotionPositions>();
  /** The federation's signatures of each world that has them (charter §22), by version. */
  readonly federationSignatures = new Map<number, FederationSignatureStatement>();
  /** The newest world version whose planet (or moon) signature is committed; 0 while none is. */
  readonly zeroTierSigned = { planet: 0, moon: 0 };
  /** Batch header per height: where it starts and its time. */
  readonly batches = new Map<number, { index: number; timeMs: number; proposer: string }>();
  /** Recoveries (charter §20) by id: the ledger index of the entry that opens their batch. */
  readonly recoveries = new Map<string, number>();
  /** Statement ids by their first SHORT_ID_HEX_MIN hex digits: short ids are resolved here. */
  readonly #byPrefix = new Map<number, string | string[]>();
  #height = 0;

  /** The outcome of a decided motion, or undefined. */
  outcome(id: string): MotionOutcome | undefined {
    const o = this.outcomes.get(id);
    if (o === undefined) return undefined;
    return {
      id,
      ...o,
      worldVersion: this.worldAfter(o.height).version,
      decidedMs: this.batches.get(o.height)?.timeMs ?? 0,
    };
  }

  /** Ids of the `limit` most recently decided motions, newest first. */
  decidedIds(limit: number): string[] {
    const out: string[] = [];
    const ids = [...this.outcomes.keys()];
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) out.push(ids[i]!);
    return out;
  }

  /** The world in force at ledger index `index` (the last world entry at or before it). */
  worldAt(index: number): WorldRecord {
    let lo = 0;
    let hi = this.worlds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.worlds[mid]!.index <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.worlds[lo]!;
  }

  /** The world in force when the batch at `height` began: its votes were counted against it. */
  worldBefore(height: number): WorldRecord {
    const start = this.batches.get(height)?.index;
    return start === undefined ? this.worlds.at(-1)! : this.worldAt(start - 1);
  }

  /** The world in force after the batch at `height`. */
  worldAfter(height: number): WorldRecord {
    const next = this.batches.get(height + 1)?.index;
    return next === undefined ? this.worlds.at(-1)! : this.worldAt(next - 1);
  }

  /**
   * Committed statement ids that start with `prefix` (at least SHORT_ID_HEX_MIN lowercase hex
   * digits) and pass `accept`, at most `limit` of them.
   */
  idsWithPrefix(prefix: string, limit: number, accept: (id: string) => boolean = () => true): string[] {
    const bucket = this.#byPrefix.get(bucketOf(prefix));
    if (bucket === undefined) return [];
    const ids = typeof bucket === 'string' ? [bucket] : bucket;
    return ids.filter((id) => id.startsWith(prefix) && accept(id)).slice(0, limit);
  }

  /** Committed statements other than `id` whose ids share its first `digits` hex digits. */
  sharesPrefix(id: string, digits: number): boolean {
    return this.idsWithPrefix(id.slice(0, digits), 2).some((other) => other !== id);
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
      case 'recovery': {
        // Its batch's time is the recovery's time plus the time lock: the world entry after it
        // says which; the recovery's own time is what the index keeps.
        const r = entry.recovery.recovery;
        this.#height = r.height;
        this.batches.set(r.height, { index, timeMs: r.timeMs, proposer: RECOVERY_PROPOSER });
        this.recoveries.set(recoveryId(entry.recovery), index);
        break;
      }
      case 'statement': {
        const id = statementId(entry.statement);
        this.statements.set(id, { index, height: this.#height });
        this.#addPrefix(id);
        const s = entry.statement.statement;
        // An accepted motion opens; accepted evidence opens a removal motion named by its id.
        if (s.kind === 'motion' || s.kind === 'evidence') this.motions.set(id, { index, ballots: [] });
        else if (s.kind === 'ballot') this.motions.get(s.motion)?.ballots.push(index);
        else if (s.kind === 'federation-signature') {
          this.federationSignatures.set(s.version, s);
          for (const type of ['planet', 'moon'] as const)
            if (s[type] !== undefined)
              this.zeroTierSigned[type] = Math.max(this.zeroTierSigned[type], s.version);
        }
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
      case 'verdict':
        // A motion the rules opened after a duty verdict (charter §21): it has no statement,
        // so its verdict entry stands where a motion's statement would, and its id is known.
        if (entry.motion !== undefined) {
          this.statements.set(entry.motion, { index, height: this.#height });
          this.#addPrefix(entry.motion);
          this.motions.set(entry.motion, { index, ballots: [] });
        }
        break;
      case 'outcome': {
        const record: OutcomeRecord = { result: entry.result, index, height: this.#height };
        if (entry.reason !== undefined) record.reason = entry.reason;
        this.outcomes.set(entry.motion, record);
        break;
      }
    }
  }

  #addPrefix(id: string): void {
    const key = bucketOf(id);
    const bucket = this.#byPrefix.get(key);
    if (bucket === undefined) this.#byPrefix.set(key, id);
    else if (typeof bucket === 'string') this.#byPrefix.set(key, [bucket, id]);
    else bucket.push(id);
  }
}
