// Motions as people read them: the words their authors signed (the motion's summary, each
// ballot's reason), the changes as a diff against the world, the tally said in full, and for a
// decided motion everything it was decided with — its ballots, the batch, the world after.
//
// The governance state holds only what the rules need (an open motion's changes and ballot
// choices); the rest is in the ledger. The ledger index knows where each motion's statements
// are; this reads them from the store when asked — one read per entry bundle — and keeps them in
// two bounded caches: decoded motion and ballot statements (enough for every open motion), and
// finished views of decided motions, which never change. Short ids are given and resolved here
// too, over the committed statements and the pending ones.

import type {
  BallotView,
  DecidedMotionView,
  IdMatch,
  MotionView,
  OpenMotionView,
  TallyView,
} from '../api/root-view.ts';
import { Lru } from '../base/index.ts';
import {
  decodeEntry,
  diffChanges,
  type Evidence,
  type GovernanceState,
  type OpenMotion,
  type Statement,
  SYSTEM_AUTHOR,
  statementId,
  tally,
  type VerdictEntry,
  type World,
} from '../governance/index.ts';
import { TILE_WIDTH } from '../ledger/index.ts';
import { DECIDED_MOTION_VIEWS_CACHED_MAX, MOTION_STATEMENTS_CACHED_MAX } from './constants.ts';
import type { LedgerIndex } from './ledger-index.ts';
import { IdSpace, type PendingId } from './short-ids.ts';

/** The store as this reads it: entries [start, end) of one bundle at most. */
export interface EntryReader {
  entries(start: number, end: number): Promise<Uint8Array[]>;
}

interface Known {
  id: string;
  /** A statement, or the verdict that opened a duty motion (charter §21). */
  statement: Statement | VerdictEntry;
}

type DecidedCore = Omit<DecidedMotionView, 'shortId'>;
type Opening = Pick<DecidedCore, 'author' | 'summary' | 'changes' | 'createdMs' | 'deadlineMs'>;

/** The rules' tally with what it leaves unsaid: who has not voted, and whether only the seasoned count. */
export function tallyView(
  motion: Pick<OpenMotion, 'changes' | 'ballots'>,
  world: World,
  timeMs: number,
): TallyView {
  const t = tally(motion, world, timeMs);
  const seasonedOnly = t.rule === 'policy-change' || t.rule === 'removal';
  return { ...t, notVoted: t.eligible - t.yes - t.no - t.abstain, seasonedOnly };
}

function ballotView(
  b: { choice: BallotView['choice']; createdMs: number; id: string },
  s?: Known['statement'],
): BallotView {
  const view: BallotView = { choice: b.choice, createdMs: b.createdMs, id: b.id };
  if (s?.kind === 'ballot' && s.reason !== undefined) view.reason = s.reason;
  return view;
}

export class MotionViews {
  readonly #index: LedgerIndex;
  readonly #store: EntryReader;
  readonly #pending: () => Iterable<PendingId>;
  readonly #statements = new Lru<number, Known>(MOTION_STATEMENTS_CACHED_MAX);
  readonly #decided = new Lru<string, DecidedCore>(DECIDED_MOTION_VIEWS_CACHED_MAX);

  /** `pending`: the statements waiting in the pool, for short ids that are unique among all. */
  constructor(index: LedgerIndex, store: EntryReader, pending: () => Iterable<PendingId>) {
    this.#index = index;
    this.#store = store;
    this.#pending = pending;
  }

  #ids(): IdSpace {
    return new IdSpace(this.#index, this.#pending());
  }

  /** What a prefix of an id names (short-ids.ts). */
  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch {
    return this.#ids().resolve(prefix, what);
  }

  /** Every open motion of `state`, and the `decidedLimit` most recently decided, newest first. */
  async motions(
    state: GovernanceState,
    decidedLimit: number,
  ): Promise<{ open: OpenMotionView[]; decided: DecidedMotionView[] }> {
    const ids = this.#ids();
    const shortId = (id: string) => ids.shortId(id);
    return {
      open: await this.#open(state, shortId),
      decided: await this.#decidedViews(this.#index.decidedIds(decidedLimit), shortId),
    };
  }

