// `npm run bench -- audit`: the outside audit of a synthetic ledger:
// 1,000,000 entries (--quick: 20,000) produced by the real rules engine — 7 founders, open
// motions and a steady stream of signed ballots, 255 statements per batch — stored in a
// LedgerStore, served by tlogRoutes on 127.0.0.1 from another process (as roots serve from
// their own machines), then audited from genesis by auditLedger with governance replay and the
// worker pool. Figures: entries verified per second against the machine's Ed25519 verification
// limit × cores — the same worker pool verifying signatures and nothing else, measured before
// and after the audit (goal ≥ 0.7) —, the total audit time (goal < 5 minutes on 2 cores), the
// CPU the audit spends per entry against the CPU of one verification (what the ratio would be
// with the cores to itself, whatever else the machine runs), and the same audit with three
// roots serving the ledger, every root's tiles and bundles compared (all bundles up to 1,024 of
// them, a sample above), against the one-root time.
// `node bench/audit.ts --child <dir> <roots>` is the serving process.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { tlogRoutes } from '../src/api/tlog-routes.ts';
import { auditLedger } from '../src/audit/audit.ts';
import { governanceRules } from '../src/audit/replay.ts';
import { type SignatureCheck, VerifyPool } from '../src/audit/verify-pool.ts';
import { toBase64, utf8Bytes } from '../src/codec/index.ts';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  keyPairFromSeed,
  sha256,
  sign,
  signNote,
  verifySignature,
} from '../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  ballot,
  DEFAULT_POLICY,
  encodeEntry,
  executeBatch,
  type GovernanceState,
  genesisState,
  type MemberDescriptor,
  motion,
  type SignedStatement,
  signCandidate,
  signGenesis,
  signStatement,
  statementId,
} from '../src/governance/index.ts';
import { formatCheckpoint } from '../src/ledger/index.ts';
import { LedgerStore } from '../src/ledger/store.ts';
import { HttpClient } from '../src/net/index.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const FEDERATION = 'bench.witan.test';
const T0 = 1_700_000_000_000;
const NAMES = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'];
const JURISDICTIONS = ['DE', 'FR', 'NL', 'SE', 'CH', 'JP', 'BR'];
const PER_BATCH = 255;
const HOUR_MS = 3_600_000;
/** A round of motions lives 14 days (policy motionTtlMs); open the next one after 10 days. */
const MOTION_ROUND_BATCHES = 240;
/** Roots serving the ledger in the second audit. */
const ROOTS = 3;

const keys = (name: string, role: string) =>
  keyPairFromSeed(sha256(utf8Bytes(`witan-bench/${name}/${role}`)));

function descriptor(name: string, jurisdiction: string): MemberDescriptor {
  return {
    name,
    organisation: `Org ${name}`,
    jurisdiction,
    nodeKey: toBase64(keys(name, 'node').publicKey),
    governanceKey: toBase64(keys(name, 'gov').publicKey),
    endpoints: { p2p: [`/dns4/${name}.example.org/tcp/4001`], http: [`https://${name}.example.org/`] },
  };
}

/** Entries appended to the store at once while the ledger is built. */
const STORE_CHUNK_ENTRIES = 16_384;

/** The genesis of the bench federation: 7 founders, each with its own jurisdiction. */
export function benchGenesis(): ReturnType<typeof assembleGenesis> {
  const founders = NAMES.map((n, i) => descriptor(n, JURISDICTIONS[i]!));
  const world = assembleGenesisWorld(FEDERATION, founders, DEFAULT_POLICY);
  return assembleGenesis(
    world,
    founders.map((f) => signGenesis(world, f.name, keys(f.name, 'gov').secretKey)),
  );
}

/**
 * Executes batches with the real rules until the ledger holds `target` entries, appending them
 * to `store` as it goes (the bench process does not keep the ledger in memory).
 */
