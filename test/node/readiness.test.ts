// A stalled federation cannot go unnoticed: four roots, each its own process. With one root
// stopped the others say "degraded"; with two stopped (no quorum of 3) /ready turns 503 with
// the reason within a bound, `witan status` exits 7 with the verdict, a warn line is in the
// log, the stall metric grows while statements wait, and a statement the root cannot keep is
// refused instead of answered 202. Restarted, every root turns healthy again and the waiting
// statements commit.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { EXIT_DEGRADED, EXIT_STALLED } from '../../src/cli/errors.ts';
import { DEFAULT_POLICY, OPEN_MOTIONS_PER_MEMBER_MAX } from '../../src/governance/index.ts';
import { STALL_BOUND_MIN_MS, stallBoundMs } from '../../src/node/readiness.ts';
import { getJson, REQUEST_TIMEOUT_MS } from '../helpers/http.ts';
import { waitUntil } from '../helpers/wait.ts';
import { witan } from '../helpers/witan.ts';
import {
  createFederation,
  fillerMotion,
  metricsOf,
  startAll,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

/** Between two looks at the roots. */
const POLL_MS = 200;
/** The smallest freshness window the policy allows gives the smallest stall bound. */
const POLICY = { ...DEFAULT_POLICY, checkpointFreshnessMs: 60_000 };
const STALL_BOUND_MS = stallBoundMs(POLICY);
/** A root notices a stopped peer at once (its TCP connection closes) and samples every second. */
const NOTICE_WITHIN_MS = 15_000;
const START_WITHIN_MS = 120_000;
const TEST_TIMEOUT_MS = 600_000;

let fed: TestFederation;

before(async () => {
  fed = await createFederation({ members: 4, policy: POLICY });
  await startAll(fed);
});
after(async () => {
  await fed?.close();
});

interface Ready {
  status: number;
  body: { ready: boolean; verdict: string; reasons: { code: string; message: string }[] };
}

async function readyOf(m: TestMember): Promise<Ready> {
  const res = await fetch(`${m.httpUrl}/ready`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, body: (await res.json()) as Ready['body'] };
}

const status = (m: TestMember) => witan('status', '--root', m.httpUrl);

function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: POLL_MS });
}

function warnLines(m: TestMember, msg: string): unknown[] {
  return readFileSync(m.root!.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 40 && l.msg.startsWith(msg));
}

const healthy = (m: TestMember) =>
  until(
    `${m.name} healthy`,
    async () => {
      const r = await readyOf(m);
      return r.status === 200 && r.body.verdict === 'healthy' ? r : undefined;
    },
    START_WITHIN_MS,
  );

