// End-to-end commit latency of a federation of root processes on 127.0.0.1 (founded like
// `witan devnet` does: initMember, the genesis ceremony, spawnRoot): from `POST /statements` at
// one root to a quorum-cosigned checkpoint that contains the statement, served by every root.
// Two workloads, one statement at a time, round robin over the roots: abstaining ballots on an
// open motion (the world stays as it is: what officers send most), and self-updates (each moves
// the member's HTTP endpoints and commits a new world; back to back they are a burst, of which
// the federation signs one world per period and the last, LEDGER.md §9.4). Then the ballots
// again while wrk saturates one root's GET /world; the federation's line after a commit; a lone
// world change's signed note (one FROST round); GET /world and tiles against nginx serving the
// same bytes; and the ballots at 7 roots. The CPU the roots spend per
// statement, read from /proc, gives the ceiling the machine's cores set; the CPU per GET request
// is split by thread (the root's main thread, V8's workers) beside bare node:http's and nginx's,
// which shows where a root's read path spends beyond Node's HTTP stack and beyond nginx.
// The project's goals: p50 ≤ 50 ms; GET vs nginx ≥ 0.8.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quorumSize } from '../src/base/index.ts';
import { freePort } from '../src/cli/root-processes.ts';
import type { SignedStatement } from '../src/governance/index.ts';
import { formatTilePath, TILE_WIDTH } from '../src/ledger/index.ts';
import { CHECKPOINT_SETTLE_MS, WORLD_SIGNED_AGE_MAX_MS } from '../src/node/federation/constants.ts';
import { startBareHttp } from './lib/bare-http.ts';
import {
  abstention,
  BENCH_FEDERATION,
  type BenchMember,
  checkpointOf,
  committedOn,
  getJson,
  POLL_MS,
  selfUpdates,
  standingMotion,
  startFederation,
  stopFederation,
  submit,
} from './lib/federation.ts';
import {
  type BenchResult,
  childPids,
  type Figure,
  processCpuMs,
  ratioFigure,
  threadCpuMs,
} from './lib/harness.ts';
import { has, rotatingScript, startNginx, WRK_CONNECTIONS, wrkArgs, wrkRun } from './lib/http-load.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 4;
/** The larger federation, where the machine allows: ballots only. */
const ROOTS_LARGE = 7;
/** One statement that has not committed on all roots by then fails the benchmark. */
const COMMIT_TIMEOUT_MS = 30_000;
/**
 * Alternating rounds of the GET comparisons (the root, nginx, bare node:http), each arm run in
 * turn, the order reversed every other round. Short runs, many rounds: the two ratios moved by
 * ±0.07 between runs of two 8-second rounds, the other roots' timers and the machine's other
 * work falling on one arm more than on another.
 */
const GET_ROUNDS = 5;
/** The federation key's DKG right after genesis (the devnet policy asks for the key) must be done by then. */
const DKG_TIMEOUT_MS = 180_000;

type Latencies = { total: number[]; inLedger: number[] };
/** The `i`-th statement of a workload, by `m`. */
type Next = (m: BenchMember, i: number) => Promise<SignedStatement>;

const selfUpdate: Next = async (m, i) => (await selfUpdates(m, 1, i))[0]!;

/** CPU time (user + system) the roots' processes used so far, in ms. */
function cpuMs(members: readonly BenchMember[]): number {
  return members.reduce((sum, m) => sum + processCpuMs(m.root!.child.pid!), 0);
}

/**
 * Submits `count` statements one at a time; for each, ms until every root serves it in a
 * cosigned checkpoint (total) and until every root has it in its ledger (inLedger); and the
 * roots' CPU per statement.
 */
async function commitLatencies(
  members: BenchMember[],
  count: number,
  first: number,
  next: Next,
): Promise<Latencies & { cpuMsPerStatement: number }> {
  const needed = quorumSize(members.length);
  const out: Latencies = { total: [], inLedger: [] };
  const cpuBefore = cpuMs(members);
  for (let i = 0; i < count; i++) {
    const m = members[i % members.length]!;
    const signed = await next(m, first + i);
    const start = performance.now();
    const id = await submit(m, signed);
    const deadline = start + COMMIT_TIMEOUT_MS;
    const inLedger = await committedOn(members, m, id, needed, deadline);
    out.total.push(performance.now() - start);
    out.inLedger.push(inLedger - start);
  }
  return { ...out, cpuMsPerStatement: (cpuMs(members) - cpuBefore) / count };
}

/**
 * CPU per request while serving, µs: the root's main thread, V8's worker threads (GC,
 * compiling), bare node:http's main thread (the ceiling's), nginx.
 */