  /** A motion by full id: open in `state`, else decided, else undefined. */
  async motion(state: GovernanceState, id: string): Promise<MotionView | undefined> {
    const ids = this.#ids();
    const shortId = (x: string) => ids.shortId(x);
    const open = state.openMotions.find((m) => m.id === id);
    if (open !== undefined) {
      const ballots = Object.values(open.ballots).map((b) => this.#position(b.id));
      const known = await this.#read([this.#position(id), ...ballots]);
      return this.#openView(state, open, known, shortId(id));
    }
    const [decided] = await this.#decidedViews([id], shortId);
    return decided;
  }

  async #open(state: GovernanceState, shortId: (id: string) => string): Promise<OpenMotionView[]> {
    const wanted: number[] = [];
    for (const m of state.openMotions) {
      wanted.push(this.#position(m.id));
      for (const b of Object.values(m.ballots)) wanted.push(this.#position(b.id));
    }
    const known = await this.#read(wanted);
    return state.openMotions.map((m) => this.#openView(state, m, known, shortId(m.id)));
  }

  /** The decided motions `ids` (those the index knows), in that order. */
  async #decidedViews(ids: readonly string[], shortId: (id: string) => string): Promise<DecidedMotionView[]> {
    const out: DecidedMotionView[] = [];
    for (const id of ids) {
      const core = await this.#decidedCore(id);
      if (core !== undefined) out.push({ ...core, shortId: shortId(id) });
    }
    return out;
  }

  /** Ledger index of a committed statement; the index holds every statement the state names. */
  #position(id: string): number {
    const at = this.#index.statements.get(id);
    if (at === undefined) throw new Error(`statement ${id} is in the state but not in the ledger index`);
    return at.index;
  }

  #openView(
    state: GovernanceState,
    m: OpenMotion,
    known: Map<number, Known>,
    shortId: string,
  ): OpenMotionView {
    const proposed = this.#index.statements.get(m.id)!;
    const s = known.get(proposed.index)?.statement;
    const ballots: Record<string, BallotView> = {};
    for (const [name, b] of Object.entries(m.ballots))
      ballots[name] = ballotView(b, known.get(this.#position(b.id))?.statement);
    return {
      id: m.id,
      shortId,
      author: m.author,
      ...(s?.kind === 'motion' && s.summary !== undefined ? { summary: s.summary } : {}),
      changes: m.changes,
      diff: diffChanges(state.world, m.changes),
      against: { version: state.world.version, hash: state.worldHash },
      createdMs: m.createdMs,
      deadlineMs: m.deadlineMs,
      proposed: { index: proposed.index, height: proposed.height },
      ballots,
      tally: tallyView(m, state.world, state.timeMs),
      status: 'open',
      parent: m.parent,
    };
  }

  async #decidedCore(id: string): Promise<DecidedCore | undefined> {
    const hit = this.#decided.get(id);
    if (hit !== undefined) return hit;
    const outcome = this.#index.outcome(id);
    const at = this.#index.motions.get(id);
    if (outcome === undefined || at === undefined) return undefined;
    const known = await this.#read([at.index, ...at.ballots]);
    const proposedHeight = this.#index.statements.get(id)!.height;
    const opening = this.#opening(known.get(at.index)!.statement, proposedHeight);
    // Latest ballot per member: the rules replace a member's ballot only with a later one, so
    // ledger order is the order of replacement.
    const ballots: Record<string, BallotView> = {};
    for (const index of at.ballots) {
      const b = known.get(index)!;
      if (b.statement.kind !== 'ballot') continue;
      ballots[b.statement.author] = ballotView({ ...b.statement, id: b.id }, b.statement);
    }
    const against = this.#index.worldBefore(outcome.height);
    const { id: _id, ...decided } = outcome;
    const core: DecidedCore = {
      id,
      ...opening,
      diff: diffChanges(against.world, opening.changes),
      against: { version: against.version, hash: against.hash },
      proposed: { index: at.index, height: proposedHeight },
      ballots,
      tally: tallyView({ changes: opening.changes, ballots }, against.world, outcome.decidedMs),
      status: 'decided',
      ...decided,
    };
    this.#decided.set(id, core);
    return core;
  }

  /** Who moved a motion, with what words and changes, and when; from its statement. */
  #opening(s: Known['statement'], height: number): Opening {
    if (s.kind === 'verdict') return this.#dutyOpening(s, height);
    if (s.kind === 'motion') {
      return {
        author: s.author,
        ...(s.summary !== undefined ? { summary: s.summary } : {}),
        changes: s.changes,
        createdMs: s.createdMs,
        deadlineMs: s.deadlineMs,
      };
    }
    if (s.kind !== 'evidence') throw new Error(`a ${s.kind} opened no motion`);
    // Evidence opens a removal motion at its batch's time, for the motion lifetime then in force.
    const timeMs = this.#index.batches.get(height)!.timeMs;
    return {
      author: SYSTEM_AUTHOR,
      changes: [{ type: 'remove', member: this.#culprit(s.evidence, height) }],
      createdMs: timeMs,
      deadlineMs: timeMs + this.#index.worldBefore(height).world.policy.motionTtlMs,
    };
  }

  /**
   * A duty motion (charter §21): opened at its batch's time, for the motion lifetime then in
   * force; probation for a member voting when the batch began, removal for one in probation.
   */
  #dutyOpening(v: VerdictEntry, height: number): Opening {
    const timeMs = this.#index.batches.get(height)!.timeMs;
    const before = this.#index.worldBefore(height).world;
    const status = before.members.find((m) => m.name === v.member)?.status;
    return {
      author: SYSTEM_AUTHOR,
      changes: [
        status === 'voting' ? { type: 'probation', member: v.member } : { type: 'remove', member: v.member },
      ],
      createdMs: timeMs,
      deadlineMs: timeMs + before.policy.motionTtlMs,
    };
  }

  /** The member evidence convicted: named in it, or whose node key (now or before) signed the votes. */
  #culprit(e: Evidence, height: number): string {
    if (e.type === 'checkpoints') return e.member;
    const key = e.first.validator;
    for (let i = this.#index.worlds.indexOf(this.#index.worldAfter(height)); i >= 0; i--) {
      const m = this.#index.worlds[i]!.world.members.find((x) => x.nodeKey === key);
      if (m !== undefined) return m.name;
    }
    return key;
  }

