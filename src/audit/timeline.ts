// What the report tells about the federation's history, collected while the audit replays
// every batch (replay.ts), in bounded memory: each world version — what changed from the one
// before, and which statements changed it —, each motion with the words its author signed
// (summary), its changes as a diff against the world it was decided in, its ballots with their
// reasons, and how it ended; and the ledger's growth over batch time. Only the newest
// TIMELINE_WORLDS_MAX worlds and TIMELINE_MOTIONS_MAX decided motions are detailed (the rest
// are counted); open motions are held until decided, and the rules bound how many are open.

import {
  type BallotChoice,
  type Change,
  type ChangeDiff,
  changesPolicy,
  decodeEntry,
  diffChanges,
  diffWorlds,
  type GovernanceState,
  type OpenMotion,
  type SignedStatement,
  type StatementKind,
  type Tally,
  tally,
  type World,
  type WorldChange,
} from '../governance/index.ts';
import { GROWTH_POINTS_MAX, TIMELINE_MOTIONS_MAX, TIMELINE_WORLDS_MAX } from './constants.ts';

/** A member's latest ballot on a motion, with the reason it signed. */
export type TimelineBallot = {
  member: string;
  choice: BallotChoice;
  reason?: string;
  createdMs: number;
  entryIndex: number;
};

/** The rules' tally, with who has not voted and whether only seasoned members count. */
export type TimelineTally = Tally & { notVoted: number; seasonedOnly: boolean };

export type TimelineMotion = {
  /** statementId of the motion — of the evidence for a removal it opened; dutyMotionId for a duty motion. */
  id: string;
  /** The member who moved it ('#system' for a motion the rules opened: evidence, duties). */
  author: string;
  summary?: string;
  createdMs: number;
  deadlineMs: number;
  /** Where it entered the ledger (absent for a motion an earlier audit's state did not detail). */
  proposed?: { entryIndex: number; height: number };
  /** The world the diff and the tally are against: in force when it was decided; open: now. */
  against: { version: number; worldHash: string };
  diff: ChangeDiff[];
  /** Latest ballot per member, in ledger order. */
  ballots: TimelineBallot[];
  tally: TimelineTally;
  status: 'open' | 'passed' | 'rejected' | 'expired';
  /** A rejection's rule code. */
  reason?: string;
  /** The outcome entry, its batch, and the world version in force after that batch. */
  decided?: { entryIndex: number; height: number; timeMs: number; worldVersion: number };
};

export type TimelineWorld = {
  version: number;
  worldHash: string;
  /** The world entry (0: the genesis). */
  entryIndex: number;
  height: number;
  /** Its batch's time, ledger ms (0: the genesis). */
  timeMs: number;
  /**
   * Everything that differs from the world before, per member or policy: the `change` (joined,
   * left, updated, policy) and its `fields` old → new (diffWorlds). The genesis: every founder joined.
   */
  changes: WorldChange[];
  /** The statements whose effect made it (the world entry's causes); none: the rules at batch time. */
  causes: { id: string; kind: StatementKind; author?: string; summary?: string }[];
};

export type Timeline = {
  worlds: TimelineWorld[];
  /** Older world versions not detailed here. */
  worldsOmitted: number;
  /** The newest decided motions, then the open ones, each in ledger order. */
  motions: TimelineMotion[];
  /** Older decided motions not detailed here. */
  motionsOmitted: number;
  limits: { worlds: number; motions: number };
};

export type GrowthPoint = { timeMs: number; entries: number };

/** Ledger size after batches, over batch time; the last batch always ends the series. */
export type Growth = { points: GrowthPoint[]; batchesPerPoint: number };

/** A motion not decided yet, as much as the report needs of it. */
type Pending = Omit<TimelineMotion, 'against' | 'diff' | 'ballots' | 'tally' | 'status'> & {
  changes: Change[];
  ballots: Record<string, TimelineBallot>;
};

