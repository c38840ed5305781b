// `npm run bench -- audit`: the outside audit of a synthetic ledger:
// 1,000,000 entries (--quick: 20,000) produced by the real rules engine — 7 founders, open
// motions and a steady stream of signed ballots, 255 statements per batch — stored in a
// LedgerStore, served by tlogRoutes on 127.0.0.1, then audited from genesis by auditLedger with
// governance replay and the worker pool. Figures: entries verified per second against the
// machine's Ed25519 verification limit × cores measured in the same run (goal ≥ 0.7), the
// total audit time (goal < 5 minutes on 2 cores), and the same audit with three roots serving
// the ledger, every root's tiles and bundles compared (all bundles up to 1,024 of them, a
// sample above), against the one-root time.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { tlogRoutes } from '../src/api/tlog-routes.ts';
import { auditLedger } from '../src/audit/audit.ts';
import { governanceRules } from '../src/audit/replay.ts';
import { VerifyPool } from '../src/audit/verify-pool.ts';
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

/** Executes batches with the real rules until the ledger holds `target` entries. */
function buildLedger(target: number): { genesis: ReturnType<typeof assembleGenesis>; entries: Uint8Array[] } {
  const founders = NAMES.map((n, i) => descriptor(n, JURISDICTIONS[i]!));
  const world = assembleGenesisWorld(FEDERATION, founders, DEFAULT_POLICY);
  const genesis = assembleGenesis(
    world,
    founders.map((f) => signGenesis(world, f.name, keys(f.name, 'gov').secretKey)),
  );
  const entries: Uint8Array[] = [encodeEntry({ kind: 'genesis', genesis })];
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
  while (entries.length < target) {
    timeMs += HOUR_MS;
    if (++batches % MOTION_ROUND_BATCHES === 0) {
      ids = openRound(batches / MOTION_ROUND_BATCHES, timeMs);
      continue;
    }
    const statements: SignedStatement[] = [];
    for (let k = 0; k < PER_BATCH && entries.length + statements.length + 1 < target; k++, turn++) {
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
  return { genesis, entries };
}

function ed25519Rate(ms: number): number {
  const k = keys('rate', 'node');
  const message = new Uint8Array(300).fill(1);
  const signature = sign(k.secretKey, message);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) verifySignature(k.publicKey, message, signature);
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  // WITAN_BENCH_AUDIT_ENTRIES overrides the size (for a machine where 1,000,000 does not fit).
  const override = Number(process.env.WITAN_BENCH_AUDIT_ENTRIES ?? '');
  const target =
    Number.isSafeInteger(override) && override >= 1000 ? override : options.quick ? 20_000 : 1_000_000;
  const cores = availableParallelism();
  const built = performance.now();
  const { genesis, entries } = buildLedger(target);
  const buildS = (performance.now() - built) / 1000;
  const dir = mkdtempSync(join(tmpdir(), 'witan-bench-audit-'));
  const store = await LedgerStore.open(dir, { origin: FEDERATION });
  const apps = Array.from({ length: ROOTS }, () => Fastify({ logger: false }));
  const pool = new VerifyPool(cores);
  try {
    for (let i = 0; i < entries.length; i += 16_384) await store.append(entries.slice(i, i + 16_384));
    const nowS = Math.floor(Date.now() / 1000);
    const text = formatCheckpoint({
      origin: FEDERATION,
      size: store.size(),
      rootHash: store.rootHash(),
      extensions: [],
    });
    const note = signNote(text, [
      ed25519NoteSigner(FEDERATION, keys(NAMES[0]!, 'node').secretKey),
      ...NAMES.map((n) => cosignatureSigner(n, keys(n, 'node').secretKey, nowS)),
    ]);
    await store.saveCheckpoint(store.size(), note);
    // Several roots serve the same store: what differs between them is the auditor's work.
    const urls: string[] = [];
    for (const app of apps) {
      await app.register(tlogRoutes, { store });
      app.get('/world', async () => ({}));
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      urls.push(`http://127.0.0.1:${address.port}`);
    }
    const rate = ed25519Rate(options.quick ? 500 : 2000);
    const audit = async (roots: string[]) => {
      let bytes = 0;
      const started = performance.now();
      const result = await auditLedger({
        roots,
        origin: FEDERATION,
        genesisLeafHash: '',
        http: new HttpClient({ onBytes: (n) => (bytes += n) }),
        nowMs: Date.now(),
        rules: () => governanceRules({ genesis, pool }),
      });
      const seconds = (performance.now() - started) / 1000;
      const problems = result.violations.filter((v) => v.kind !== 'uncommitted-world');
      const unchecked = result.roots.filter(
        (r) => r.data?.tiles.agree !== true || r.data.bundles.agree !== true,
      );
      if (problems.length > 0 || unchecked.length > 0 || result.tree?.size !== entries.length) {
        throw new Error(`bench audit did not verify: ${JSON.stringify([problems, unchecked]).slice(0, 400)}`);
      }
      return { seconds, bytes, result };
    };
    const one = await audit(urls.slice(0, 1));
    const seconds = one.seconds;
    const all = await audit(urls);
    const perSecond = entries.length / seconds;
    const others = all.result.roots.slice(1).map((r) => r.data!.bundles);
    const figures: Figure[] = [
      ratioFigure(
        `audit, entries verified per second (${entries.length.toLocaleString('en-US')} entries)`,
        perSecond,
        'entries/s',
        `Ed25519 verifySignature × ${cores} cores`,
        rate * cores,
        { atLeast: 0.7 },
      ),
      {
        name: 'total audit time',
        value: seconds,
        unit: 's',
        goal: options.quick ? '(quick run)' : '< 300 s',
        ...(options.quick ? {} : { met: seconds < 300 }),
      },
      ratioFigure(
        `audit with ${ROOTS} roots, every root's tiles and bundles compared`,
        all.seconds,
        's',
        'the same audit with one root',
        seconds,
      ),
    ];
    return {
      id: 'audit',
      title: 'Outside audit from genesis (tiles over HTTP, governance replay, worker-pool signatures)',
      figures,
      notes: [
        `synthetic ledger: ${entries.length} entries (7 founders, 7 open motions, ballots ${PER_BATCH} per batch), built in ${buildS.toFixed(1)} s`,
        `single-core Ed25519 verification: ${rate.toFixed(0)}/s; worker pool of ${cores}`,
        'statement signatures verified once, on the worker pool, ahead of the replay; executeBatch takes the results (preVerified) instead of verifying again on the main thread',
        `${ROOTS} roots (fastify servers over the one store, in the bench's process): ${(all.bytes / 2 ** 20).toFixed(1)} MiB fetched against ${(one.bytes / 2 ** 20).toFixed(1)} MiB with one root; each other root: every hash tile, ${others[0]!.verified} of ${others[0]!.total} bundles (${all.result.dataCheck?.bundles})`,
      ],
    };
  } finally {
    for (const app of apps) await app.close();
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
