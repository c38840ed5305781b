// One partition of a lab federation, observed from start to end (partition-lab.ts): the roots are
// cut into sides, one ballot is submitted on each side, every root is looked at until the sides
// have shown what they do without each other, then the cut is healed and every root is looked at
// until all of them agree again. A side holding a quorum of the validators (src/base: more than
// two thirds) must commit its ballot; a side without one must commit nothing. After healing,
// every ballot must be committed at every root and every root must serve the same checkpoint.
// Every look also checks the ledgers against each other (agreement.ts): no fork, ever.
//
// What it measures, from the cut and from the heal: the time a side with a quorum takes to commit
// while cut off, and the times after healing until every root serves one checkpoint again and
// until every ballot of the partition is committed everywhere. The test
// (partitions.test.ts) asserts the behaviour; the benchmark (bench/partitions.ts) records the times.

import { quorumSize } from '../../src/base/index.ts';
import type { Statement } from '../../src/governance/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { FEDERATION_READY_MS, type LabRoot } from './federation.ts';
import {
  abstention,
  anchorMotion,
  createPartitionLab,
  type PartitionLab,
  type RootLook,
  type StatementState,
} from './partition-lab.ts';

/** Pause between two looks at every root: each look is a few requests per root. */
export const LOOK_INTERVAL_MS = 250;
/**
 * How long sides without a quorum are watched after the cut (and at least until a side with one
 * has committed): a few times what a commit takes on a loaded machine, so a side that could
 * commit would have done so.
 */
export const PARTITION_WATCH_MS = 10_000;
/** A side with a quorum commits its ballot within this, or the scenario fails. */
export const PARTITION_COMMIT_BOUND_MS = 45_000;
/**
 * After healing: TCP retransmits what the cut dropped once its backed-off timer fires (up to
 * about as long as the cut lasted), then consensus resumes at the round it had reached.
 */
export const HEAL_CONVERGE_BOUND_MS = 60_000;
/** Asking one root again while it sheds load or does not answer, before a scenario fails. */
const REQUEST_RETRY_BOUND_MS = 30_000;

export type SideReport = {
  roots: string[];
  hasQuorum: boolean;
  /** The ballot submitted on this side during the cut. */
  ballot: string;
  /** From the cut until every root of the side committed the ballot (sides with a quorum). */
  committedAfterMs: number | null;
  /**
   * From the cut until every root of the side answered `/ready` 503 for QUORUM_UNREACHABLE
   * (sides without a quorum: the cut drops packets silently, so only the roots' own pings
   * reveal it).
   */
  notReadyAfterMs: number | null;
  /** What each root of the side showed at the end of the watch: checkpoint size, ballot state. */
  atWatchEnd: { root: string; checkpointSize: number; ballot: StatementState }[];
  /** Where the roots of the other sides had this ballot at the end of the watch. */
  elsewhereAtWatchEnd: StatementState[];
};

export type SplitReport = {
  /** The one checkpoint size every root served before the cut. */
  sizeBefore: number;
  /** How long the cut lasted. */
  cutMs: number;
  sides: SideReport[];
  /** From the heal until every root serves one checkpoint, at least the largest served at the heal. */
  sameCheckpointAfterMs: number;
  /** From the heal until every ballot of the partition is committed at every root, all agreeing. */
  convergedAfterMs: number;
  /** The checkpoint every root serves at the end. */
  final: { size: number; rootHash: string };
  /** Divergences the agreement check saw during the whole scenario (none is the only good answer). */
  divergences: string[];
};

/** Every root serves one checkpoint: the same size and root hash. */
export function oneCheckpoint(looks: RootLook[]): boolean {
  const first = looks[0];
  return (
    first !== undefined &&
    looks.every(
      (l) =>
        l.checkpoint.size === first.checkpoint.size && l.checkpoint.rootHash === first.checkpoint.rootHash,
    )
  );
}

/** Every root serves one checkpoint, with no statement pending: nothing is in flight. */
export function settled(looks: RootLook[]): boolean {
  return oneCheckpoint(looks) && looks.every((l) => l.pending === 0);
}