/** What an audit state remembers of the timeline, so that the next audit continues it. */
export type TimelineSnapshot = {
  worlds: TimelineWorld[];
  worldsOmitted: number;
  decided: TimelineMotion[];
  motionsOmitted: number;
  pending: Pending[];
  growth: Growth & { sinceKept: number; last: GrowthPoint | null };
};

/** A batch the replay executed: the states around it and its entries as recorded. */
export type ReplayedBatch = {
  before: GovernanceState;
  after: GovernanceState;
  start: number;
  raw: readonly Uint8Array[];
  statements: readonly { id: string; signed: SignedStatement }[];
};

function tallyOf(
  changes: Change[],
  ballots: readonly TimelineBallot[],
  world: World,
  timeMs: number,
): TimelineTally {
  const recorded = Object.fromEntries(
    ballots.map((b) => [b.member, { choice: b.choice, createdMs: b.createdMs, id: '' }]),
  );
  const t = tally({ changes, ballots: recorded }, world, timeMs);
  return { ...t, notVoted: t.eligible - t.yes - t.no - t.abstain, seasonedOnly: changesPolicy({ changes }) };
}

const inLedgerOrder = (ballots: Record<string, TimelineBallot>) =>
  Object.values(ballots).sort((a, b) => a.entryIndex - b.entryIndex);

function fromOpen(m: OpenMotion, proposed?: Pending['proposed']): Pending {
  return {
    id: m.id,
    author: m.author,
    createdMs: m.createdMs,
    deadlineMs: m.deadlineMs,
    ...(proposed !== undefined ? { proposed } : {}),
    changes: m.changes,
    ballots: {},
  };
}

/**
 * The timeline's memory for an audit state written before timelines were kept: the history
 * before it is counted, not detailed; its open motions are detailed from now on.
 */
export function timelineSince(state: GovernanceState, worlds: number, motions: number): TimelineSnapshot {
  return {
    worlds: [],
    worldsOmitted: worlds,
    decided: [],
    motionsOmitted: Math.max(0, motions - state.openMotions.length),
    pending: state.openMotions.map((m) => fromOpen(m)),
    growth: { points: [], batchesPerPoint: 1, sinceKept: 0, last: null },
  };
}

export class TimelineRecorder {
  readonly #worlds: TimelineWorld[];
  #worldsOmitted: number;
  readonly #decided: TimelineMotion[];
  #motionsOmitted: number;
  readonly #pending: Map<string, Pending>;
  #points: GrowthPoint[];
  #batchesPerPoint: number;
  #sinceKept: number;
  #last: GrowthPoint | null;

  constructor(from?: TimelineSnapshot) {
    const s: TimelineSnapshot = structuredClone(from) ?? {
      worlds: [],
      worldsOmitted: 0,
      decided: [],
      motionsOmitted: 0,
      pending: [],
      growth: { points: [], batchesPerPoint: 1, sinceKept: 0, last: null },
    };
    this.#worlds = s.worlds;
    this.#worldsOmitted = s.worldsOmitted;
    this.#decided = s.decided;
    this.#motionsOmitted = s.motionsOmitted;
    this.#pending = new Map(s.pending.map((p) => [p.id, p]));
    this.#points = s.growth.points;
    this.#batchesPerPoint = s.growth.batchesPerPoint;
    this.#sinceKept = s.growth.sinceKept;
    this.#last = s.growth.last;
  }

