// SIGKILL cycles of real root processes while the federation commits: ballots keep arriving at
// the roots that stay up; in each cycle one root (in turn) is killed a random moment after a
// ballot was submitted — during a commit more often than not — then started again from its
// folder. After each restart the killed root must hold everything it had committed before the
// kill (its tree at its committed size, and at its published size, is the federation's), and at
// the end every ballot an alive root took is committed everywhere and no root has seen a double
// vote (no evidence, nobody suspended). bench/sigkill.ts runs 100 cycles; the tests run a few.

import { setTimeout as sleep } from 'node:timers/promises';
import { ballot, signStatement } from '../../src/governance/index.ts';
import { getJson, post } from '../../test/helpers/http.ts';
import { waitUntil } from '../../test/helpers/wait.ts';
import {
  committedOn,
  FEDERATION,
  fillerMotion,
  POLL_MS,
  type TestFederation,
  type TestMember,
} from '../../test/node/fixtures/federation.ts';

/** The kill comes this long after a ballot was submitted, at most: commits take about as long. */
const KILL_DELAY_MS_MAX = 400;
/** Ballots submitted between two kills, one every BALLOT_INTERVAL_MS. */
const BALLOTS_PER_CYCLE = 3;
const BALLOT_INTERVAL_MS = 150;
/** A restarted root has caught up within this, or the cycle fails. */
const RECOVERY_TIMEOUT_MS = 120_000;

export interface SigkillReport {
  cycles: number;
  /** Cycles in which the killed root was deciding or appending a batch (statements pending, a height active). */
  midCommit: number;
  ballots: number;
  /** Entries a killed root had committed and no longer held, or held differently, after its restart. */
  lostEntries: number;
  /** Equivocations seen by any root, and members suspended. */
  doubleVotes: number;
  /** Ballots an alive root took (202) and that did not commit everywhere. */
  lostBallots: number;
  restartMs: number[];
}

type Consistency = { fromRoot: string; toRoot: string; to: number };

const statusOf = (m: TestMember) =>
  getJson<{ height: number; pending: number; consensus: { active: boolean }; ledger: { size: number } }>(
    `${m.httpUrl}/status`,
  );
const publishedOf = async (m: TestMember) => {
  const note = await fetch(`${m.httpUrl}/checkpoint`, { signal: AbortSignal.timeout(5000) }).then((r) =>
    r.text(),
  );
  const [, size, root] = note.split('\n');
  return { size: Number(size), root: root! };
};
/** The root hash of `m`'s published tree at `size` (from its consistency proof). */
const rootAt = async (m: TestMember, size: number) =>
  (await getJson<Consistency>(`${m.httpUrl}/ledger/proof/consistency?from=${size}`)).fromRoot;

export async function sigkillCycles(
  fed: TestFederation,
  cycles: number,
  log: (line: string) => void = () => undefined,
): Promise<SigkillReport> {
  const report: SigkillReport = {
    cycles: 0,
    midCommit: 0,
    ballots: 0,
    lostEntries: 0,
    doubleVotes: 0,
    lostBallots: 0,
    restartMs: [],
  };
  const motionId = (await fillerMotion(fed.members[0]!, 'sigkill cycles')).id;
  await committedOn(fed.members, motionId, RECOVERY_TIMEOUT_MS);
  const taken: string[] = [];
  const lastDated = new Map<string, number>();
  let n = 0;
  const vote = async (alive: TestMember[]) => {
    const voter = fed.members[n % fed.members.length]!;
    const at = alive[n % alive.length]!;
    n++;
    const createdMs = Math.max(Date.now(), (lastDated.get(voter.name) ?? 0) + 1);
    lastDated.set(voter.name, createdMs);
    const s = ballot(FEDERATION, voter.name, motionId, n % 2 === 0 ? 'no' : 'abstain', createdMs);
    const res = await post(
      `${at.httpUrl}/statements`,
      JSON.stringify(signStatement(s, voter.governanceKey.secretKey)),
    );
    report.ballots++;
    if (res.status === 202) taken.push((res.body as { id: string }).id);
  };

  for (let c = 0; c < cycles; c++) {
    const victim = fed.members[c % fed.members.length]!;
    const alive = fed.members.filter((m) => m !== victim);
    for (let b = 0; b < BALLOTS_PER_CYCLE - 1; b++) {
      await vote(alive);
      await sleep(BALLOT_INTERVAL_MS);
    }
    await vote(alive);
    await sleep(Math.floor(Math.random() * KILL_DELAY_MS_MAX));
    // What the victim holds at the moment it dies: its committed size (it may be mid-append) and its published checkpoint.
    const [committed, published] = await Promise.all([statusOf(victim), publishedOf(victim)]);
    await fed.kill(victim);
    if (committed.pending > 0 || committed.consensus.active || committed.ledger.size > published.size)
      report.midCommit++;
    const restarted = performance.now();
    await fed.start(victim);
    report.restartMs.push(performance.now() - restarted);
    await waitUntil(
      `${victim.name} to publish past ${committed.ledger.size}`,
      async () => ((await publishedOf(victim)).size >= committed.ledger.size ? true : undefined),
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: POLL_MS },
    );
    // Its tree at what it had published, and at what it had committed, is unchanged and is the federation's.
    const witness = alive[0]!;
    await waitUntil(
      `${witness.name} to publish past ${committed.ledger.size}`,
      async () => ((await publishedOf(witness)).size >= committed.ledger.size ? true : undefined),
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: POLL_MS },
    );
    const [pubRoot, mine, theirs] = await Promise.all([
      rootAt(victim, published.size),
      rootAt(victim, committed.ledger.size),
      rootAt(witness, committed.ledger.size),
    ]);
    if (pubRoot !== published.root || mine !== theirs) {
      report.lostEntries += committed.ledger.size;
      log(
        `cycle ${c}: ${victim.name} lost or changed entries (published ${published.size}, committed ${committed.ledger.size})`,
      );
    }
    report.cycles++;
    log(
      `cycle ${c + 1}/${cycles}: killed ${victim.name} at committed ${committed.ledger.size} / published ${published.size} with ${committed.pending} pending${committed.consensus.active ? ', height active' : ''}; back in ${Math.round(report.restartMs.at(-1)!)} ms`,
    );
  }

  // Every ballot an alive root took commits everywhere; nobody saw a double vote.
  for (const id of taken) {
    try {
      await committedOn(fed.members, id, RECOVERY_TIMEOUT_MS);
    } catch {
      report.lostBallots++;
    }
  }
  for (const m of fed.members) {
    const { evidence } = await getJson<{ evidence: unknown[] }>(`${m.httpUrl}/evidence`);
    report.doubleVotes += evidence.length;
  }
  const world = await getJson<{ world: { members: { status: string }[] } }>(
    `${fed.members[0]!.httpUrl}/world`,
  );
  report.doubleVotes += world.world.members.filter((m) => m.status === 'suspended').length;
  return report;
}