async function buildLedger(
  target: number,
  store: LedgerStore,
): Promise<{ genesis: ReturnType<typeof assembleGenesis>; size: number }> {
  const genesis = benchGenesis();
  let entries: Uint8Array[] = [encodeEntry({ kind: 'genesis', genesis })];
  let size = 0;
  const flush = async () => {
    await store.append(entries);
    size += entries.length;
    entries = [];
  };
  let state: GovernanceState = genesisState(genesis);
  const gov = new Map(NAMES.map((n) => [n, keys(n, 'gov').secretKey]));
  const run = (statements: SignedStatement[], timeMs: number) => {
    // The bench signed every statement itself a moment ago: building trusts its own signatures
    // (the audit below verifies every one of them, on the worker pool).
    const r = executeBatch(
      state,
      { height: state.height + 1, timeMs, proposer: NAMES[0]!, statements },
      { verify: () => true },
    );
    state = r.state;
    entries.push(...r.entries);
    return r;
  };
  // Each founder moves one admission that nobody approves; every MOTION_ROUND_BATCHES batches
  // (one an hour) a new round of motions opens, and the old ones expire at their deadline.
  // Members keep re-casting 'no' / 'abstain' ballots on the current round.
  const openRound = (round: number, timeMs: number): string[] => {
    const motions = NAMES.map((author, i) => {
      const candidate = descriptor(`x${round}-${i}`, 'US');
      const sigs = signCandidate(
        FEDERATION,
        candidate,
        keys(candidate.name, 'gov').secretKey,
        keys(candidate.name, 'node').secretKey,
      );
      return signStatement(
        motion(state, author, [{ type: 'admit', candidate, candidateSignatures: sigs }], timeMs),
        gov.get(author)!,
      );
    });
    run(motions, timeMs);
    return motions.map(statementId);
  };
  let timeMs = T0;
  let ids = openRound(0, timeMs);
  let turn = 0;
  let batches = 0;
  while (size + entries.length < target) {
    if (entries.length >= STORE_CHUNK_ENTRIES) await flush();
    timeMs += HOUR_MS;
    if (++batches % MOTION_ROUND_BATCHES === 0) {
      ids = openRound(batches / MOTION_ROUND_BATCHES, timeMs);
      continue;
    }
    const statements: SignedStatement[] = [];
    for (let k = 0; k < PER_BATCH && size + entries.length + statements.length + 1 < target; k++, turn++) {
      const author = NAMES[turn % NAMES.length]!;
      const id = ids[Math.floor(turn / NAMES.length) % ids.length]!;
      const createdMs = timeMs - 1000 + k; // strictly later than this member's previous ballot
      const choice = turn % 2 === 0 ? 'no' : 'abstain';
      statements.push(signStatement(ballot(FEDERATION, author, id, choice, createdMs), gov.get(author)!));
    }
    const r = run(statements, timeMs);
    if (r.rejected.length > 0)
      throw new Error(`bench ledger: ${r.rejected[0]!.code} ${r.rejected[0]!.message}`);
  }
  await flush();
  return { genesis, size };
}

/** Signatures per second and CPU µs per signature of verifySignature on this thread. */
function ed25519Rate(ms: number): { rate: number; cpuUs: number } {
  const k = keys('rate', 'node');
  const message = new Uint8Array(300).fill(1);
  const signature = sign(k.secretKey, message);
  let n = 0;
  const start = performance.now();
  const cpu = process.threadCpuUsage();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) verifySignature(k.publicKey, message, signature);
    n += 100;
  }
  const used = process.threadCpuUsage(cpu);
  return { rate: (n * 1000) / (performance.now() - start), cpuUs: (used.user + used.system) / n };
}

/** Signatures per second of the worker pool doing nothing but verifySignature, on all its workers. */
async function poolRate(pool: VerifyPool, ms: number): Promise<number> {
  const items: SignatureCheck[] = Array.from({ length: 2048 }, (_, i) => {
    const k = keys(`rate${i % 8}`, 'node');
    const message = new Uint8Array(300).fill(i & 0xff);
    return { publicKey: k.publicKey, message, signature: sign(k.secretKey, message) };
  });
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    const ok = await pool.verify(items);
    if (!ok.every((v) => v)) throw new Error('bench signatures did not verify');
    n += items.length;
  }
  return (n * 1000) / (performance.now() - start);
}

/** The serving process: `roots` fastify servers over the one store; sends their ports. */
async function serve(dir: string, roots: number): Promise<void> {
  const store = await LedgerStore.open(dir, { origin: FEDERATION });
  const ports: number[] = [];
  for (let i = 0; i < roots; i++) {
    const app = Fastify({ logger: false });
    await app.register(tlogRoutes, { store });
    app.get('/world', async () => ({}));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    ports.push(address.port);
  }
  process.send?.({ ports });
}

