// Where an idle root's memory goes. Four root processes are founded as `witan devnet` does and
// left idle; then, per root (mean of the four): resident set (RSS, the goal ≤ 100 MB), the part
// of it that is clean file pages shared with the other roots (the node binary), the anonymous
// part no other process shares, the proportional set size, and the V8 heap (used, committed,
// the young generation's share, memory outside the heap) from the root's own /metrics. Beside
// them, the CPU an idle root spends per second over the end of its idle time: a root at rest
// should cost next to nothing, and a loop that wakes too often shows here first; and the bytes
// it writes per second (to its peers, its log and its disk), where a write repeated at rest
// shows.
//
// Measured five ways: the bundle a release and the container image run (dist/bundle/, built
// here as `npm run build` does) under the Node flags and environment every root is started with
// (ROOT_NODE_FLAGS, ROOT_ENV) — the figure the goal is about; the same without those flags (V8's
// default young generation) and without that environment (glibc's default malloc arenas), which
// is what each is for; the compiled JavaScript before bundling
// (dist/, one module per source file), which is what the bundle is for; and the TypeScript
// sources a checkout's `witan devnet` runs (Node strips the types as it loads them).
//
// Then what loading the code costs, in a fresh process, layer by layer in the order a root
// loads it: Node itself, node:crypto and the project crypto, each third-party stack, and the
// project's own modules (compiled, one module per file, under the root flags); the same code
// loaded from the bundle at once; and what type stripping adds when a process runs the sources.
//
// Last, the floor running (bench/lib/stack-floor.ts): four processes that start what a root
// starts around its own work — the libp2p host with its services, connected to the others, both
// HTTP servers, the LevelDB stores, metrics and logging — bundled and launched as the roots are,
// and left idle as long. Whatever they hold, any root on this stack holds; the idle root against
// it is what the root's own work costs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUNDLE_DIR, bundle } from '../scripts/bundle.ts';
import { ROOT_ENV, ROOT_NODE_FLAGS, rootEnvironment } from '../src/cli/constants.ts';
import { MAIN_SCRIPT } from '../src/cli/root-processes.ts';
import { ML_DSA_RESHARE_MS } from '../src/node/cosignature-book.ts';
import { COMMITMENTS_ANNOUNCE_MS } from '../src/node/federation/constants.ts';
import { COSIGN_REFRESH_MS } from '../src/node/root.ts';
import { type BenchMember, type RootLaunch, startFederation, stopFederation } from './lib/federation.ts';
import { type BenchResult, type Figure, processCpuMs, processWrites, ratioFigure } from './lib/harness.ts';
import { startStackFloor } from './lib/stack-floor.ts';
import type { BenchOptions } from './run.ts';

const REPO = join(import.meta.dirname, '..');
const DIST = join(REPO, 'dist');
const ROOTS = 4;
const MB = 1_000_000;
const KB = 1000;
/** The goal for an idle root's resident set. */
const IDLE_RSS_GOAL_MB = 100;
const METRICS_TIMEOUT_MS = 5000;
/** How long the roots are left to settle after the genesis commit before the rates are read. */
const SETTLE_S = 20;
/**
 * Idle CPU and writes are read over this window: the longest period of what a root at rest
 * sends again and again (cosignature refreshes, ML-DSA-44 lines, nonce commitments), so a rate
 * never depends on whether one of those fell in the window.
 */
const RATE_WINDOW_S = Math.max(COSIGN_REFRESH_MS, ML_DSA_RESHARE_MS, COMMITMENTS_ANNOUNCE_MS) / 1000;
/** Quick runs: settle and window shortened alike. */
const QUICK_SETTLE_S = 5;
const QUICK_RATE_WINDOW_S = 5;
/** tsc over the whole source tree, on a shared machine. */
const BUILD_TIMEOUT_MS = 300_000;