/** When the slowest of one look's requests was answered. */
const lookedAt = (looks: RootLook[]) => Math.max(...looks.map((l) => l.atMs));

/**
 * Looks until `done` holds, at most `boundMs`. A look that fails counts as "not yet": a root on a
 * loaded machine sheds load (503) for a moment, and the next look asks again.
 */
function lookUntil(
  pl: PartitionLab,
  what: string,
  boundMs: number,
  done: (looks: RootLook[]) => Promise<boolean> | boolean,
): Promise<RootLook[]> {
  return waitUntil(
    what,
    async () => {
      const looks = await pl.look();
      return (await done(looks))
        ? looks
        : { notYet: looks.map((l) => [l.name, l.size, l.checkpoint.size, l.pending]) };
    },
    { timeoutMs: boundMs, intervalMs: LOOK_INTERVAL_MS, until: Array.isArray },
  ) as Promise<RootLook[]>;
}

/** The first answer of `ask` that is not an error (a root shedding load, a request timed out). */
function patiently<T>(what: string, ask: () => Promise<T>): Promise<T> {
  return waitUntil(what, ask, {
    timeoutMs: REQUEST_RETRY_BOUND_MS,
    intervalMs: LOOK_INTERVAL_MS,
    until: () => true,
  });
}

/** Waits until every root serves one checkpoint and nothing is pending (before a scenario). */
export async function waitSettled(pl: PartitionLab, boundMs: number): Promise<RootLook[]> {
  return lookUntil(pl, 'every root serving one checkpoint with nothing pending', boundMs, settled);
}

/** Submits a statement signed by `at`'s member at `at`, again while the root sheds load (503). */
function submitPatiently(pl: PartitionLab, at: LabRoot, statement: Statement) {
  return patiently(`${at.name} taking a statement`, async () => {
    const a = await pl.submit(at, at, statement);
    if (a.status === 503) throw new Error(`${at.name} answered 503: ${JSON.stringify(a.body)}`);
    return a;
  });
}

/**
 * Opens a motion by `author` for a scenario's ballots to abstain on (each member abstains once
 * per motion) and waits until every root has committed it, so the scenario starts from roots
 * that agree. Returns the motion's id.
 */
export async function openMotion(pl: PartitionLab, author: LabRoot): Promise<string> {
  const world = await patiently('the world', () => pl.world(author));
  const m = await submitPatiently(pl, author, anchorMotion(author, world, Date.now()));
  if (m.status !== 202) throw new Error(`the motion was refused: ${m.status} ${JSON.stringify(m.body)}`);
  await waitSettled(pl, FEDERATION_READY_MS);
  return m.id;
}

/** A partition lab of `roots` roots with a motion open (openMotion); closes the lab if that fails. */
export async function createSplitLab(roots: number): Promise<{ pl: PartitionLab; motionId: string }> {
  const pl = await createPartitionLab(roots);
  try {
    return { pl, motionId: await openMotion(pl, pl.roots[0] as LabRoot) };
  } catch (err) {
    await pl.close();
    throw err;
  }
}

/**
 * Cuts the federation into `sides` (every root on exactly one), submits an abstention on
 * `motionId` by the first root of each side at that root, watches, heals, and waits for every
 * root to agree. Always heals, even when a wait fails.
 */