test('losing quorum is seen at once, said everywhere, and healed by restarting the roots', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  assert.equal(STALL_BOUND_MS, STALL_BOUND_MIN_MS);
  const [a, b, c, d] = fed.members as [TestMember, TestMember, TestMember, TestMember];
  await Promise.all(fed.members.map(healthy));
  const fine = await status(a);
  assert.equal(fine.code, 0, fine.stdout + fine.stderr);
  assert.match(fine.stdout, /^HEALTHY\n/);
  const start = await metricsOf(a);
  assert.equal(start('witan_ready'), 1);
  assert.equal(start('witan_health', { verdict: 'healthy' }), 1);
  assert.equal(start('witan_quorum'), 3);
  assert.equal(start('witan_validators_reachable'), 4);
  assert.ok(start('witan_ledger_size') >= 1, 'the ledger size is there from the start');

  // One root down: 3 of 4 still commit; the others say degraded, /ready stays 200.
  await fed.stop(d);
  const degraded = await until(
    'a degraded verdict at alpha',
    async () => {
      const r = await readyOf(a);
      return r.body.verdict === 'degraded' ? r : undefined;
    },
    NOTICE_WITHIN_MS,
  );
  assert.equal(degraded.status, 200);
  assert.match(degraded.body.reasons[0]!.message, /unreachable: delta/);
  const some = await status(a);
  assert.equal(some.code, EXIT_DEGRADED, some.stdout + some.stderr);
  assert.match(some.stdout, /^DEGRADED: unreachable: delta/);

  // Two down: no quorum.
  const lostAt = Date.now();
  await fed.stop(c);
  const lost = await until(
    'alpha not ready',
    async () => {
      const r = await readyOf(a);
      return r.status === 503 ? r : undefined;
    },
    NOTICE_WITHIN_MS,
  );
  assert.ok(Date.now() - lostAt <= NOTICE_WITHIN_MS);
  assert.equal(lost.body.verdict, 'stalled');
  assert.equal(lost.body.reasons[0]!.code, 'QUORUM_UNREACHABLE');
  assert.match(
    lost.body.reasons[0]!.message,
    /2 of 4 validators reachable, 3 needed to commit \(unreachable: delta, gamma\)/,
  );
  const stalled = await status(a);
  assert.equal(stalled.code, EXIT_STALLED, stalled.stdout + stalled.stderr);
  assert.match(stalled.stdout, /^STALLED: 2 of 4 validators reachable/);
  await until(
    'a warn line about the lost quorum in alpha.log',
    async () => (warnLines(a, 'quorum of validators unreachable').length > 0 ? true : undefined),
    NOTICE_WITHIN_MS,
  );

  // Statements wait: the stall metric grows past the bound, and the reason says so. The ninth
  // open motion of one author is refused by the batch being built, never answered 202.
  const submitted = [];
  for (let i = 0; i < OPEN_MOTIONS_PER_MEMBER_MAX; i++) submitted.push(await fillerMotion(a, `wait ${i}`));
  const ninth = await fillerMotion(a, 'one too many').then(
    () => assert.fail('the ninth open motion of one author was answered 202'),
    (err: Error) => err.message,
  );
  assert.match(ninth, /POST \/statements at alpha: 422 .*TOO_MANY_OPEN_MOTIONS/);
  const early = (await metricsOf(a))('witan_consensus_progress_age_seconds');
  const late = await until(
    'alpha stalled past the bound',
    async () => {
      const m = await metricsOf(a);
      return m('witan_health', { verdict: 'stalled' }) === 1 &&
        m('witan_consensus_progress_age_seconds') * 1000 > STALL_BOUND_MS
        ? m
        : undefined;
    },
    STALL_BOUND_MS + NOTICE_WITHIN_MS,
  );
  assert.ok(late('witan_consensus_progress_age_seconds') > early, 'the stall metric grows');
  assert.equal(late('witan_ready'), 0);
  assert.equal(late('witan_pending_statements'), OPEN_MOTIONS_PER_MEMBER_MAX);
  const why = (await readyOf(a)).body.reasons.map((r) => r.code);
  assert.deepEqual(why.sort(), ['QUORUM_UNREACHABLE', 'STALLED']);
  await until(
    'a warn line about the stall in alpha.log',
    async () => (warnLines(a, 'consensus stalled').length > 0 ? true : undefined),
    NOTICE_WITHIN_MS,
  );

  // Restarted: every root turns healthy, and what waited commits.
  await Promise.all([fed.start(c), fed.start(d)]);
  await until(
    'the waiting motions open on every root',
    async () => {
      const views = await Promise.all(
        fed.members.map((m) => getJson<{ open: unknown[] }>(`${m.httpUrl}/motions`)),
      );
      return views.every((v) => v.open.length === OPEN_MOTIONS_PER_MEMBER_MAX) ? true : undefined;
    },
    START_WITHIN_MS,
  );
  await Promise.all(fed.members.map(healthy));
  const back = await status(b);
  assert.equal(back.code, 0, back.stdout + back.stderr);
  const healed = await metricsOf(a);
  assert.equal(healed('witan_ready'), 1);
  assert.equal(healed('witan_pending_statements'), 0);
  assert.ok(healed('witan_consensus_progress_age_seconds') * 1000 < STALL_BOUND_MS);
});
