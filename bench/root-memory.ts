// Where an idle root's memory goes. Four root processes are founded as `witan devnet` does and
// left idle; then, per root (mean of the four): resident set (RSS, the goal ≤ 100 MB), the part
// of it that is clean file pages shared with the other roots (the node binary), the
// proportional set size, and the V8 heap (used, committed, the young generation's share, memory
// outside the heap) from the root's own /metrics. Then what loading the code costs, in a fresh
// process, layer by layer in the order a root loads it: Node itself, the TypeScript type
// stripper (the first .ts module), node:crypto, each third-party stack, and the project's own
// modules.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchMember, startFederation, stopFederation } from './lib/federation.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 4;
const MB = 1_000_000;
const KB = 1000;
/** The goal for an idle root's resident set. */
const IDLE_RSS_GOAL_MB = 100;
const METRICS_TIMEOUT_MS = 5000;

/** What a fresh process loads, in the order a root loads it: [label, specifiers]. */
const LAYERS: readonly (readonly [string, readonly string[]])[] = [
  ['TypeScript type stripping (the first .ts module)', ['./src/base/index.ts']],
  ['node:crypto and the project crypto (Ed25519, ML-DSA)', ['./src/crypto/index.ts']],
  ['pino (logging)', ['pino']],
  ['prom-client (metrics)', ['prom-client']],
  ['fastify (HTTP)', ['fastify']],
  ['level (LevelDB)', ['level']],
  [
    'libp2p and its services (gossipsub, relay, noise, yamux, identify, …)',
    [
      'libp2p',
      '@libp2p/tcp',
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
  ['the project: api, governance, ledger, consensus, node', ['./src/node/root.ts', './src/cli/start.ts']],
];

/** Imports LAYERS in a fresh process; per layer the growth of RSS and of the used heap, bytes. */
function loadCosts(): { base: { rss: number; heap: number }; layers: { rss: number; heap: number }[] } {
  const script = `
    const measure = () => { gc(); gc(); const u = process.memoryUsage(); return { rss: u.rss, heap: u.heapUsed }; };
    const layers = ${JSON.stringify(LAYERS.map(([, specs]) => specs))};
    const base = measure();
    let prev = base;
    const out = [];
    for (const specs of layers) {
      for (const s of specs) await import(s);
      const now = measure();
      out.push({ rss: now.rss - prev.rss, heap: now.heap - prev.heap });
      prev = now;
    }
    console.log(JSON.stringify({ base, layers: out }));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`loading the modules failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

type Sample = {
  rss: number;
  pss: number;
  sharedClean: number;
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

async function sample(m: BenchMember): Promise<Sample> {
  const pid = m.root!.child.pid!;
  const smaps = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const res = await fetch(`http://127.0.0.1:${m.operatorPort}/metrics`, {
    signal: AbortSignal.timeout(METRICS_TIMEOUT_MS),
  });
  const metrics = await res.text();
  return {
    rss: kbField(smaps, 'Rss'),
    pss: kbField(smaps, 'Pss'),
    sharedClean: kbField(smaps, 'Shared_Clean'),
    heapUsed: metric(metrics, 'nodejs_heap_size_used_bytes'),
    heapTotal: metric(metrics, 'nodejs_heap_size_total_bytes'),
    newSpace: metric(metrics, 'nodejs_heap_space_size_total_bytes{space="new"}'),
    external: metric(metrics, 'nodejs_external_memory_bytes'),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(options: BenchOptions): Promise<BenchResult> {
  const idleSeconds = options.quick ? 10 : 30;
  const loadAverage = loadavg()[0]!;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-memory-'));
  let members: BenchMember[] = [];
  const figures: Figure[] = [];
  try {
    members = await startFederation(work, ROOTS);
    await sleep(idleSeconds * 1000);
    const samples = await Promise.all(members.map(sample));
    const avg = (k: keyof Sample) => mean(samples.map((s) => s[k])) / MB;
    figures.push(
      ratioFigure('idle root resident set (RSS), mean of 4', avg('rss'), 'MB', 'goal', IDLE_RSS_GOAL_MB, {
        atMost: 1,
      }),
      {
        name: '  of which clean file pages shared by the roots (node binary)',
        value: avg('sharedClean'),
        unit: 'MB',
      },
      { name: '  proportional set size (shared pages split among processes)', value: avg('pss'), unit: 'MB' },
      { name: '  V8 heap committed', value: avg('heapTotal'), unit: 'MB' },
      { name: '    of which the young generation (semi-spaces)', value: avg('newSpace'), unit: 'MB' },
      { name: '    of which in use (live and not yet collected)', value: avg('heapUsed'), unit: 'MB' },
      { name: '  outside the V8 heap (buffers, wasm)', value: avg('external'), unit: 'MB' },
    );
    const load = loadCosts();
    figures.push({
      name: 'a fresh Node process, before any module',
      value: load.base.rss / MB,
      unit: 'MB RSS',
    });
    LAYERS.forEach(([label], i) => {
      const l = load.layers[i]!;
      figures.push(
        { name: `loading ${label}`, value: l.rss / MB, unit: 'MB RSS' },
        { name: '  of which V8 heap in use', value: l.heap / MB, unit: 'MB' },
      );
    });
  } finally {
    await stopFederation(members);
    rmSync(work, { recursive: true, force: true });
  }
  return {
    id: 'root-memory',
    title: 'Idle root: where the resident memory goes (4 root processes)',
    figures,
    notes: [
      `load average (1 min) of the machine when the run began: ${loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
      `${ROOTS} roots, each its own process on 127.0.0.1, founded as \`witan devnet\` does, idle for ${idleSeconds} s after the genesis commit; RSS, Pss and shared pages from /proc/<pid>/smaps_rollup, heap figures from each root's /metrics`,
      'loading: a fresh process imports each layer in turn, after two forced garbage collections; RSS grows by the compiled code, the source text V8 keeps for lazy compilation, and what each library allocates when loaded',
    ],
  };
}