  /** Statements at these ledger indexes, from the cache or the store (one read per entry bundle). */
  async #read(indexes: readonly number[]): Promise<Map<number, Known>> {
    const out = new Map<number, Known>();
    const missing: number[] = [];
    for (const i of new Set(indexes)) {
      const hit = this.#statements.get(i);
      if (hit !== undefined) out.set(i, hit);
      else missing.push(i);
    }
    missing.sort((a, b) => a - b);
    for (let k = 0; k < missing.length; ) {
      const bundle = Math.floor(missing[k]! / TILE_WIDTH);
      let last = k;
      while (last + 1 < missing.length && Math.floor(missing[last + 1]! / TILE_WIDTH) === bundle) last++;
      const start = missing[k]!;
      const entries = await this.#store.entries(start, missing[last]! + 1);
      for (; k <= last; k++) {
        const index = missing[k]!;
        const entry = decodeEntry(entries[index - start]!);
        let known: Known;
        if (entry.kind === 'statement')
          known = { id: statementId(entry.statement), statement: entry.statement.statement };
        else if (entry.kind === 'verdict' && entry.motion !== undefined)
          known = { id: entry.motion, statement: entry };
        else throw new Error(`ledger entry ${index} is neither a statement nor a duty verdict`);
        this.#statements.set(index, known);
        out.set(index, known);
      }
    }
    return out;
  }
}
