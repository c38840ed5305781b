// End-to-end commit latency of a federation of 4 roots, each its own OS process on 127.0.0.1
// (founded like `witan devnet` does: initMember, assembleDraft and signDraft, spawnRoot):
// from `POST /statements` at one root to a quorum-cosigned checkpoint that contains the
// statement, served by all four roots. p50/p99 over ≥ 50 signed self-updates submitted one at
// a time, round robin over the roots; then again while wrk saturates one root's GET /world;
// then GET /world and tiles served by a root against nginx serving the same bytes.
// The project's goals: p50 ≤ 50 ms; GET vs nginx ≥ 0.8.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quorumSize } from '../src/base/index.ts';
import { freePort } from '../src/cli/root-processes.ts';
import {
  type BenchMember,
  checkpointOf,
  committedOn,
  POLL_MS,
  selfUpdates,
  startFederation,
  stopFederation,
  submit,
} from './lib/federation.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { has, rotatingScript, startNginx, WRK_CONNECTIONS, wrk, wrkArgs } from './lib/http-load.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 4;
/** One statement that has not committed on all roots by then fails the benchmark. */
const COMMIT_TIMEOUT_MS = 30_000;

type Latencies = { total: number[]; inLedger: number[] };

/**
 * Submits `count` self-updates one at a time; for each, ms until every root serves it in a
 * cosigned checkpoint (total) and until every root has it in its ledger (inLedger).
 */
async function commitLatencies(
  members: BenchMember[],
  count: number,
  needed: number,
  first: number,
): Promise<Latencies> {
  const out: Latencies = { total: [], inLedger: [] };
  for (let i = 0; i < count; i++) {
    const m = members[i % members.length]!;
    const [signed] = await selfUpdates(m, 1, first + i);
    const start = performance.now();
    const id = await submit(m, signed!);
    const deadline = start + COMMIT_TIMEOUT_MS;
    const inLedger = await Promise.all(members.map((r) => committedOn(r, id, needed, deadline)));
    out.total.push(performance.now() - start);
    out.inLedger.push(Math.max(...inLedger) - start);
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function latencyFigures(label: string, ms: Latencies): Figure[] {
  const sorted = [...ms.total].sort((a, b) => a - b);
  const ledger = [...ms.inLedger].sort((a, b) => a - b);
  return [
    ratioFigure(`commit latency p50, ${label}`, percentile(sorted, 50), 'ms', 'goal', 50, {
      atMost: 1,
    }),
    { name: `commit latency p99, ${label}`, value: percentile(sorted, 99), unit: 'ms' },
    { name: `  of which in every root's ledger, p50`, value: percentile(ledger, 50), unit: 'ms' },
  ];
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const statements = options.quick ? 50 : 100;
  const seconds = options.quick ? 3 : 8;
  const work = mkdtempSync(join(tmpdir(), 'witan-bench-commit-'));
  const figures: Figure[] = [];
  const notes: string[] = [];
  let members: BenchMember[] = [];
  let load: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  try {
    members = await startFederation(work, ROOTS);
    const needed = quorumSize(ROOTS);

    const warmUp = 4;
    await commitLatencies(members, warmUp, needed, 0); // connections, JIT, first batches
    figures.push(...latencyFigures('idle', await commitLatencies(members, statements, needed, warmUp)));

    if (!has('wrk'))
      notes.push('wrk is not installed (apt-get install -y wrk): loaded and GET figures not measured');
    else {
      const target = members[0]!;
      load = spawn('wrk', wrkArgs(`${target.httpUrl}/world`, 600), { stdio: 'ignore' });
      await sleep(1000);
      figures.push(
        ...latencyFigures(
          `wrk saturating ${target.name}'s GET /world`,
          await commitLatencies(members, statements, needed, warmUp + statements),
        ),
      );
      load.kill('SIGTERM');
      load = undefined;

      // GET /world and tiles: the root against nginx serving the same bytes.
      const files = join(work, 'files');
      const size = checkpointOf(await (await fetch(`${target.httpUrl}/checkpoint`)).text()).size;
      const width = size % 256 === 0 ? 256 : size % 256;
      const suffix = width === 256 ? '' : `.p/${width}`;
      const paths = ['/world', '/checkpoint', `/tile/0/000${suffix}`, `/tile/entries/000${suffix}`];
      for (const p of paths) {
        const res = await fetch(target.httpUrl + p);
        if (!res.ok) throw new Error(`${p}: ${res.status}`);
        mkdirSync(dirname(join(files, p)), { recursive: true });
        writeFileSync(join(files, p), new Uint8Array(await res.arrayBuffer()));
      }
      if (!has('nginx'))
        notes.push('nginx is not installed (apt-get install -y nginx-light): GET vs nginx not measured');
      else {
        const port = await freePort();
        nginx = await startNginx(files, port, work, 'location = /world { default_type application/json; }');
        const nginxUrl = `http://127.0.0.1:${port}`;
        const script = rotatingScript(work, paths);
        let worldOurs = 0;
        let worldNginx = 0;
        let mixOurs = 0;
        let mixNginx = 0;
        for (let round = 0; round < 2; round++) {
          worldOurs += (await wrk(`${target.httpUrl}/world`, seconds)) / 2;
          worldNginx += (await wrk(`${nginxUrl}/world`, seconds)) / 2;
          mixOurs += (await wrk(target.httpUrl, seconds, script)) / 2;
          mixNginx += (await wrk(nginxUrl, seconds, script)) / 2;
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
        );
        notes.push(
          `GET: wrk -t1 -c${WRK_CONNECTIONS} -d${seconds}s, keep-alive, 2 alternating rounds; the root is one process (its other three roots keep running, idle), nginx 1 worker; /world is ${readFileSync(join(files, 'world')).length.toLocaleString('en-US')} bytes of JSON`,
        );
      }
    }
    notes.push(
      `${ROOTS} roots, each its own process on 127.0.0.1, founded as \`witan devnet\` does; ${statements} signed self-updates per run, one at a time, round robin over the roots`,
      `latency = POST /statements at one root → every root serves a checkpoint with ≥ ${quorumSize(ROOTS)} signatures whose size is past the statement's ledger index (each root polled every ${POLL_MS} ms: figures include up to that much polling delay)`,
      `under load: wrk -t1 -c${WRK_CONNECTIONS} on ${members[0]!.name}'s GET /world for the whole run; the machine has 2 cores for 4 roots, wrk and the bench`,
    );
  } finally {
    load?.kill('SIGTERM');
    nginx?.kill('SIGQUIT');
    await stopFederation(members);
    rmSync(work, { recursive: true, force: true });
  }
  return {
    id: 'root-commit',
    title: 'Federation: end-to-end commit latency and GET vs nginx (4 root processes)',
    figures,
    notes,
  };
}
