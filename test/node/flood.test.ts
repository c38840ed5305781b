// One member floods its federation with large, valid statements — self-updates of ≈ 3 KB, the
// most its endpoints allow, posted to every root — while the honest members keep voting. Four
// real root processes. The rules let a member commit only so many self-updates per window
// (charter §15; the most any policy allows here): past those, the flood goes on as statements
// each root must still screen and check, and refuses with that rule. The flood must not delay an honest ballot beyond a bound: every honest
// ballot commits at most HONEST_COMMIT_HEIGHTS_MAX heights after the highest committed when its
// root took it. The bound is in heights, not milliseconds, so it holds whatever the machine's
// load; commit latencies with and without the flood are reported (p50, p99), and the timed
// figure under load is bench/saturation.ts's. Batches are bounded in bytes so every proposal
// fits one gossip message, the flooder fills only its own share of each pool and of each batch,
// and the round robin serves every author in each pass.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ballot,
  DEFAULT_POLICY,
  type Endpoints,
  POLICY_RANGES,
  selfUpdate,
  signStatement,
} from '../../src/governance/index.ts';
import {
  committedOn,
  createFederation,
  FEDERATION,
  fillerMotion,
  startAll,
  type TestFederation,
  type TestMember,
} from './fixtures/federation.ts';

/** The flooder's allowance of self-updates per window: the most any policy allows. */
const SELF_UPDATES_MAX = POLICY_RANGES.selfUpdatesPerWindowMax[1];
/** How long the flood lasts; honest members vote throughout. */
const FLOOD_MS = 25_000;
/** Flood statements in flight at once, per second, and in all (bounds on the loop). */
const FLOOD_IN_FLIGHT = 8;
const FLOOD_PER_SECOND_MAX = 60;
const FLOOD_STATEMENTS_MAX = 3000;
/** Honest members each vote this often. */
const HONEST_INTERVAL_MS = 500;
/**
 * Honest ballots the flood must have met to say anything: each member posts one per
 * HONEST_INTERVAL_MS at most (50 each in FLOOD_MS), fewer when the roots answer slowly.
 */
const HONEST_BALLOTS_MIN = 20;
/** How often a root is asked whether an honest ballot has committed. */
const POLL_MS = 50;
/** A request to a root on a machine whose cores the test shares with four roots. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Every client here shares 127.0.0.1: lift the roots' per-address request budget for the test. */
const REQUESTS_PER_MINUTE = 1_000_000;
/**
 * The bound. A ballot misses the batch being decided when it arrives and, at worst, the next
 * one if that proposal was already sent, and gossip may take it a height more to reach the
 * proposer; without bounded batches the flood stalled every root until its statements went
 * stale (a day).
 */
const HONEST_COMMIT_HEIGHTS_MAX = 3;
/** A ballot that has not committed by then fails the test at once (a stalled federation). */
const HONEST_COMMIT_MS_MAX = 60_000;

let fed: TestFederation;
let flooder: TestMember;
let honest: TestMember[];
/** Motions that stay open: honest members vote no or abstain on them in turn, again and again. */
let motions: string[];

before(async () => {
  fed = await createFederation({
    members: 4,
    requestsPerMinute: REQUESTS_PER_MINUTE,
    policy: { ...DEFAULT_POLICY, selfUpdatesPerWindowMax: SELF_UPDATES_MAX },
  });
  await startAll(fed);
  honest = fed.members.slice(0, 3);
  flooder = fed.members[3]!;
  motions = [];
  for (const m of honest) motions.push((await fillerMotion(m, 'under flood')).id);
  for (const id of motions) await committedOn(fed.members, id, 60_000);
});

after(async () => {
  await fed?.close();
});

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function post(url: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const heightOf = async (m: TestMember) => (await get<{ height: number }>(`${m.httpUrl}/status`)).height;
/** The highest height any root has committed. */
const federationHeight = async () => Math.max(...(await Promise.all(fed.members.map(heightOf))));

/**
 * The i-th ballot of a member, on the i-th motion in turn, dated strictly after the member's
 * previous one (the roots run on this machine's clock here): a member's ballots on one motion
 * are posted one after the other, seconds apart, so none is superseded by an earlier one.
 */
const lastDated = new Map<string, number>();
function honestBallot(m: TestMember, i: number): string {
  const createdMs = Math.max(Date.now(), (lastDated.get(m.name) ?? 0) + 1);
  lastDated.set(m.name, createdMs);
  const choice = i % 2 === 0 ? 'no' : 'abstain';
  const s = ballot(FEDERATION, m.name, motions[i % motions.length]!, choice, createdMs);
  return JSON.stringify(signStatement(s, m.governanceKey.secretKey));
}

type Commit = { ms: number; heights: number };

/** Waits until the member's root has the statement in its ledger. */
async function committed(m: TestMember, id: string, started: number, height: number): Promise<Commit> {
  const deadline = started + HONEST_COMMIT_MS_MAX;
  while (performance.now() < deadline) {
    const s = await get<{ status: string; height?: number }>(`${m.httpUrl}/statements/${id}`).catch(
      () => undefined,
    );
    if (s?.status === 'committed') return { ms: performance.now() - started, heights: s.height! - height };
    await sleep(POLL_MS);
  }
  throw new Error(`${m.name}'s ballot ${id.slice(0, 12)} did not commit in ${HONEST_COMMIT_MS_MAX} ms`);
}

/** Every honest member votes every HONEST_INTERVAL_MS until `until`. */
async function honestVotes(until: () => boolean): Promise<Commit[]> {
  const commits: Promise<Commit>[] = [];
  await Promise.all(
    honest.map(async (m, k) => {
      await sleep(k * (HONEST_INTERVAL_MS / honest.length));
      for (let i = 0; until(); i++) {
        const next = sleep(HONEST_INTERVAL_MS);
        const started = performance.now();
        const res = await post(`${m.httpUrl}/statements`, honestBallot(m, i));
        assert.equal(res.status, 202, `${m.name}'s ballot: ${JSON.stringify(res.body)}`);
        // Heights are counted from the highest committed once the ballot is in its root's pool.
        const height = await federationHeight();
        commits.push(committed(m, res.body.id as string, started, height));
        await next;
      }
    }),
  );
  const settled = await Promise.allSettled(commits);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<Commit>).value);
}