/** What a fresh process loads, in the order a root loads it: [label, specifiers of dist/]. */
const LAYERS: readonly (readonly [string, readonly string[]])[] = [
  ['node:crypto and the project crypto (Ed25519, ML-DSA)', [join(DIST, 'crypto', 'index.js')]],
  ['pino (logging)', ['pino']],
  ['prom-client (metrics)', ['prom-client']],
  ['fastify (HTTP)', ['fastify']],
  ['level (LevelDB)', ['level']],
  [
    'libp2p and its services (gossipsub, relay, noise, yamux, identify, …)',
    [
      'libp2p',
      '@libp2p/tcp',
      '@libp2p/websockets',
      '@chainsafe/libp2p-yamux',
      '@chainsafe/libp2p-noise',
      '@libp2p/gossipsub',
      '@libp2p/circuit-relay-v2',
      '@libp2p/identify',
      '@libp2p/autonat',
      '@libp2p/dcutr',
      '@libp2p/ping',
      '@libp2p/prometheus-metrics',
    ],
  ],
  [
    'the project: api, governance, ledger, consensus, node',
    [join(DIST, 'node', 'root.js'), join(DIST, 'cli', 'start.js')],
  ],
];

/** Builds dist/ and dist/bundle/ from the sources, as `npm run build` does. */
async function buildCompiled(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`building dist/ failed: ${r.stdout}${r.stderr}`);
  await bundle();
}

/** The bundle's chunk for `witan start`: the root's code and every library it loads. */
function bundledStartChunk(): string {
  const chunk = readdirSync(BUNDLE_DIR).find((f) => /^start-[A-Z0-9]+\.js$/.test(f));
  if (chunk === undefined) throw new Error(`no start-*.js chunk in ${BUNDLE_DIR}`);
  return join(BUNDLE_DIR, chunk);
}

type Growth = { rss: number; anonymous: number; heap: number };

/**
 * Imports each group of specifiers in turn in a fresh process started with `flags`, after two
 * forced garbage collections each time; the process's own RSS, anonymous memory and used heap
 * first, then the growth of each per group, bytes.
 */
