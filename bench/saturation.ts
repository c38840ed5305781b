// Saturated HTTP and relay load while the federation commits (`npm run bench -- saturation`):
// four root processes; for 60 s wrk saturates two roots' GET routes (world, checkpoint, status,
// members, motions, tiles, ledger entries) and a third root's POST /statements with garbage
// (forged, unknown authors, malformed JSON, 50 KB of noise), while relayed connections stream
// through the fourth root; meanwhile ballots arrive every 300 ms and motions are moved and
// passed. Goals: commit latency p99 < 1 s (POST at a root → in that root's ledger), and every
// statement a root took committed on every root. The roots' per-address request budget is
// lifted, as for an attacker with many addresses; load shedding stays on.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toBase64 } from '../src/codec/index.ts';
import { generateKeyPair } from '../src/crypto/index.ts';
import { ballot, motion, signStatement, type World } from '../src/governance/index.ts';
import { createFederation, FEDERATION, startAll, type TestMember } from '../test/node/fixtures/federation.ts';
import type { CircuitLoadStats } from './lib/circuit-load.ts';
import type { BenchResult } from './lib/harness.ts';
import { has, rotatingScript, WRK_CONNECTIONS, type WrkRun, wrkRun } from './lib/http-load.ts';
import { recordResilience } from './lib/resilience.ts';
import type { BenchOptions } from './run.ts';

const LOAD_SECONDS = 60;
const QUICK_SECONDS = 10;
/** A ballot every this often, at the roots in turn. */
const BALLOT_INTERVAL_MS = 300;
/** A motion is moved and passed every this often. */
const MOTION_INTERVAL_MS = 5_000;
/** How often the submitting root is asked whether a statement is in its ledger. */
const POLL_MS = 10;
/** Relayed connections in flight at once through the fourth root. */
const CIRCUIT_DIALERS = 4;
/** One request; under saturation answers are slow, but one that takes longer counts as lost. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A statement not committed everywhere by then, after the load, counts as lost. */
const SETTLE_TIMEOUT_MS = 120_000;
const REQUESTS_PER_MINUTE = 10_000_000;
const COMMIT_P99_MS_MAX = 1_000;
/** A statement refused by load shedding is posted again after its Retry-After, at most this long. */
const SHED_RETRY_MS_MAX = 5_000;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return (await res.json()) as T;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

type Submitted = { id: string; committed: Promise<number> };
/** Answers that were not 202: load shedding (posted again), and refusals by reason. */
type Tally = { shed: number; refused: Record<string, number> };

/**
 * POSTs a signed statement to `m` and resolves once `m` took it (so a member's statements are
 * taken in the order they were signed); `committed` resolves with the latency, counted from the
 * first attempt, once `m` has it in its ledger. Load shedding (503, 429) is what a client is
 * told to wait and retry on: it posts again after Retry-After, as a member's tool would.
 */