export async function splitAndHeal(
  pl: PartitionLab,
  sides: readonly (readonly LabRoot[])[],
  motionId: string,
): Promise<SplitReport> {
  const before = await waitSettled(pl, HEAL_CONVERGE_BOUND_MS);
  const sizeBefore = (before[0] as RootLook).checkpoint.size;
  const quorum = quorumSize(pl.roots.length);
  for (const [i, a] of sides.entries()) for (const b of sides.slice(i + 1)) await pl.partition(a, b);
  const cutAt = Date.now();
  let healAt = cutAt;
  try {
    const ballots: string[] = [];
    for (const side of sides) {
      const author = side[0] as LabRoot;
      // Signed once: asking again sends the same statement, which a root that took it calls known.
      const s = await submitPatiently(pl, author, abstention(author, motionId, Date.now()));
      if (s.status !== 202)
        throw new Error(`${author.name} refused the ballot: ${s.status} ${JSON.stringify(s.body)}`);
      ballots.push(s.id);
    }
    const committedAfterMs: (number | null)[] = sides.map(() => null);
    const notReadyAfterMs: (number | null)[] = sides.map(() => null);
    const watchUntil = cutAt + PARTITION_WATCH_MS;
    await lookUntil(
      pl,
      'every side with a quorum committing its ballot, every side without one not ready',
      PARTITION_COMMIT_BOUND_MS,
      async (looks) => {
        for (const [i, side] of sides.entries()) {
          if (side.length < quorum) {
            const names = new Set(side.map((r) => r.name));
            const cutOff = looks
              .filter((l) => names.has(l.name))
              .every((l) => l.ready.status === 503 && l.ready.codes.includes('QUORUM_UNREACHABLE'));
            if (cutOff) notReadyAfterMs[i] ??= lookedAt(looks) - cutAt;
            continue;
          }
          if (committedAfterMs[i] !== null) continue;
          const states = await Promise.all(side.map((r) => pl.statementAt(r, ballots[i] as string)));
          if (states.every((s) => s === 'committed')) committedAfterMs[i] = Date.now() - cutAt;
        }
        return (
          Date.now() >= watchUntil &&
          sides.every((s, i) =>
            s.length < quorum ? notReadyAfterMs[i] !== null : committedAfterMs[i] !== null,
          )
        );
      },
    );
    // The state of every ballot everywhere, as the cut ends.
    const { looks, reports } = await patiently('every root at the end of the watch', async () => {
      const looks = await pl.look();
      const reports: SideReport[] = [];
      for (const [i, side] of sides.entries()) {
        const ballot = ballots[i] as string;
        const others = pl.roots.filter((r) => !side.includes(r));
        reports.push({
          roots: side.map((r) => r.name),
          hasQuorum: side.length >= quorum,
          ballot,
          committedAfterMs: committedAfterMs[i] ?? null,
          notReadyAfterMs: notReadyAfterMs[i] ?? null,
          atWatchEnd: await Promise.all(
            side.map(async (r) => ({
              root: r.name,
              checkpointSize: (looks.find((l) => l.name === r.name) as RootLook).checkpoint.size,
              ballot: await pl.statementAt(r, ballot),
            })),
          ),
          elsewhereAtWatchEnd: await Promise.all(others.map((r) => pl.statementAt(r, ballot))),
        });
      }
      return { looks, reports };
    });
    const largestAtHeal = Math.max(...looks.map((l) => l.checkpoint.size));
    await pl.heal();
    healAt = Date.now();
    let sameCheckpointAfterMs: number | null = null;
    const end = await lookUntil(
      pl,
      'every root agreeing after the heal, every ballot committed',
      HEAL_CONVERGE_BOUND_MS,
      async (ls) => {
        if (!oneCheckpoint(ls) || (ls[0] as RootLook).checkpoint.size < largestAtHeal) return false;
        sameCheckpointAfterMs ??= lookedAt(ls) - healAt;
        // A root counts a ballot committed once it is in its ledger; the checkpoint that covers
        // it is served a moment later, once a quorum cosigned it: wait for that too.
        if (!settled(ls) || (ls[0] as RootLook).checkpoint.size < sizeBefore + ballots.length) return false;
        for (const b of ballots)
          for (const r of pl.roots) if ((await pl.statementAt(r, b)) !== 'committed') return false;
        return true;
      },
    );
    const last = end[0] as RootLook;
    return {
      sizeBefore,
      cutMs: healAt - cutAt,
      sides: reports,
      sameCheckpointAfterMs: sameCheckpointAfterMs ?? lookedAt(end) - healAt,
      convergedAfterMs: lookedAt(end) - healAt,
      final: { size: last.checkpoint.size, rootHash: last.checkpoint.rootHash },
      divergences: [...pl.agreement.divergences],
    };
  } finally {
    if (healAt === cutAt) await pl.heal();
  }
}