async function startServer(dir: string, roots: number): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = fork(import.meta.filename, ['--child', dir, String(roots)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (m: { ports: number[] }) => resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`bench audit server exited with ${code}`)));
  });
  return { child, urls: ports.map((p) => `http://127.0.0.1:${p}`) };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  // WITAN_BENCH_AUDIT_ENTRIES overrides the size (for a machine where 1,000,000 does not fit).
  const override = Number(process.env.WITAN_BENCH_AUDIT_ENTRIES ?? '');
  const target =
    Number.isSafeInteger(override) && override >= 1000 ? override : options.quick ? 20_000 : 1_000_000;
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'witan-bench-audit-'));
  const pool = new VerifyPool(cores);
  let server: ChildProcess | undefined;
  try {
    const built = performance.now();
    const store = await LedgerStore.open(dir, { origin: FEDERATION });
    const { genesis, size } = await buildLedger(target, store);
    const buildS = (performance.now() - built) / 1000;
    const nowS = Math.floor(Date.now() / 1000);
    const text = formatCheckpoint({ origin: FEDERATION, size, rootHash: store.rootHash(), extensions: [] });
    const note = signNote(text, [
      ed25519NoteSigner(FEDERATION, keys(NAMES[0]!, 'node').secretKey),
      ...NAMES.map((n) => cosignatureSigner(n, keys(n, 'node').secretKey, nowS)),
    ]);
    await store.saveCheckpoint(size, note);
    await store.close();
    // Several roots serve the same store: what differs between them is the auditor's work.
    const started = await startServer(dir, ROOTS);
    server = started.child;
    const urls = started.urls;
    const single = ed25519Rate(options.quick ? 500 : 2000);
    const baselineMs = options.quick ? 1000 : 4000;
    const audit = async (roots: string[]) => {
      let bytes = 0;
      const cpu = process.cpuUsage();
      const mainCpu = process.threadCpuUsage();
      const t0 = performance.now();
      const result = await auditLedger({
        roots,
        origin: FEDERATION,
        genesisLeafHash: '',
        http: new HttpClient({ onBytes: (n) => (bytes += n) }),
        nowMs: Date.now(),
        rules: () => governanceRules({ genesis, pool }),
      });
      const seconds = (performance.now() - t0) / 1000;
      const all = process.cpuUsage(cpu);
      const main = process.threadCpuUsage(mainCpu);
      const problems = result.violations.filter((v) => v.kind !== 'uncommitted-world');
      const unchecked = result.roots.filter(
        (r) => r.data?.tiles.agree !== true || r.data.bundles.agree !== true,
      );
      if (problems.length > 0 || unchecked.length > 0 || result.tree?.size !== size) {
        throw new Error(`bench audit did not verify: ${JSON.stringify([problems, unchecked]).slice(0, 400)}`);
      }
      return {
        seconds,
        bytes,
        result,
        cpuUsPerEntry: (all.user + all.system) / size,
        mainUsPerEntry: (main.user + main.system) / size,
      };
    };
    // The baseline before and after the audit, so that load from other work falls on both.
    const before = await poolRate(pool, baselineMs);
    const one = await audit(urls.slice(0, 1));
    const after = await poolRate(pool, baselineMs);
    const limit = (before + after) / 2;
    const all = await audit(urls);
    const perSecond = size / one.seconds;
    const others = all.result.roots.slice(1).map((r) => r.data!.bundles);
    const figures: Figure[] = [
      ratioFigure(
        `audit, entries verified per second (${size.toLocaleString('en-US')} entries)`,
        perSecond,
        'entries/s',
        `Ed25519 verifySignature on the ${cores}-worker pool, nothing else`,
        limit,
        { atLeast: 0.7 },
      ),
      {
        name: 'total audit time',
        value: one.seconds,
        unit: 's',
        goal: options.quick ? '(quick run)' : '< 300 s',
        ...(options.quick ? {} : { met: one.seconds < 300 }),
      },
      // The same ratio in CPU time, which other work on the machine does not change: what the
      // rate would be against the verification limit with the cores to itself.
      ratioFigure(
        '  CPU of one Ed25519 verification, against the audit CPU per entry',
        single.cpuUs,
        'µs',
        'audit CPU per entry, all threads',
        one.cpuUsPerEntry,
      ),
      ratioFigure(
        `audit with ${ROOTS} roots, every root's tiles and bundles compared`,
        all.seconds,
        's',
        'the same audit with one root',
        one.seconds,
      ),
    ];
    return {
      id: 'audit',
      title: 'Outside audit from genesis (tiles over HTTP, governance replay, worker-pool signatures)',
      figures,
      notes: [
        `synthetic ledger: ${size} entries (7 founders, 7 open motions, ballots ${PER_BATCH} per batch), built in ${buildS.toFixed(1)} s; served by ${ROOTS} fastify servers over the one store in another process`,
        `baseline: the ${cores}-worker pool verifying signatures and nothing else, ${before.toFixed(0)}/s before the audit and ${after.toFixed(0)}/s after; one thread alone: ${single.rate.toFixed(0)}/s (× ${cores} = ${(single.rate * cores).toFixed(0)}/s, ratio ${(perSecond / (single.rate * cores)).toFixed(3)} against that)`,
        `CPU (load-independent): one verification ${single.cpuUs.toFixed(1)} µs; the audit ${one.cpuUsPerEntry.toFixed(1)} µs per entry on all threads, of which ${one.mainUsPerEntry.toFixed(1)} µs on the main thread (governance replay, tree, HTTP); the workers decode entries, hash statement ids and verify signatures`,
        `${ROOTS} roots: ${(all.bytes / 2 ** 20).toFixed(1)} MiB fetched against ${(one.bytes / 2 ** 20).toFixed(1)} MiB with one root; each other root: every hash tile, ${others[0]!.verified} of ${others[0]!.total} bundles (${all.result.dataCheck?.bundles})`,
      ],
    };
  } finally {
    server?.kill();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await serve(process.argv[3]!, Number(process.argv[4]));