async function submit(m: TestMember, body: string, deadline: number, tally: Tally): Promise<Submitted> {
  const started = performance.now();
  let id: string | undefined;
  while (id === undefined) {
    const res = await fetch(`${m.httpUrl}/statements`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch((err: Error) => {
      throw new Error(`no answer from ${m.name}: ${err.name}`);
    });
    const answer = (await res.json()) as { id?: string; code?: string };
    if (res.status === 202 && answer.id !== undefined) id = answer.id;
    else if ((res.status === 503 || res.status === 429) && performance.now() < deadline) {
      tally.shed++;
      const after = Number(res.headers.get('retry-after'));
      await sleep(after > 0 ? Math.min(after * 1000, SHED_RETRY_MS_MAX) : SHED_RETRY_MS_MAX);
    } else throw new Error(`${m.name} answered ${res.status} ${answer.code}`);
  }
  const committed = (async () => {
    while (performance.now() < deadline) {
      const s = await getJson<{ status: string }>(`${m.httpUrl}/statements/${id}`).catch(() => undefined);
      if (s?.status === 'committed') return performance.now() - started;
      await sleep(POLL_MS);
    }
    throw new Error(`statement ${id} not committed at ${m.name}`);
  })();
  return { id, committed };
}

/** Whether every root has the statement in its ledger by `deadline`. */
async function everywhere(members: TestMember[], id: string, deadline: number): Promise<boolean> {
  while (performance.now() < deadline) {
    const views = await Promise.all(
      members.map((m) => getJson<{ status: string }>(`${m.httpUrl}/statements/${id}`).catch(() => undefined)),
    );
    if (views.every((v) => v?.status === 'committed')) return true;
    await sleep(200);
  }
  return false;
}

/** wrk POSTing `bodies` to /statements in turn. */
function garbageScript(dir: string, bodies: string[]): string {
  const file = join(dir, 'garbage.lua');
  writeFileSync(
    file,
    `local bodies = {${bodies.map((b) => `[==[${b}]==]`).join(',')}}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/statements", {["Content-Type"] = "application/json"}, bodies[i])
end
`,
  );
  return file;
}

function forkCircuitLoad(
  relay: string,
): Promise<{ child: ChildProcess; stats(): Promise<CircuitLoadStats> }> {
  const child = fork(join(import.meta.dirname, 'lib', 'circuit-load.ts'), [relay, String(CIRCUIT_DIALERS)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const waiters: ((s: CircuitLoadStats) => void)[] = [];
    child.on('message', (msg: { op: string; value: unknown }) => {
      if (msg.op === 'ready')
        resolve({
          child,
          stats: () =>
            new Promise((r) => {
              waiters.push(r);
              child.send({ op: 'stats' });
            }),
        });
      if (msg.op === 'stats') waiters.shift()?.(msg.value as CircuitLoadStats);
    });
    child.on('exit', (code) => reject(new Error(`circuit load exited with ${code}`)));
  });
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  if (!has('wrk')) throw new Error('saturation needs wrk on the PATH');
  const seconds = options.quick ? QUICK_SECONDS : LOAD_SECONDS;
  const work = mkdtempSync(join(tmpdir(), 'witan-saturation-'));
  const fed = await createFederation({
    members: 4,
    logLevel: 'warn',
    requestsPerMinute: REQUESTS_PER_MINUTE,
  });
  let circuits: Awaited<ReturnType<typeof forkCircuitLoad>> | undefined;
  try {
    await startAll(fed);
    const [alpha, beta, gamma, delta] = fed.members as [TestMember, TestMember, TestMember, TestMember];
    const sign = (m: TestMember, s: Parameters<typeof signStatement>[0]) =>
      JSON.stringify(signStatement(s, m.governanceKey.secretKey));
    const worldOf = () => getJson<{ world: World; hash: string }>(`${alpha.httpUrl}/world`);
    const moveMotion = async (m: TestMember, tag: string, deadline: number) => {
      const w = await worldOf();
      const s = motion(
        { world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0],
        m.name,
        [{ type: 'update-member', member: m.name, organisation: `${m.name} ${tag}` }],
        Date.now(),
        { summary: tag },
      );
      return submit(m, sign(m, s), deadline, tally);
    };
    const tally: Tally = { shed: 0, refused: {} };
    const refuse = (err: Error) => {
      tally.refused[err.message] = (tally.refused[err.message] ?? 0) + 1;
    };
    const standing = await moveMotion(alpha, 'standing', performance.now() + SETTLE_TIMEOUT_MS);
    await standing.committed;
    const size = (await getJson<{ ledger: { size: number } }>(`${alpha.httpUrl}/status`)).ledger.size;

    // The load: GET routes on alpha and beta, garbage POSTs on gamma, circuits through delta.
    const paths = [
      '/world',
      '/checkpoint',
      '/status',
      '/members',
      '/motions',
      `/tile/0/000.p/${size}`,
      `/tile/entries/000.p/${size}`,
      `/ledger/entries?start=0&end=${size}`,
    ];
    const getScript = rotatingScript(work, paths);
    const genuine = JSON.parse(
      sign(beta, {
        kind: 'ballot',
        federation: FEDERATION,
        author: beta.name,
        createdMs: Date.now(),
        motion: standing.id,
        choice: 'yes',
      }),
    );
    const garbage = [
      JSON.stringify({ ...genuine, statement: { ...genuine.statement, choice: 'no' } }),
      JSON.stringify({ ...genuine, statement: { ...genuine.statement, author: 'mallory' } }),
      JSON.stringify({ ...genuine, statement: { ...genuine.statement, federation: 'other.witan.test' } }),
      JSON.stringify({ statement: genuine.statement, signature: toBase64(generateKeyPair().publicKey) }),
      '{"statement": {"kind": "ballot", "author": ',
      JSON.stringify({ statement: { kind: 'ballot', pad: 'x'.repeat(50_000) }, signature: 'A' }),
    ];
    const postScript = garbageScript(work, garbage);
    const addrs = (await getJson<{ addrs: string[] }>(`${delta.httpUrl}/status`)).addrs;
    circuits = await forkCircuitLoad(addrs.find((a) => a.includes('/tcp/') && !a.includes('/ws'))!);
    const loads = Promise.all([
      wrkRun(`${alpha.httpUrl}/`, seconds, getScript),
      wrkRun(`${beta.httpUrl}/`, seconds, getScript),
      wrkRun(`${gamma.httpUrl}/`, seconds, postScript),
    ]);

    // The commits, during the load. A member's statements are submitted one after the other.
    const end = performance.now() + seconds * 1000;
    const deadline = end + SETTLE_TIMEOUT_MS;
    const latencies: number[] = [];
    const taken: string[] = [];
    const commits: Promise<void>[] = [];
    const track = (s: Submitted) => {
      taken.push(s.id);
      commits.push(s.committed.then((ms) => void latencies.push(ms)));
    };
    const lastDated = new Map<string, number>();
    const ballots = (async () => {
      for (let i = 0; performance.now() < end; i++) {
        const next = sleep(BALLOT_INTERVAL_MS);
        const m = fed.members[i % 4]!;
        const createdMs = Math.max(Date.now(), (lastDated.get(m.name) ?? 0) + 1);
        lastDated.set(m.name, createdMs);
        const b = ballot(FEDERATION, m.name, standing.id, i % 2 === 0 ? 'no' : 'abstain', createdMs);
        await submit(m, sign(m, b), deadline, tally).then(track, refuse);
        await next;
      }
    })();
    let passed = 0;
    const motions = (async () => {
      for (let i = 0; performance.now() < end; i++) {
        const next = sleep(MOTION_INTERVAL_MS);
        try {
          const moved = await moveMotion(fed.members[1 + (i % 3)]!, `round ${i}`, deadline);
          track(moved);
          await moved.committed;
          // Each voter's root must have the motion before it takes a ballot on it (else UNKNOWN_MOTION).
          if (!(await everywhere([beta, gamma, delta], moved.id, deadline)))
            throw new Error(`statement ${moved.id} not committed everywhere`);
          const yes = await Promise.all(
            [beta, gamma, delta].map((m) =>
              submit(m, sign(m, ballot(FEDERATION, m.name, moved.id, 'yes', Date.now())), deadline, tally),
            ),
          );
          for (const y of yes) track(y);
          await Promise.all(yes.map((y) => y.committed));
          passed++;
        } catch (err) {
          // A statement taken and not committed is counted as lost below; one refused, here.
          if (!(err as Error).message.startsWith('statement ')) refuse(err as Error);
        }
        await next;
      }
    })();
    await Promise.all([ballots, motions]);
    const [getA, getB, post] = (await loads) as [WrkRun, WrkRun, WrkRun];
    const relayed = await circuits.stats();
    await Promise.allSettled(commits);
    const refused = Object.values(tally.refused).reduce((a, b) => a + b, 0);
    const refusals = Object.entries(tally.refused)
      .map(([why, n]) => `${n} × ${why}`)
      .join('; ');
    let lost = 0;
    for (const id of taken) if (!(await everywhere(fed.members, id, deadline))) lost++;
    const [p50, p99, max] = [percentile(latencies, 50), percentile(latencies, 99), Math.max(...latencies)];
    const version = (await worldOf()).world.version;
    const command = `npm run bench -- saturation${options.quick ? ' --quick' : ''}`;
    const wrkLine = (name: string, r: WrkRun) =>
      `${name} ${Math.round(r.rate).toLocaleString('en-US')} req/s (${r.non2xx.toLocaleString('en-US')} not 2xx)`;
    const met = p99 < COMMIT_P99_MS_MAX && lost === 0 && refused === 0;
    recordResilience(
      'saturation',
      [
        {
          what: `${seconds} s of saturated HTTP (wrk GET on two roots, garbage POST /statements on a third) and relay load (circuits through the fourth) while statements commit`,
          amount: `${wrkLine('GET', getA)}, ${wrkLine('GET', getB)}, ${wrkLine('POST garbage', post)}; ${relayed.circuits} circuits, ${(relayed.bytes / 2 ** 20).toFixed(0)} MiB relayed; ${latencies.length} statements committed (${passed} motions passed, world v${version})`,
          result: `commit latency p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms, max ${Math.round(max)} ms; ${lost} lost, ${refused} refused${refused > 0 ? ` (${refusals})` : ''}, ${tally.shed} answers of load shedding posted again`,
          goal: `p99 < ${COMMIT_P99_MS_MAX} ms, nothing lost or refused`,
          met,
        },
      ],
      command,
      [
        `4 root processes on 127.0.0.1 with the per-address request budget lifted (an attacker with many addresses), load shedding on; wrk -t1 -c${WRK_CONNECTIONS} each; ${CIRCUIT_DIALERS} dialers reaching a listener through the relay, ${relayed.failures} circuit attempts failed`,
        'latency: first POST /statements at a root until that root reports the statement committed (polled every 10 ms); a 503 or 429 (load shedding) is posted again after its Retry-After, as a client would; lost: taken (202) and not committed on every root within 2 min after the load; refused: answered otherwise, or not answered within 30 s',
      ],
    );
    return {
      id: 'saturation',
      title: 'Resilience: commits under saturated HTTP and relay load (4 root processes)',
      figures: [
        { name: 'commit latency p50 under load', value: p50, unit: 'ms' },
        {
          name: 'commit latency p99 under load',
          value: p99,
          unit: 'ms',
          goal: `< ${COMMIT_P99_MS_MAX}`,
          met: p99 < COMMIT_P99_MS_MAX,
        },
        { name: 'statements lost', value: lost, unit: 'statements', goal: '= 0', met: lost === 0 },
        {
          name: 'genuine statements refused',
          value: refused,
          unit: 'statements',
          goal: '= 0',
          met: refused === 0,
        },
        { name: 'GET served under load (two roots)', value: getA.rate + getB.rate, unit: 'req/s' },
        { name: 'garbage POST /statements answered', value: post.rate, unit: 'req/s' },
        { name: 'relayed during the load', value: relayed.bytes / 2 ** 20, unit: 'MiB' },
      ],
      notes: [
        `${seconds} s; ${latencies.length} statements committed, ${passed} motions passed; command: ${command}`,
      ],
    };
  } finally {
    if (circuits !== undefined) {
      const child = circuits.child;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ op: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await fed.close();
    rmSync(work, { recursive: true, force: true });
  }
}