/** The flooder's self-updates: its real endpoints first (so it stays reachable), then long ones. */
function floodStatement(endpoints: Endpoints, createdMs: number, i: number): string {
  // DNS names of three 63-character labels: near the longest an endpoint may carry.
  const long = (k: number) => `${['a', 'b', 'c'].map((c) => c.repeat(63)).join('.')}.f${i}-${k}.example.org`;
  const padded: Endpoints = {
    p2p: [endpoints.p2p[0]!, ...Array.from({ length: 7 }, (_, k) => `/dns4/${long(k)}/tcp/4001`)],
    http: [endpoints.http[0]!, ...Array.from({ length: 3 }, (_, k) => `https://${long(k)}/`)],
  };
  const s = selfUpdate(FEDERATION, flooder.name, createdMs, { endpoints: padded });
  return JSON.stringify(signStatement(s, flooder.governanceKey.secretKey));
}

type FloodCount = { statements: number; accepted: number; refused: Record<string, number> };

/** Posts each flood statement to every root, FLOOD_IN_FLIGHT at a time, until `until`. */
async function flood(until: () => boolean): Promise<FloodCount> {
  const world = await get<{ world: { members: { name: string; endpoints: Endpoints }[] } }>(
    `${flooder.httpUrl}/world`,
  );
  const endpoints = world.world.members.find((m) => m.name === flooder.name)!.endpoints;
  const count: FloodCount = { statements: 0, accepted: 0, refused: {} };
  const toRoot = async (root: TestMember, body: string) => {
    const res = await post(`${root.httpUrl}/statements`, body).catch(() => ({ status: 0, body: {} }));
    if (res.status === 202) count.accepted++;
    else {
      const code = String((res.body as { code?: string }).code ?? res.status);
      count.refused[code] = (count.refused[code] ?? 0) + 1;
    }
  };
  const paced = (1000 * FLOOD_IN_FLIGHT) / FLOOD_PER_SECOND_MAX;
  const base = Date.now();
  await Promise.all(
    Array.from({ length: FLOOD_IN_FLIGHT }, async () => {
      while (until() && count.statements < FLOOD_STATEMENTS_MAX) {
        const i = count.statements++;
        const body = floodStatement(endpoints, base + i, i);
        const started = performance.now();
        await Promise.all(fed.members.map((root) => toRoot(root, body)));
        await sleep(Math.max(0, paced - (performance.now() - started)));
      }
    }),
  );
  return count;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('one member flooding large valid statements delays no honest ballot beyond the bound', async (t) => {
  const quiet = Date.now() + 5_000;
  const baseline = await honestVotes(() => Date.now() < quiet);
  const heightBefore = await federationHeight();
  const end = Date.now() + FLOOD_MS;
  const [counts, commits] = await Promise.all([
    flood(() => Date.now() < end),
    honestVotes(() => Date.now() < end),
  ]);
  const heights = (await federationHeight()) - heightBefore;
  const ms = commits.map((c) => c.ms);
  const [p50, p99, max] = [percentile(ms, 50), percentile(ms, 99), Math.max(...ms)];
  const floodEndpoints = (
    await get<{ world: { members: { name: string; endpoints: Endpoints }[] } }>(`${honest[0]!.httpUrl}/world`)
  ).world.members.find((m) => m.name === flooder.name)!.endpoints;
  const base = baseline.map((c) => c.ms);
  t.diagnostic(
    `without the flood: ${base.length} honest ballots, commit p50 ${Math.round(percentile(base, 50))} ms, p99 ${Math.round(percentile(base, 99))} ms`,
  );
  t.diagnostic(
    `during the flood: ${commits.length} honest ballots, commit p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms, max ${Math.round(max)} ms, at most ${Math.max(...commits.map((c) => c.heights))} heights; ${heights} heights in ${FLOOD_MS / 1000} s`,
  );
  t.diagnostic(`flood: ${JSON.stringify(counts)}`);
  // The flood was real: every root took the flooder's whole allowance of statements, and
  // committed them; the rest were refused by the rule, each after its checks.
  assert.ok(counts.statements >= 100, `${counts.statements} flood statements`);
  assert.ok(counts.accepted >= SELF_UPDATES_MAX * fed.members.length * 0.9, JSON.stringify(counts));
  assert.ok((counts.refused.SELF_UPDATE_RATE ?? 0) > 0, JSON.stringify(counts));
  assert.equal(floodEndpoints.p2p.length, 8, 'the flooder’s self-updates committed too');
  // Every honest ballot was served within the bound.
  assert.ok(commits.length >= HONEST_BALLOTS_MIN, `${commits.length} ballots`);
  for (const c of commits)
    assert.ok(c.heights <= HONEST_COMMIT_HEIGHTS_MAX, `a ballot waited ${c.heights} heights`);
  // And the federation kept committing through the flood: no stall, and every honest ballot in.
  assert.ok(heights >= 3, `${heights} heights during the flood`);
});
