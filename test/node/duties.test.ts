// Roots held to their duties (charter §21), with real processes: four roots on this machine in
// devnet time (an hour-long duty epoch passes in DUTY_EPOCH_WALL_MS), probing each other over
// HTTP and libp2p (ping, relay reservation and relayed transfer, rendezvous). One root is frozen
// with SIGSTOP — its process keeps its sockets but answers nothing, as behind a black hole —
// for long enough that the other three report it failing two epochs running: it gets its
// notice in the world, then the rules open the motion to put it in probation, which the three
// pass. Meanwhile its node key (the test holds it) signs false reports accusing an honest
// root: one lying member of four is a minority, and the honest root gets nothing. Last,
// `witan audit` replays the ledger, duty verdicts included, and finds it verified.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GENESIS_FILE_NAME } from '../../src/cli/federation.ts';
import {
  ballot,
  DEFAULT_POLICY,
  DUTIES,
  dutyReport,
  type Member,
  observation,
  type Policy,
  signStatement,
} from '../../src/governance/index.ts';
import { DEVNET_CLOCK_ENV } from '../../src/node/clock.ts';
import { getJson, post } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { runWitan } from '../helpers/witan.ts';
import {
  createFederation,
  FEDERATION,
  POLL_MS,
  startAll,
  submitAt,
  type TestFederation,
  type TestMember,
  worldOf,
} from './fixtures/federation.ts';

const HOUR_MS = 3_600_000;
/** Devnet time runs this much faster: an hour-long epoch takes 10 s. */
const CLOCK_RATE = 360;
const DUTY_EPOCH_WALL_MS = HOUR_MS / CLOCK_RATE;
/** The shortest epoch and grace the policy allows; half the probes must work (the roots share two cores). */
const POLICY: Policy = {
  ...DEFAULT_POLICY,
  duties: {
    epochMs: HOUR_MS,
    graceEpochs: 1,
    successMin: Object.fromEntries(DUTIES.map((d) => [d, { num: 1, den: 2 }])) as Record<
      (typeof DUTIES)[number],
      { num: number; den: number }
    >,
  },
};
/** Notice, then motion: the stopped epoch is judged two epochs later, its successor one after. */
const VERDICT_TIMEOUT_MS = 6 * DUTY_EPOCH_WALL_MS + 30_000;
/** `witan audit` of three roots from the genesis, on a loaded machine. */
const AUDIT_TIMEOUT_MS = 60_000;

let fed: TestFederation | undefined;
after(async () => {
  if (fed !== undefined) {
    for (const m of fed.members) m.root?.child.kill('SIGCONT');
    await fed.close();
  }
});

const memberIn = async (m: TestMember, name: string): Promise<Member | undefined> =>
  (await worldOf(m)).world.members.find((x) => x.name === name);

interface MotionsView {
  open: { id: string; author: string; changes: { type: string; member?: string }[] }[];
}

