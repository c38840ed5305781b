// End-to-end throughput of a federation of 4 roots, each its own OS process on 127.0.0.1:
// statements per second from the first `POST /statements` to every root serving a
// quorum-cosigned checkpoint that holds all of them, against the Ed25519 verification limit of
// this machine measured in the same run. Every root verifies every statement's signature at
// least once (the root it is posted to, and each root that receives it), so with 4 roots
// sharing the machine's cores the statements cannot go faster than
// verifications per second × cores ÷ roots; the ratio says how much of that the rest (HTTP,
// rules, consensus, synced writes, cosigning) leaves.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quorumSize } from '../src/base/index.ts';
import { toBase64 } from '../src/codec/index.ts';
import { generateKeyPair } from '../src/crypto/index.ts';
import {
  type SignedStatement,
  selfUpdate,
  signStatement,
  verifyStatementSignature,
} from '../src/governance/index.ts';
import {
  BENCH_FEDERATION,
  type BenchMember,
  checkpointOf,
  SELF_UPDATES_PER_MEMBER_MAX,
  selfUpdates,
  startFederation,
  stopFederation,
  submit,
} from './lib/federation.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 4;
/** POSTs in flight at once to each root. */
const POSTS_IN_FLIGHT_PER_ROOT = 8;
/** How often each pending statement is looked up, and each root's checkpoint read. */
const THROUGHPUT_POLL_MS = 20;
/** The whole run must commit by then, or the benchmark fails. */
const THROUGHPUT_TIMEOUT_MS = 120_000;
const VERIFY_RATE_MS = 1000;

/** Ed25519 verifications of a signed statement per second on one core (signing bytes included). */
function statementVerifyRate(ms: number): number {
  const k = generateKeyPair();
  const signed = signStatement(selfUpdate(BENCH_FEDERATION, 'alpha', 1, {}), k.secretKey);
  const key = toBase64(k.publicKey);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++)
      if (!verifyStatementSignature(signed, key)) throw new Error('bad signature');
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

/** POSTs each member's statements to its own root, a few at a time; resolves to their ids. */
async function submitAll(members: BenchMember[], perMember: SignedStatement[][]): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    members.map(async (m, i) => {
      const queue = [...perMember[i]!];
      const lane = async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) ids.push(await submit(m, s));
      };
      await Promise.all(Array.from({ length: POSTS_IN_FLIGHT_PER_ROOT }, lane));
    }),
  );
  return ids;
}

/** The largest ledger index of `ids` once all are committed at `root`. */
async function allCommitted(root: BenchMember, ids: string[], deadline: number): Promise<number> {
  const pending = new Set(ids);
  let last = -1;
  while (pending.size > 0) {
    if (performance.now() > deadline) throw new Error(`${pending.size} statements not committed in time`);
    for (const id of [...pending]) {
      // A statement POSTed at another root may not have reached this one yet (404), and a
      // connection the loaded root reset is asked again next time round.
      const res = await fetch(`${root.httpUrl}/statements/${id}`).catch(() => undefined);
      if (res === undefined || res.status === 404) {
        await res?.body?.cancel();
        continue;
      }
      const s = (await res.json()) as { status: string; index?: number };
      if (s.status === 'committed') {
        pending.delete(id);
        last = Math.max(last, s.index!);
      } else if (s.status !== 'pending') {
        throw new Error(`statement ${id}: ${JSON.stringify(s)}`);
      }
    }
    if (pending.size > 0) await sleep(THROUGHPUT_POLL_MS);
  }
  return last;
}

/** Resolves once `root` serves a checkpoint past `index` with ≥ `needed` signatures. */
async function cosignedPast(
  root: BenchMember,
  index: number,
  needed: number,
  deadline: number,
): Promise<void> {
  while (performance.now() < deadline) {
    const c = checkpointOf(await (await fetch(`${root.httpUrl}/checkpoint`)).text());
    if (c.size > index && c.signatures >= needed) return;
    await sleep(THROUGHPUT_POLL_MS);
  }
  throw new Error(`${root.name}: no cosigned checkpoint past ${index} in time; see ${root.root?.logFile}`);
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  // Each member's warm-up statement and its share of the run are self-updates in one window.
  const perMember = options.quick ? 32 : SELF_UPDATES_PER_MEMBER_MAX - 1;
  const loadAverage = loadavg()[0]!;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-throughput-'));
  const cores = availableParallelism();
  let members: BenchMember[] = [];
  const figures: Figure[] = [];
  try {
    members = await startFederation(work, ROOTS);
    const needed = quorumSize(ROOTS);
    // Warm-up: one statement per root through to a cosigned checkpoint everywhere.
    const warm = await submitAll(members, await Promise.all(members.map((m) => selfUpdates(m, 1, 0))));
    const warmIndex = await allCommitted(members[0]!, warm, performance.now() + THROUGHPUT_TIMEOUT_MS);
    await Promise.all(
      members.map((m) => cosignedPast(m, warmIndex, needed, performance.now() + THROUGHPUT_TIMEOUT_MS)),
    );

    const statements = await Promise.all(members.map((m) => selfUpdates(m, perMember, 1)));
    const total = perMember * ROOTS;
    const start = performance.now();
    const deadline = start + THROUGHPUT_TIMEOUT_MS;
    const ids = await submitAll(members, statements);
    const accepted = performance.now();
    const last = await allCommitted(members[0]!, ids, deadline);
    await Promise.all(members.map((m) => cosignedPast(m, last, needed, deadline)));
    const seconds = (performance.now() - start) / 1000;
    const verifyRate = statementVerifyRate(VERIFY_RATE_MS);
    figures.push(
      ratioFigure(
        `statements committed per second, ${ROOTS} roots (${total} statements)`,
        total / seconds,
        'statements/s',
        `Ed25519 statement verifications/s × ${cores} cores ÷ ${ROOTS} roots`,
        (verifyRate * cores) / ROOTS,
      ),
      { name: '  of which accepting every POST', value: accepted - start, unit: 'ms' },
      { name: '  Ed25519 statement verifications per second, one core', value: verifyRate, unit: 'ops/s' },
    );
  } finally {
    await stopFederation(members);
    rmSync(work, { recursive: true, force: true });
  }
  return {
    id: 'root-throughput',
    title: 'Federation: end-to-end statement throughput (4 root processes)',
    figures,
    notes: [
      `load average (1 min) of the machine when the run began: ${loadAverage.toFixed(1)} on ${availableParallelism()} cores`,
      `${ROOTS} roots, each its own process on 127.0.0.1, founded as \`witan devnet\` does; ${perMember} signed self-updates per member, each POSTed to its own root, ${POSTS_IN_FLIGHT_PER_ROOT} in flight per root`,
      `throughput = statements ÷ time from the first POST until every root serves a checkpoint with ≥ ${quorumSize(ROOTS)} signatures past the last of them (polled every ${THROUGHPUT_POLL_MS} ms)`,
      `the limit: each root verifies each statement's signature at least once, and the ${ROOTS} roots share the machine's ${cores} cores with the benchmark itself`,
    ],
  };
}