function loadCosts(flags: readonly string[], groups: readonly (readonly string[])[]): Growth[] {
  const script = `
    const { readFileSync } = await import('node:fs');
    const anonymous = () => Number(/^Anonymous:\\s+(\\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]) * 1000;
    const measure = () => { gc(); gc(); const u = process.memoryUsage(); return { rss: u.rss, anonymous: anonymous(), heap: u.heapUsed }; };
    const groups = ${JSON.stringify(groups)};
    const base = measure();
    let prev = base;
    const out = [base];
    for (const specs of groups) {
      for (const s of specs) await import(s);
      const now = measure();
      out.push({ rss: now.rss - prev.rss, anonymous: now.anonymous - prev.anonymous, heap: now.heap - prev.heap });
      prev = now;
    }
    console.log(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, [...flags, '--expose-gc', '--input-type=module', '-e', script], {
    cwd: REPO,
    encoding: 'utf8',
    env: rootEnvironment(),
  });
  if (r.status !== 0) throw new Error(`loading the modules failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

type Sample = {
  rss: number;
  pss: number;
  sharedClean: number;
  anonymous: number;
  heapUsed: number;
  heapTotal: number;
  newSpace: number;
  external: number;
};

function kbField(text: string, field: string): number {
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (m === null) throw new Error(`no ${field} in /proc`);
  return Number(m[1]) * KB;
}

function metric(text: string, name: string): number {
  const m = text.match(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)`, 'm'));
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

type Resident = Pick<Sample, 'rss' | 'pss' | 'sharedClean' | 'anonymous'>;

/** A process's resident memory from /proc, bytes. */
function residentOf(pid: number): Resident {
  const smaps = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return {
    rss: kbField(smaps, 'Rss'),
    pss: kbField(smaps, 'Pss'),
    sharedClean: kbField(smaps, 'Shared_Clean'),
    anonymous: kbField(smaps, 'Anonymous'),
  };
}

async function sample(m: BenchMember): Promise<Sample> {
  const res = await fetch(`http://127.0.0.1:${m.operatorPort}/metrics`, {
    signal: AbortSignal.timeout(METRICS_TIMEOUT_MS),
  });
  const metrics = await res.text();
  return {
    ...residentOf(m.root!.child.pid!),
    heapUsed: metric(metrics, 'nodejs_heap_size_used_bytes'),
    heapTotal: metric(metrics, 'nodejs_heap_size_total_bytes'),
    newSpace: metric(metrics, 'nodejs_heap_space_size_total_bytes{space="new"}'),
    external: metric(metrics, 'nodejs_external_memory_bytes'),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Each key's mean over the samples, MB. */
function meanMb<T extends Record<string, number>>(samples: T[]): T {
  const keys = Object.keys(samples[0]!) as (keyof T)[];
  return Object.fromEntries(keys.map((k) => [k, mean(samples.map((s) => s[k] as number)) / MB])) as T;
}

/** How long processes are left to settle at rest, then the window their rates are read over. */
type IdleTime = { settleS: number; windowS: number };

/** What an idle process spends per second over the end of its idle time, mean of the processes. */
type IdleRates = { cpuMsPerS: number; writtenKbPerS: number; diskKbPerS: number };

/**
 * Leaves the processes idle for the settle time, then returns, mean per process over the
 * window: CPU (user + system, every thread), bytes written by any means (sockets, logs, files)
 * and bytes sent to disk.
 */
async function idleRates(pids: number[], idle: IdleTime): Promise<IdleRates> {
  await sleep(idle.settleS * 1000);
  const cpu = () => pids.map(processCpuMs);
  const writes = () => pids.map(processWrites);
  const [cpuBefore, writesBefore] = [cpu(), writes()];
  const from = performance.now();
  await sleep(idle.windowS * 1000);
  const [cpuAfter, writesAfter] = [cpu(), writes()];
  const seconds = (performance.now() - from) / 1000;
  const perSecond = (spent: number[]) => mean(spent) / seconds;
  return {
    cpuMsPerS: perSecond(cpuAfter.map((ms, i) => ms - cpuBefore[i]!)),
    writtenKbPerS: perSecond(writesAfter.map((w, i) => w.all - writesBefore[i]!.all)) / KB,
    diskKbPerS: perSecond(writesAfter.map((w, i) => w.disk - writesBefore[i]!.disk)) / KB,
  };
}

/** Founds a federation launched as `launch`, leaves it idle; the mean sample, MB, and its rates. */
async function idleRoots(launch: RootLaunch, idle: IdleTime): Promise<Sample & IdleRates> {
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-memory-'));
  let members: BenchMember[] = [];
  try {
    members = await startFederation(work, ROOTS, undefined, launch);
    const rates = await idleRates(
      members.map((m) => m.root!.child.pid!),
      idle,
    );
    return { ...meanMb(await Promise.all(members.map(sample))), ...rates };
  } finally {
    await stopFederation(members);
    rmSync(work, { recursive: true, force: true });
  }
}

/** The stack's floor (bench/lib/stack-floor.ts), idle as long as the roots: mean, MB, and its rates. */
async function idleStackFloor(idle: IdleTime): Promise<Resident & IdleRates> {
  const floor = await startStackFloor(ROOTS);
  try {
    const pids = floor.processes.map((p) => p.pid);
    const rates = await idleRates(pids, idle);
    return { ...meanMb(pids.map(residentOf)), ...rates };
  } finally {
    await floor.stop();
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const rates: IdleTime = options.quick
    ? { settleS: QUICK_SETTLE_S, windowS: QUICK_RATE_WINDOW_S }
    : { settleS: SETTLE_S, windowS: RATE_WINDOW_S };
  // Every launch idles as long, so their memory is compared at the same age.
  const idleSeconds = rates.settleS + rates.windowS;
  const loadAverage = loadavg()[0]!;
  await buildCompiled();
  const bundledMain = join(BUNDLE_DIR, 'main.js');
  const compiled = await idleRoots({ script: bundledMain, nodeFlags: ROOT_NODE_FLAGS }, rates);
  const defaultYoung = await idleRoots({ script: bundledMain, nodeFlags: [] }, rates);
  const unsetEnv = Object.fromEntries(Object.keys(ROOT_ENV).map((k) => [k, undefined]));
  const defaultArenas = await idleRoots(
    { script: bundledMain, nodeFlags: ROOT_NODE_FLAGS, env: unsetEnv },
    rates,
  );
  const unbundled = await idleRoots(
    { script: join(DIST, 'cli', 'main.js'), nodeFlags: ROOT_NODE_FLAGS },
    rates,
  );
  const sources = await idleRoots({ script: MAIN_SCRIPT, nodeFlags: ROOT_NODE_FLAGS }, rates);
  const stack = await idleStackFloor(rates);
  const flags = ROOT_NODE_FLAGS.join(' ');
  const rootEnv = Object.entries(ROOT_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  /** Another launch's idle RSS against the bundle's under the root flags, and its anonymous part. */
  const againstBundle = (name: string, other: typeof compiled, baseline: string): Figure[] => [
    ratioFigure(name, other.rss, 'MB', baseline, compiled.rss),
    { name: '  of which anonymous memory', value: other.anonymous, unit: 'MB' },
  ];
  const figures: Figure[] = [
    ratioFigure(
      'idle root resident set (RSS), the bundle a release runs, mean of 4',
      compiled.rss,
      'MB',
      'goal',
      IDLE_RSS_GOAL_MB,
      { atMost: 1 },
    ),
    {
      name: '  of which clean file pages shared by the roots (node binary)',
      value: compiled.sharedClean,
      unit: 'MB',
    },
    {
      name: '  of which anonymous memory (heaps, stacks: shared with no other process)',
      value: compiled.anonymous,
      unit: 'MB',
    },
    { name: '  proportional set size (shared pages split among processes)', value: compiled.pss, unit: 'MB' },
    { name: '  V8 heap committed', value: compiled.heapTotal, unit: 'MB' },
    { name: '    of which the young generation (semi-spaces)', value: compiled.newSpace, unit: 'MB' },
    { name: '    of which in use (live and not yet collected)', value: compiled.heapUsed, unit: 'MB' },
    { name: '  outside the V8 heap (buffers, wasm)', value: compiled.external, unit: 'MB' },
    {
      name: `idle root CPU (user + system, every thread), mean of 4, over ${rates.windowS} s after ${rates.settleS} s idle`,
      value: compiled.cpuMsPerS,
      unit: 'ms/s',
    },
    {
      name: '  bytes an idle root writes (sockets, logs and files), mean of 4, same window',
      value: compiled.writtenKbPerS,
      unit: 'KB/s',
    },
    { name: '    of which sent to disk', value: compiled.diskKbPerS, unit: 'KB/s' },
    ...againstBundle(
      `idle root RSS without ${flags} (V8's default young generation)`,
      defaultYoung,
      'the same with the root flags',
    ),
    ...againstBundle(
      `idle root RSS without ${rootEnv} (glibc's default malloc arenas)`,
      defaultArenas,
      'the same with the root environment',
    ),
    ...againstBundle(
      'idle root RSS from the compiled JavaScript before bundling (dist/, a module per file)',
      unbundled,
      'the bundle',
    ),
    { name: '  proportional set size', value: unbundled.pss, unit: 'MB' },
    ...againstBundle(
      "idle root RSS from the TypeScript sources (a checkout's witan devnet)",
      sources,
      'the bundle',
    ),
  ];
  const [base, ...layers] = loadCosts(
    ROOT_NODE_FLAGS,
    LAYERS.map(([, specs]) => specs),
  );
  figures.push(
    { name: 'a fresh Node process, before any module', value: base!.rss / MB, unit: 'MB RSS' },
    { name: '  of which anonymous memory', value: base!.anonymous / MB, unit: 'MB' },
  );
  LAYERS.forEach(([label], i) => {
    const l = layers[i]!;
    figures.push(
      { name: `loading ${label}`, value: l.rss / MB, unit: 'MB RSS' },
      { name: '  of which anonymous memory', value: l.anonymous / MB, unit: 'MB' },
      { name: '  of which V8 heap in use', value: l.heap / MB, unit: 'MB' },
    );
  });
  // The floor under any root: Node and every library loaded, no host, store or state yet.
  const loadedRss = layers.reduce((sum, l) => sum + l.rss, base!.rss) / MB;
  const [bundledBase, bundled] = loadCosts(ROOT_NODE_FLAGS, [[bundledStartChunk()]]);
  figures.push(
    ratioFigure(
      'the floor: a fresh Node process with every layer loaded, nothing started',
      loadedRss,
      'MB RSS',
      'goal',
      IDLE_RSS_GOAL_MB,
    ),
    ratioFigure(
      'the floor from the bundle: the same code loaded from dist/bundle/, nothing started',
      (bundledBase!.rss + bundled!.rss) / MB,
      'MB RSS',
      'goal',
      IDLE_RSS_GOAL_MB,
    ),
    { name: '  of which V8 heap in use by the loaded code', value: bundled!.heap / MB, unit: 'MB' },
    ratioFigure(
      "the floor running: a root's libraries and shell, started and connected, none of its work, mean of 4",
      stack.rss,
      'MB RSS',
      'goal',
      IDLE_RSS_GOAL_MB,
    ),
    { name: '  of which anonymous memory', value: stack.anonymous, unit: 'MB' },
    {
      name: '  its idle CPU (user + system, every thread), same window as the roots',
      value: stack.cpuMsPerS,
      unit: 'ms/s',
    },
    ratioFigure('  the idle root against it', compiled.rss, 'MB RSS', 'the floor running', stack.rss),
  );
  const [, stripping] = loadCosts(ROOT_NODE_FLAGS, [['./src/base/index.ts']]);
  figures.push(
    {
      name: 'type stripping, sources only (loading the first .ts module)',
      value: stripping!.rss / MB,
      unit: 'MB RSS',
    },
    { name: '  of which anonymous memory', value: stripping!.anonymous / MB, unit: 'MB' },
    { name: '  of which V8 heap in use', value: stripping!.heap / MB, unit: 'MB' },
  );
  return {
    id: 'root-memory',
    title: 'Idle root: where the resident memory goes (4 root processes)',
    figures,
    notes: [
      `load average (1 min) of the machine when the run began: ${loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
      `${ROOTS} roots, each its own process on 127.0.0.1, founded as \`witan devnet\` does, idle for ${idleSeconds} s after the genesis commit; RSS, Pss, shared and anonymous pages from /proc/<pid>/smaps_rollup, heap figures from each root's /metrics; idle CPU: user + system time from /proc/<pid>/stat over the last ${rates.windowS} s of the idle time; bytes written: wchar (every write syscall) and write_bytes (sent to storage) from /proc/<pid>/io over the same window`,
      `the bundle: dist/bundle/main.js built as \`npm run build\` does (scripts/bundle.ts), started with the root flags (${flags}) and environment (${rootEnv}, src/cli/constants.ts) as a release's launcher (/opt/witan/bin/witan) and the container image start it; without the flags, V8 grows the young generation to two 64 MiB semi-spaces while a root starts and keeps the pages resident after it shrinks again; without the environment, glibc gives the root's threads (V8's workers, libuv's pool) malloc arenas of their own, each keeping what its thread freed`,
      'loading: a fresh process (root flags and environment, compiled JavaScript one module per file) imports each layer in turn, after two forced garbage collections; RSS grows by the compiled code, the source text V8 keeps for lazy compilation, and what each library allocates when loaded; from the bundle, a fresh process imports the chunk of `witan start` (and the chunks it imports) instead',
      "the floor running: bench/lib/stack-floor-process.ts, bundled as the release is and started with the root flags and environment, 4 processes connected to each other: the libp2p host with every service a root offers (relay, rendezvous, AutoNAT, DCUtR, identify, ping, gossip on the federation's topics, direct streams), both HTTP servers (the public one with its OpenAPI UI; health, readiness and metrics on the operator's), the two LevelDB stores, Node's default metrics, the logger; without the root's state, consensus, ledger, cosignatures, federation key or public routes; idle as long as the roots, measured alike",
      'the bundle against dist/: V8 keeps a record and the whole source text of every module it loaded (≈ 1,100 from dist/ and node_modules, comments included, two bytes per character in any file holding one non-ASCII character); the bundle is a few dozen files, without comments or whitespace, in ASCII',
    ],
  };
}
