// Consensus benchmarks:
// 1. Commit latency in the simulator with a fixed link delay d, for N = 4, 7, 16, 31: the time from
//    a statement's submission to its commit at the last root, in virtual time (three message delays
//    is the protocol's floor) plus the CPU time one root spends per height, measured in this run
//    with every message verified by every root (no cross-root memo). Goal: p50 ≤ 3d + 5 ms.
// 2. Statements committed per second with 4 validators, each value a batch of Ed25519-signed
//    statements that every root verifies before it prevotes, against node:crypto Ed25519
//    verifications per second measured in the same run. The four roots share this process, so
//    throughput is normalised per root (× 4). Goal: ≥ 0.5 of the verification rate.

import { canonicalBytes, decodeCanonical, fromBase64, toBase64 } from '../src/codec/index.ts';
import {
  type App,
  ConsensusDriver,
  type Decision,
  MemoryWal,
  nodeKeySigner,
  type Transport,
  type Validator,
} from '../src/consensus/index.ts';
import { keyPairFromSeed, sign, verifySignature } from '../src/crypto/index.ts';
import { basePlan, runSimulation } from '../src/sim/index.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const LINK_DELAY_MS = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function latency(n: number, heights: number): { p50: number; p99: number; cpuPerRootMs: number } {
  const plan = basePlan(n * 1000 + heights, n);
  plan.delay = { minMs: LINK_DELAY_MS, maxMs: LINK_DELAY_MS, tailMs: 0 };
  // One statement every 500 virtual ms: each height runs alone (idle between), as in a quiet federation.
  plan.statements = Array.from({ length: heights }, (_, i) => ({ atMs: i * 500, count: 1 }));
  plan.gstMs = 0;
  plan.livenessMs = heights * 500 + 10_000;
  plan.verifyEveryMessage = true;
  const r = runSimulation(plan);
  if (r.violations.length > 0) throw new Error(`latency run had violations: ${JSON.stringify(r.violations)}`);
  // Time inside the core's step (verify, count, sign) — not the simulator's bookkeeping — per root
  // per height. All of a root's messages count, not only the quorum on the critical path.
  const cpuPerRootMs = r.stepMs / heights / n;
  const sorted = r.commitLatenciesMs.map((ms) => ms + cpuPerRootMs).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpuPerRootMs };
}

/** Ed25519 verifications per second through THE verification function (node:crypto). */
function verifyRate(ms: number): number {
  const kp = keyPairFromSeed(new Uint8Array(32).fill(9));
  const msgs = Array.from({ length: 256 }, (_, i) => canonicalBytes({ statement: i, pad: 'x'.repeat(200) }));
  const sigs = msgs.map((m) => sign(kp.secretKey, m));
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < msgs.length; i++) if (verifySignature(kp.publicKey, msgs[i]!, sigs[i]!)) ops++;
  }
  return (ops * 1000) / (performance.now() - start);
}

interface Statement {
  key: string;
  body: string;
  sig: string;
}

/** An app whose values are batches of signed statements, each verified once per root. */
class SignedBatchApp implements App {
  readonly decided: Decision[] = [];
  readonly validators: Validator[];
  readonly pool: Statement[];
  readonly batch: number;
  committed = 0;
  stopped = false;

  constructor(validators: Validator[], pool: Statement[], batch: number) {
    this.validators = validators;
    this.pool = pool;
    this.batch = batch;
  }

  isValid(height: number, value: Uint8Array): boolean {
    const x = decodeCanonical(value, { bytesMax: 8 * 1024 * 1024 }) as unknown as {
      height: number;
      statements: Statement[];
    };
    if (x.height !== height) return false;
    for (const s of x.statements) {
      if (!verifySignature(fromBase64(s.key, 32), fromBase64(s.body), fromBase64(s.sig, 64))) return false;
    }
    return true;
  }

  proposeValue(height: number): Uint8Array | undefined {
    if (this.stopped) return undefined;
    const first = (height * this.batch) % this.pool.length;
    const statements = Array.from(
      { length: this.batch },
      (_, i) => this.pool[(first + i) % this.pool.length]!,
    );
    return canonicalBytes({ height, statements } as never);
  }

  async onDecision(d: Decision): Promise<void> {
    this.decided.push(d);
    this.committed += this.batch;
  }