type ServingCpu = { main: number; v8Workers: number; bare: number; nginx: number };

/**
 * One wrk run; its rate (throws, as wrk() does, when an answer was not 2xx/3xx), and the CPU
 * per request the serving processes `pids` spent in it, by thread name (threadCpuMs).
 */
async function servingRun(
  url: string,
  seconds: number,
  script: string | undefined,
  pids: readonly number[],
): Promise<{ rate: number; usPerRequest: Map<string, number> }> {
  const read = () => pids.map((pid) => threadCpuMs(pid));
  const before = read();
  const run = await wrkRun(url, seconds, script);
  if (run.non2xx > 0) throw new Error(`wrk saw errors:\n${run.output}`);
  const usPerRequest = new Map<string, number>();
  read().forEach((after, i) => {
    for (const [name, ms] of after) {
      const used = ms - (before[i]!.get(name) ?? 0);
      usPerRequest.set(name, (usPerRequest.get(name) ?? 0) + (used * 1000) / run.requests);
    }
  });
  return { rate: run.rate, usPerRequest };
}

/** Sums µs per request over threads: all of them, or those named `name`. */
const usOf = (m: Map<string, number>, name?: string) =>
  [...m].reduce((sum, [n, us]) => (name === undefined || n === name ? sum + us : sum), 0);

function servingCpuFigures(label: string, cpu: ServingCpu): Figure[] {
  return [
    { name: `  ${label}: the root's CPU per request, main thread`, value: cpu.main, unit: 'µs' },
    {
      name: `  ${label}: the root's CPU per request, V8's worker threads (GC marking, compiling)`,
      value: cpu.v8Workers,
      unit: 'µs',
    },
    {
      name: `  ${label}: bare node:http's CPU per request, main thread (the same bytes, one handler)`,
      value: cpu.bare,
      unit: 'µs',
    },
    { name: `  ${label}: nginx's CPU per request`, value: cpu.nginx, unit: 'µs' },
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function latencyFigures(label: string, ms: Latencies & { cpuMsPerStatement: number }): Figure[] {
  const sorted = [...ms.total].sort((a, b) => a - b);
  const ledger = [...ms.inLedger].sort((a, b) => a - b);
  const cores = availableParallelism();
  return [
    ratioFigure(`commit latency p50, ${label}`, percentile(sorted, 50), 'ms', 'goal', 50, {
      atMost: 1,
    }),
    { name: `commit latency p99, ${label}`, value: percentile(sorted, 99), unit: 'ms' },
    { name: `  of which in the submitting root's ledger, p50`, value: percentile(ledger, 50), unit: 'ms' },
    {
      name: `  roots' CPU per statement ÷ ${cores} cores (the machine's floor for one commit at a time)`,
      value: ms.cpuMsPerStatement / cores,
      unit: 'ms',
    },
  ];
}

/** Waits until every root serves a world with a federation key (the DKG at start); its key ID. */
async function federationKeyId(members: BenchMember[]): Promise<number> {
  const deadline = performance.now() + DKG_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const views = await Promise.all(
      members.map((m) =>
        getJson<{ key: { vkey: string } | null }>(`${m.httpUrl}/federation`).catch(() => null),
      ),
    );
    const vkeys = views.map((v) => v?.key?.vkey);
    if (vkeys.every((v) => v !== undefined && v === vkeys[0]))
      return Number.parseInt(vkeys[0]!.split('+')[1]!, 16);
    await sleep(200);
  }
  throw new Error(`no federation key on every root after ${DKG_TIMEOUT_MS} ms`);
}

/** Whether a checkpoint note carries a line by the federation (name = origin, its key ID). */
function federationSigned(note: string, keyId: number): boolean {
  const blank = note.indexOf('\n\n');
  return note
    .slice(blank + 2)
    .split('\n')
    .some((l) => {
      if (!l.startsWith(`— ${BENCH_FEDERATION} `)) return false;
      const bytes = Buffer.from(l.slice(`— ${BENCH_FEDERATION} `.length), 'base64');
      return bytes.length >= 4 && bytes.readUInt32BE(0) === keyId;
    });
}

/**
 * Submits `count` statements one at a time; for each, ms from the moment every root has it in
 * its ledger until every root serves a checkpoint past it that carries the federation's line.
 */
async function federationLatencies(
  members: BenchMember[],
  count: number,
  first: number,
  keyId: number,
  next: Next,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const m = members[i % members.length]!;
    const id = await submit(m, await next(m, first + i));
    const deadline = performance.now() + COMMIT_TIMEOUT_MS;
    const times = await Promise.all(
      members.map(async (r) => {
        let index: number | undefined;
        let inLedgerAt = 0;
        while (performance.now() < deadline) {
          if (index === undefined) {
            const s = await getJson<{ status: string; index?: number }>(
              `${r.httpUrl}/statements/${id}`,
            ).catch(() => null);
            if (s?.status === 'committed') {
              index = s.index;
              inLedgerAt = performance.now();
            }
          } else {
            const note = await (await fetch(`${r.httpUrl}/checkpoint`)).text();
            if (checkpointOf(note).size > index && federationSigned(note, keyId))
              return { inLedgerAt, signedAt: performance.now() };
          }
          await sleep(POLL_MS);
        }
        throw new Error(`statement ${id}: no federation-signed checkpoint on ${r.name} in time`);
      }),
    );
    out.push(Math.max(...times.map((t) => t.signedAt)) - Math.max(...times.map((t) => t.inLedgerAt)));
  }
  return out;
}