test('a root that answers nothing for two epochs gets a notice, then a motion to put it in probation; a lying minority changes nothing', async () => {
  const startMs = Date.now();
  fed = await createFederation({
    members: 4,
    policy: POLICY,
    env: { [DEVNET_CLOCK_ENV]: `${startMs}:${CLOCK_RATE}` },
  });
  await startAll(fed);
  const [a, honest, c, down] = fed.members as [TestMember, TestMember, TestMember, TestMember];
  const ledgerNow = () => startMs + (Date.now() - startMs) * CLOCK_RATE;
  const epochNow = () => Math.floor(ledgerNow() / HOUR_MS);

  // Roots that started later than the others were unreachable for part of an epoch: they may
  // get a notice for it. Two epochs after every root is up, every such notice is lifted, and
  // nobody is below any more.
  const upIn = epochNow();
  await waitUntil(
    'two epochs with every root up judged, and no notice left',
    async () => {
      const w = await worldOf(a);
      return { epoch: epochNow(), notices: w.world.members.filter((m) => m.notice !== undefined) };
    },
    {
      timeoutMs: 6 * DUTY_EPOCH_WALL_MS + 30_000,
      intervalMs: POLL_MS,
      until: (v) => v.epoch >= upIn + 4 && v.notices.length === 0,
    },
  );

  // Freeze the root: its sockets stay open, nothing answers.
  down.root!.child.kill('SIGSTOP');
  const stoppedIn = epochNow();

  // While it is frozen, its node key says the honest root failed every probe — once per epoch.
  let lies = 0;
  const lie = async (epoch: number) => {
    const fails = { attempted: 10, succeeded: 0 };
    const fine = { attempted: 10, succeeded: 10 };
    const observations = [a, honest, c].map((m) =>
      observation(m.name, Object.fromEntries(DUTIES.map((d) => [d, m === honest ? fails : fine]))),
    );
    const signed = signStatement(
      dutyReport(FEDERATION, down.name, epoch, observations, ledgerNow()),
      down.nodeKey.secretKey,
    );
    const res = await post(`${a.httpUrl}/statements`, JSON.stringify(signed));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    lies++;
  };
  let lastLie = stoppedIn - 1;

  const noticed = await waitUntil(
    `a notice for ${down.name}`,
    async () => {
      if (epochNow() - 1 > lastLie) {
        lastLie = epochNow() - 1;
        await lie(lastLie);
      }
      return memberIn(a, down.name);
    },
    { timeoutMs: VERDICT_TIMEOUT_MS, intervalMs: 500, until: (m) => m?.notice !== undefined },
  );
  assert.ok(noticed?.notice !== undefined);
  assert.ok(
    noticed.notice.epoch >= stoppedIn,
    `the notice is for an epoch of the outage (${noticed.notice.epoch})`,
  );
  // The epoch it was frozen in was partly served; a whole frozen epoch fails every duty.
  if (noticed.notice.epoch > stoppedIn) assert.deepEqual(noticed.notice.duties, [...DUTIES]);
  else assert.ok(noticed.notice.duties.length > 0);
  const shown = await runWitan(['world', 'show', '--root', a.httpUrl]);
  assert.match(
    shown.stdout,
    new RegExp(
      `notice: below on ${noticed.notice.duties.join(', ')} since duty epoch ${noticed.notice.epoch}`,
    ),
  );

  const motions = await waitUntil(
    `the rules' motion against ${down.name}`,
    async () => {
      if (epochNow() - 1 > lastLie) {
        lastLie = epochNow() - 1;
        await lie(lastLie);
      }
      return getJson<MotionsView>(`${a.httpUrl}/motions`);
    },
    {
      timeoutMs: VERDICT_TIMEOUT_MS,
      intervalMs: 500,
      until: (v) => v.open.some((m) => m.author === '#system'),
    },
  );
  const sanction = motions.open.find((m) => m.author === '#system')!;
  assert.deepEqual(sanction.changes, [{ type: 'probation', member: down.name }]);
  down.root!.child.kill('SIGCONT');

  // The lying reports were accepted, and counted for nothing: one accuser of four.
  assert.ok(lies >= 2, `${lies} false reports submitted`);
  for (const m of [a, honest, c]) {
    const seen = await memberIn(c, m.name);
    assert.equal(seen?.notice, undefined, `${m.name} got a notice`);
    assert.equal(seen?.status, 'voting');
  }

  // The members vote: the motion passes, the frozen root's member is in probation.
  for (const m of [a, honest, c])
    await submitAt(m, (now) => ballot(FEDERATION, m.name, sanction.id, 'yes', now));
  await waitUntil(`${down.name} in probation`, () => memberIn(a, down.name), {
    timeoutMs: 60_000,
    intervalMs: POLL_MS,
    until: (m) => m?.status === 'probation',
  });
  const decided = await getJson<{ status: string; result: string; author: string }>(
    `${a.httpUrl}/motions/${sanction.id}`,
  );
  assert.deepEqual([decided.status, decided.result, decided.author], ['decided', 'passed', '#system']);

  // Every running root comes to hold the same world (a root outside the quorum that committed
  // the probation may be a batch behind when the first one shows it).
  await waitUntil(
    'the same world on every running root',
    () => Promise.all([a, honest, c].map(async (m) => (await worldOf(m)).hash)),
    { timeoutMs: 30_000, intervalMs: POLL_MS, until: (hashes) => new Set(hashes).size === 1 },
  );

  // The auditor replays it all from the genesis: reports, verdicts, the motion, the probation.
  const audit = await runWitan(
    ['audit', '--json', '--genesis', join(fed.base, GENESIS_FILE_NAME), a.httpUrl, honest.httpUrl, c.httpUrl],
    { timeoutMs: AUDIT_TIMEOUT_MS },
  );
  const report = JSON.parse(audit.stdout) as { result: string; violations: unknown[] };
  assert.equal(report.result, 'verified', JSON.stringify(report.violations) + audit.stderr);
});