  validatorsFor(): Validator[] {
    return this.validators;
  }

  nextHeight(): number {
    return this.decided.length + 1;
  }
}

async function throughput(ms: number, batch: number): Promise<number> {
  const keys = Array.from({ length: 4 }, (_, i) => keyPairFromSeed(new Uint8Array(32).fill(40 + i)));
  const validators = keys.map((k) => ({ id: toBase64(k.publicKey), publicKey: k.publicKey }));
  const author = keyPairFromSeed(new Uint8Array(32).fill(77));
  const pool: Statement[] = Array.from({ length: batch * 4 }, (_, i) => {
    const body = canonicalBytes({ kind: 'ballot', n: i, pad: 'x'.repeat(200) });
    return {
      key: toBase64(author.publicKey),
      body: toBase64(body),
      sig: toBase64(sign(author.secretKey, body)),
    };
  });
  const handlers = new Map<number, (b: Uint8Array) => void>();
  const apps = keys.map(() => new SignedBatchApp(validators, pool, batch));
  const drivers: ConsensusDriver[] = [];
  for (let i = 0; i < 4; i++) {
    const transport: Transport = {
      broadcast: (bytes) => {
        for (const [j, h] of handlers) if (j !== i) setImmediate(() => h(bytes));
      },
      onMessage: (cb) => {
        handlers.set(i, cb);
      },
    };
    drivers.push(
      await ConsensusDriver.start({
        config: {
          federation: 'bench.witan.test',
          self: validators[i]!.id,
          signer: nodeKeySigner(keys[i]!.secretKey),
          timeouts: { proposeMs: 2000, prevoteMs: 1000, precommitMs: 1000, deltaMs: 500 },
        },
        wal: new MemoryWal(),
        transport,
        app: apps[i]!,
        resendMs: 0,
      }),
    );
  }
  const committed = (): number => Math.min(...apps.map((a) => a.committed));
  const wait = async (cond: () => boolean, limitMs: number): Promise<void> => {
    const end = performance.now() + limitMs;
    while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
  };
  await wait(() => committed() >= batch, 60_000); // warm-up: the first height
  const startCount = committed();
  const start = performance.now();
  await wait(() => performance.now() - start >= ms && committed() > startCount, ms * 10);
  const count = committed() - startCount;
  const elapsed = performance.now() - start;
  for (const a of apps) a.stopped = true;
  for (const d of drivers) await d.stop();
  return (count * 1000) / elapsed;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  const target = 3 * LINK_DELAY_MS + 5;
  for (const n of [4, 7, 16, 31]) {
    const heights = options.quick ? 10 : n >= 16 ? 30 : 100;
    const r = latency(n, heights);
    figures.push(
      ratioFigure(`commit latency p50, N = ${n}, d = ${LINK_DELAY_MS} ms`, r.p50, 'ms', '3d + 5 ms', target, {
        atMost: 1,
      }),
      ratioFigure(`commit latency p99, N = ${n}`, r.p99, 'ms', '3d + 5 ms', target),
    );
    notes.push(
      `N = ${n}: ${heights} heights; CPU per root per height ${r.cpuPerRootMs.toFixed(2)} ms (added to the virtual latency).`,
    );
  }
  const ms = options.quick ? 1500 : 5000;
  const verify = verifyRate(options.quick ? 500 : 2000);
  const batch = 500;
  const perProcess = await throughput(ms, batch);
  figures.push(
    ratioFigure(
      `statements committed/s per root, 4 validators, batch ${batch}`,
      perProcess * 4,
      'statements/s',
      'Ed25519 verifications/s (node:crypto)',
      verify,
      { atLeast: 0.5 },
    ),
  );
  notes.push(
    `Throughput: four roots share one process here, so the measured ${Math.round(perProcess)} statements/s is multiplied by 4 (each root on its own core); every root verifies every statement signature once before it prevotes.`,
    'Latency is virtual time from the simulator (fixed link delay, no loss) plus the measured CPU inside the core per root per height (every message verified by every root; all messages counted, not only the quorum on the critical path); the protocol floor is 3d (proposal, prevotes, precommits).',
  );
  return { id: 'consensus', title: 'Consensus: commit latency and throughput', figures, notes };
}