/**
 * Lone world changes, `count` self-updates each after the federation signed nothing for
 * WORLD_SIGNED_AGE_MAX_MS: for each, ms from its world in every root's state to every root
 * serving the world's signed note (GET /federation/worlds/<version>), one signing round and the
 * height that commits its signatures.
 */
async function worldNoteLatencies(members: BenchMember[], count: number, first: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(WORLD_SIGNED_AGE_MAX_MS + POLL_MS);
    const m = members[i % members.length]!;
    const before = (await getJson<{ version: number }>(`${m.httpUrl}/world`)).version;
    await submit(m, await selfUpdate(m, first + i));
    const deadline = performance.now() + COMMIT_TIMEOUT_MS;
    const times = await Promise.all(
      members.map(async (r) => {
        let committedAt: number | undefined;
        while (performance.now() < deadline) {
          if (committedAt === undefined) {
            if ((await getJson<{ version: number }>(`${r.httpUrl}/world`)).version > before)
              committedAt = performance.now();
          } else {
            const res = await fetch(`${r.httpUrl}/federation/worlds/${before + 1}`);
            await res.arrayBuffer();
            if (res.ok) return { committedAt, signedAt: performance.now() };
          }
          await sleep(POLL_MS);
        }
        throw new Error(`world ${before + 1}: no signed note on ${r.name} in time`);
      }),
    );
    out.push(Math.max(...times.map((t) => t.signedAt)) - Math.max(...times.map((t) => t.committedAt)));
  }
  return out;
}