  /** The genesis world: version 1, every founder joined. */
  genesis(world: World, hash: string): void {
    this.#addWorld({
      version: world.version,
      worldHash: hash,
      entryIndex: 0,
      height: 0,
      timeMs: 0,
      changes: diffWorlds(null, world),
      causes: [],
    });
  }

  /** Notes what one replayed batch did: motions moved, ballots cast, outcomes, a world. */
  batch(b: ReplayedBatch): void {
    const { before, after } = b;
    const height = after.height;
    const timeMs = after.timeMs;
    const proposedAt = new Map<string, Pending['proposed']>();
    b.statements.forEach(({ id, signed }, i) => {
      const s = signed.statement;
      const entryIndex = b.start + 1 + i;
      proposedAt.set(id, { entryIndex, height });
      if (s.kind === 'motion') {
        this.#pending.set(id, {
          id,
          author: s.author,
          ...(s.summary !== undefined ? { summary: s.summary } : {}),
          createdMs: s.createdMs,
          deadlineMs: s.deadlineMs,
          proposed: { entryIndex, height },
          changes: s.changes,
          ballots: {},
        });
      } else if (s.kind === 'ballot') {
        const open = before.openMotions.find((m) => m.id === s.motion);
        const p = this.#pending.get(s.motion) ?? (open !== undefined ? this.#adopt(open) : undefined);
        if (p !== undefined) {
          delete p.ballots[s.author];
          p.ballots[s.author] = {
            member: s.author,
            choice: s.choice,
            ...(s.reason !== undefined ? { reason: s.reason } : {}),
            createdMs: s.createdMs,
            entryIndex,
          };
        }
      }
    });
    // Removals opened by evidence, and open motions an earlier state did not detail.
    for (const m of after.openMotions) if (!this.#pending.has(m.id)) this.#adopt(m, proposedAt.get(m.id));

    const decidedNow = new Map<string, TimelineMotion>();
    const produced = b.raw.slice(1 + b.statements.length);
    produced.forEach((bytes, k) => {
      const entryIndex = b.start + 1 + b.statements.length + k;
      const e = decodeEntry(bytes);
      if (e.kind === 'outcome') {
        const p = this.#pending.get(e.motion);
        this.#pending.delete(e.motion);
        if (p === undefined) {
          this.#motionsOmitted++;
          return;
        }
        const { changes, ballots, ...facts } = p;
        const list = inLedgerOrder(ballots);
        const m: TimelineMotion = {
          ...facts,
          against: { version: before.world.version, worldHash: before.worldHash },
          diff: diffChanges(before.world, changes),
          ballots: list,
          tally: tallyOf(changes, list, before.world, timeMs),
          status: e.result,
          ...(e.reason !== undefined ? { reason: e.reason } : {}),
          decided: { entryIndex, height, timeMs, worldVersion: after.world.version },
        };
        decidedNow.set(m.id, m);
        this.#decided.push(m);
        if (this.#decided.length > TIMELINE_MOTIONS_MAX) {
          this.#decided.shift();
          this.#motionsOmitted++;
        }
      } else if (e.kind === 'world') {
        const statements = new Map(b.statements.map((s) => [s.id, s.signed.statement]));
        this.#addWorld({
          version: e.world.version,
          worldHash: after.worldHash,
          entryIndex,
          height,
          timeMs,
          changes: diffWorlds(before.world, e.world),
          causes: e.causes.map((id) => {
            const m = decidedNow.get(id);
            const s = statements.get(id);
            const kind: StatementKind = m !== undefined ? 'motion' : (s?.kind ?? 'motion');
            const author = m?.author ?? s?.author;
            const summary = m?.summary ?? (s?.kind === 'motion' ? s.summary : undefined);
            return {
              id,
              kind,
              ...(author !== undefined ? { author } : {}),
              ...(summary !== undefined ? { summary } : {}),
            };
          }),
        });
      }
    });
    // What left the open set without an outcome is not the rules' doing; keep memory bounded.
    const open = new Set(after.openMotions.map((m) => m.id));
    for (const id of this.#pending.keys()) if (!open.has(id)) this.#pending.delete(id);

    this.#grow({ timeMs, entries: b.start + b.raw.length });
  }

  #adopt(m: OpenMotion, proposed?: Pending['proposed']): Pending {
    const p = fromOpen(m, proposed);
    this.#pending.set(m.id, p);
    return p;
  }

  #addWorld(w: TimelineWorld): void {
    this.#worlds.push(w);
    if (this.#worlds.length > TIMELINE_WORLDS_MAX) {
      this.#worlds.shift();
      this.#worldsOmitted++;
    }
  }

  #grow(point: GrowthPoint): void {
    this.#last = point;
    if (++this.#sinceKept < this.#batchesPerPoint) return;
    this.#sinceKept = 0;
    this.#points.push(point);
    // One place is left for the last batch, which always ends the series.
    if (this.#points.length >= GROWTH_POINTS_MAX) {
      this.#points = this.#points.filter((_, i) => i % 2 === 1);
      this.#batchesPerPoint *= 2;
    }
  }

  /** The timeline as the report shows it; open motions are judged against `now`. */
  timeline(now: GovernanceState | undefined): Timeline {
    const open: TimelineMotion[] = [];
    for (const m of now?.openMotions ?? []) {
      const p = this.#pending.get(m.id);
      if (p === undefined || now === undefined) continue;
      const { changes, ballots, ...facts } = p;
      // The rules drop the ballots of members who no longer vote when the world changes.
      const list = inLedgerOrder(ballots).filter((b) => Object.hasOwn(m.ballots, b.member));
      open.push({
        ...facts,
        against: { version: now.world.version, worldHash: now.worldHash },
        diff: diffChanges(now.world, m.changes),
        ballots: list,
        tally: tallyOf(m.changes, list, now.world, now.timeMs),
        status: 'open',
      });
    }
    open.sort((a, b) => (a.proposed?.entryIndex ?? -1) - (b.proposed?.entryIndex ?? -1));
    return {
      worlds: [...this.#worlds],
      worldsOmitted: this.#worldsOmitted,
      motions: [...this.#decided, ...open],
      motionsOmitted: this.#motionsOmitted,
      limits: { worlds: TIMELINE_WORLDS_MAX, motions: TIMELINE_MOTIONS_MAX },
    };
  }

  growth(): Growth {
    const points = [...this.#points];
    // Every batch adds entries, so two points of one size are the same batch.
    if (this.#last !== null && points.at(-1)?.entries !== this.#last.entries) points.push(this.#last);
    return { points, batchesPerPoint: this.#batchesPerPoint };
  }

  snapshot(): TimelineSnapshot {
    return structuredClone({
      worlds: this.#worlds,
      worldsOmitted: this.#worldsOmitted,
      decided: this.#decided,
      motionsOmitted: this.#motionsOmitted,
      pending: [...this.#pending.values()],
      growth: {
        points: this.#points,
        batchesPerPoint: this.#batchesPerPoint,
        sinceKept: this.#sinceKept,
        last: this.#last,
      },
    });
  }
}

/** A world with the motions among its causes, or a motion that made no world shown here. */
export type TimelineItem =
  | { kind: 'world'; world: TimelineWorld; causes: { cause: TimelineCause; motion?: TimelineMotion }[] }
  | { kind: 'motion'; motion: TimelineMotion };

export type TimelineCause = TimelineWorld['causes'][number];

/**
 * The timeline as people read it, in ledger order: each world where its entry is, with the
 * detailed motions that made it; every other motion (rejected, expired, open, or passed into a
 * world not detailed) where it was moved.
 */
export function timelineItems(t: Timeline): TimelineItem[] {
  const motions = new Map(t.motions.map((m) => [m.id, m]));
  const withWorld = new Set(t.worlds.flatMap((w) => w.causes.map((c) => c.id)));
  const items: { at: number; item: TimelineItem }[] = t.worlds.map((world) => ({
    at: world.entryIndex,
    item: {
      kind: 'world',
      world,
      causes: world.causes.map((cause) => {
        const motion = motions.get(cause.id);
        return motion === undefined ? { cause } : { cause, motion };
      }),
    },
  }));
  for (const motion of t.motions)
    if (!withWorld.has(motion.id))
      items.push({
        at: motion.proposed?.entryIndex ?? motion.decided?.entryIndex ?? Number.MAX_SAFE_INTEGER,
        item: { kind: 'motion', motion },
      });
  return items.sort((a, b) => a.at - b.at).map((i) => i.item);
}