/** A federation of `roots` with its key made and a standing motion to abstain on. */
async function federationWithMotion(
  work: string,
  roots: number,
): Promise<{
  members: BenchMember[];
  keyId: number;
  dkgMs: number;
  ballots: Next;
}> {
  const members = await startFederation(join(work, `${roots}`), roots);
  const dkgStart = performance.now();
  const keyId = await federationKeyId(members);
  const dkgMs = performance.now() - dkgStart;
  const motionId = await standingMotion(members[0]!);
  await committedOn(members, members[0]!, motionId, quorumSize(roots), performance.now() + COMMIT_TIMEOUT_MS);
  return { members, keyId, dkgMs, ballots: (m, i) => abstention(m, motionId, i) };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const statements = options.quick ? 50 : 100;
  const seconds = options.quick ? 2 : 4;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-commit-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  const loadBefore = loadavg()[0]!;
  let members: BenchMember[] = [];
  let load: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let bare: { child: ChildProcess; url: string } | undefined;
  try {
    const fed = await federationWithMotion(work, ROOTS);
    members = fed.members;
    figures.push({
      name: `DKG at genesis, ${ROOTS} root processes: start to key in every root's world`,
      value: fed.dkgMs,
      unit: 'ms',
    });
    let n = 0;
    const measure = async (count: number, next: Next) => {
      const result = await commitLatencies(members, count, n, next);
      n += count;
      return result;
    };
    await measure(8, fed.ballots); // warm-up: connections, JIT, first batches
    figures.push(...latencyFigures('ballots, idle', await measure(statements, fed.ballots)));
    figures.push(
      ...latencyFigures('self-updates (each a new world), idle', await measure(statements / 2, selfUpdate)),
    );
    const signed = [
      ...(await federationLatencies(members, options.quick ? 10 : 20, n, fed.keyId, fed.ballots)),
    ];
    n += signed.length;
    signed.sort((a, b) => a - b);
    figures.push(
      {
        name: `federation line after a commit, p50 (${ROOTS} roots, threshold ${quorumSize(ROOTS)})`,
        value: percentile(signed, 50),
        unit: 'ms',
      },
      { name: 'federation line after a commit, p99', value: percentile(signed, 99), unit: 'ms' },
    );
    const worldNotes = await worldNoteLatencies(members, options.quick ? 3 : 6, n);
    n += worldNotes.length;
    worldNotes.sort((a, b) => a - b);
    figures.push({
      name: `world note after a lone world change, p50 (${ROOTS} roots; one signing round)`,
      value: percentile(worldNotes, 50),
      unit: 'ms',
    });

    if (!has('wrk'))
      notes.push('wrk is not installed (apt-get install -y wrk): loaded and GET figures not measured');
    else {
      const target = members[0]!;
      load = spawn('wrk', wrkArgs(`${target.httpUrl}/world`, 600), { stdio: 'ignore' });
      await sleep(1000);
      figures.push(
        ...latencyFigures(
          `ballots, wrk saturating ${target.name}'s GET /world`,
          await measure(statements, fed.ballots),
        ),
      );
      load.kill('SIGTERM');
      load = undefined;

      // GET /world and tiles: the root against nginx serving the same bytes.
      const files = join(work, 'files');
      // The tile that holds the newest entries, partial or full, as a client following the log asks.
      const size = checkpointOf(await (await fetch(`${target.httpUrl}/checkpoint`)).text()).size;
      const index = Math.floor((size - 1) / TILE_WIDTH);
      const width = size - index * TILE_WIDTH;
      const paths = [
        '/world',
        '/checkpoint',
        `/${formatTilePath({ level: 0, index, width })}`,
        `/${formatTilePath({ level: 'entries', index, width })}`,
      ];
      const served: string[] = [];
      for (const p of paths) {
        const res = await fetch(target.httpUrl + p);
        if (!res.ok) throw new Error(`${p}: ${res.status}`);
        const body = new Uint8Array(await res.arrayBuffer());
        mkdirSync(dirname(join(files, p)), { recursive: true });
        writeFileSync(join(files, p), body);
        served.push(`${p} (${body.length.toLocaleString('en-US')} bytes)`);
      }
      notes.push(`the GET mix, in turn: ${served.join(', ')}`);
      if (!has('nginx'))
        notes.push('nginx is not installed (apt-get install -y nginx-light): GET vs nginx not measured');
      else {
        const port = await freePort();
        nginx = await startNginx(files, port, work, 'location = /world { default_type application/json; }');
        const nginxUrl = `http://127.0.0.1:${port}`;
        bare = await startBareHttp(files);
        const script = rotatingScript(work, paths);
        let worldBare = 0;
        let mixBare = 0;
        let worldOurs = 0;
        let worldNginx = 0;
        let mixOurs = 0;
        let mixNginx = 0;
        const rootPid = [target.root!.child.pid!];
        const nginxPids = [nginx.pid!, ...childPids(nginx.pid!)];
        const barePid = [bare.child.pid!];
        const worldCpu: ServingCpu = { main: 0, v8Workers: 0, bare: 0, nginx: 0 };
        const mixCpu: ServingCpu = { main: 0, v8Workers: 0, bare: 0, nginx: 0 };
        const rounds = GET_ROUNDS;
        for (let round = 0; round < rounds; round++) {
          for (const [cpu, path, scriptOf] of [
            [worldCpu, '/world', undefined],
            [mixCpu, '', script],
          ] as const) {
            // The root, nginx, bare node:http; in reverse order every other round.
            const arms = [
              [`${target.httpUrl}${path}`, rootPid],
              [`${nginxUrl}${path}`, nginxPids],
              [`${bare.url}${path}`, barePid],
            ] as const;
            const runs: Awaited<ReturnType<typeof servingRun>>[] = [];
            for (const i of round % 2 === 0 ? [0, 1, 2] : [2, 1, 0])
              runs[i] = await servingRun(arms[i]![0], seconds, scriptOf, arms[i]![1]);
            const [ours, theirs, node] = [runs[0]!, runs[1]!, runs[2]!];
            if (path === '/world') {
              worldOurs += ours.rate / rounds;
              worldNginx += theirs.rate / rounds;
              worldBare += node.rate / rounds;
            } else {
              mixOurs += ours.rate / rounds;
              mixNginx += theirs.rate / rounds;
              mixBare += node.rate / rounds;
            }
            cpu.main += usOf(ours.usPerRequest, 'MainThread') / rounds;
            cpu.v8Workers += usOf(ours.usPerRequest, 'V8Worker') / rounds;
            cpu.bare += usOf(node.usPerRequest, 'MainThread') / rounds;
            cpu.nginx += usOf(theirs.usPerRequest) / rounds;
          }
        }
        figures.push(
          ratioFigure(
            'GET /world served by a root',
            worldOurs,
            'req/s',
            'nginx 1 worker, same bytes',
            worldNginx,
            {
              atLeast: 0.8,
            },
          ),
          ratioFigure(
            'GET /world, /checkpoint, hash tile, entry bundle (rotated)',
            mixOurs,
            'req/s',
            'nginx 1 worker, same bytes',
            mixNginx,
            { atLeast: 0.8 },
          ),
          ratioFigure(
            '  ceiling: GET /world from bare node:http (one handler, no routing, no policy)',
            worldBare,
            'req/s',
            'nginx 1 worker, same bytes',
            worldNginx,
          ),
          ratioFigure(
            '  ceiling: the GET mix from bare node:http (one handler, no routing, no policy)',
            mixBare,
            'req/s',
            'nginx 1 worker, same bytes',
            mixNginx,
          ),
          ...servingCpuFigures('GET /world', worldCpu),
          ...servingCpuFigures('GET mix', mixCpu),
        );
        notes.push(
          `CPU per request while serving: user + system time of each thread (/proc/<pid>/task) over a wrk run ÷ its requests; the root's V8 worker threads do the concurrent parts of garbage collection (marking, parallel scavenges) and compile in the background, on the core wrk and the other roots share`,
          `GET: wrk -t1 -c${WRK_CONNECTIONS} -d${seconds}s, keep-alive, ${GET_ROUNDS} alternating rounds (the order reversed every other round); the root is one process (its other three roots keep running, idle), nginx 1 worker, the ceiling for any Node server (bench/lib/bare-http.ts: node:http writing the same bytes, read once) its own process; /world is ${readFileSync(join(files, 'world')).length.toLocaleString('en-US')} bytes of JSON`,
        );
      }
    }
    // The larger federation, alone on the machine.
    await stopFederation(members);
    const large = await federationWithMotion(work, ROOTS_LARGE);
    members = large.members;
    await commitLatencies(members, 7, 0, large.ballots);
    figures.push(
      ...latencyFigures(
        `ballots, idle, ${ROOTS_LARGE} roots`,
        await commitLatencies(members, statements / 2, 7, large.ballots),
      ),
    );
    notes.push(
      `${ROOTS} roots (then ${ROOTS_LARGE}), each its own process on 127.0.0.1, founded as \`witan devnet\` does (the devnet policy: the federation key is made by DKG at start); ${statements} statements per run, one at a time, round robin over the roots (${statements / 2} self-updates, ${statements / 2} ballots at ${ROOTS_LARGE} roots)`,
      `ballots: abstentions on one open motion (the world stays as it is); self-updates: each moves the member's HTTP endpoints and commits a new world (the planet and moon stay as they were, so they are not signed again); back to back, they are a burst of world changes: the federation signs one world per ${WORLD_SIGNED_AGE_MAX_MS / 1000} s at once and the newest once it stood still, whose signatures supersede the worlds before it (ledger/LEDGER.md §9.4), instead of one FROST round per world`,
      `world note after a lone world change = a self-update ${WORLD_SIGNED_AGE_MAX_MS / 1000} s after the federation's last world signature, from its world in every root's state to every root serving the world's signed note: one FROST round (JavaScript scalar multiplications on every signer) and the height that commits its signatures`,
      `latency = POST /statements at one root → every root serves a checkpoint with a quorum of cosignatures whose size is past the statement's ledger index (the submitting root asked for the index, then every root for its checkpoint, every ${POLL_MS} ms: figures include up to that much polling delay)`,
      `roots' CPU per statement: user + system time of the root processes (/proc/<pid>/stat) over the run ÷ statements, divided by the machine's cores: the wall time one commit needs even if the roots' work spread perfectly over the cores`,
      `federation line after a commit = from the statement in every root's ledger to every root serving a checkpoint past it with the federation's line; a checkpoint is signed once its tree stood ${CHECKPOINT_SETTLE_MS} ms (src/node/federation/constants.ts), so this is at least that`,
      `under load: wrk -t1 -c${WRK_CONNECTIONS} on alpha's GET /world for the whole run; the machine has ${availableParallelism()} cores for the roots, wrk and the bench`,
      `1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`,
    );
  } finally {
    load?.kill('SIGTERM');
    nginx?.kill('SIGQUIT');
    bare?.child.kill();
    await stopFederation(members);
    rmSync(work, { recursive: true, force: true });
  }
  return {
    id: 'root-commit',
    title: 'Federation: end-to-end commit latency and GET vs nginx (4 and 7 root processes)',
    figures,
    notes,
  };
}
