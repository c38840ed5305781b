// End-to-end commit latency of a federation of 4 roots, each its own OS process on 127.0.0.1
// (founded like `witan devnet` does: initMember, assembleDraft and signDraft, spawnRoot):
// from `POST /statements` at one root to a quorum-cosigned checkpoint that contains the
// statement, served by all four roots. p50/p99 over ≥ 50 signed self-updates submitted one at
// a time, round robin over the roots; then again while wrk saturates one root's GET /world;
// then GET /world and tiles served by a root against nginx serving the same bytes; and the
// federation's threshold signature (src/node/federation): from a statement's commit to every
// root serving a checkpoint that holds it and carries the federation's line.
// The project's goals: p50 ≤ 50 ms; GET vs nginx ≥ 0.8.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quorumSize } from '../src/base/index.ts';
import { DEVNET_POLICY } from '../src/cli/devnet.ts';
import { createLocalMember, foundFederation, type LocalMember } from '../src/cli/federation.ts';
import { GOVERNANCE_KEY_FILE_NAME } from '../src/cli/init.ts';
import { freePort, type RootProcess, spawnRoot, stopRoot, waitHealthy } from '../src/cli/root-processes.ts';
import { readKeyFile } from '../src/crypto/key-file.ts';
import { type Endpoints, selfUpdate, signStatement, type World } from '../src/governance/index.ts';
import { CONFIG_FILE_NAME } from '../src/node/constants.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import { has, rotatingScript, startNginx, WRK_CONNECTIONS, wrk, wrkArgs } from './lib/http-load.ts';
import type { BenchOptions } from './run.ts';

const ROOTS = 4;
const FEDERATION = 'bench.witan.test';
/** How often each root is asked whether the statement is in a cosigned checkpoint yet. */
const POLL_MS = 2;
/** One statement that has not committed on all roots by then fails the benchmark. */
const COMMIT_TIMEOUT_MS = 30_000;
/** The federation key's DKG right after genesis (DEVNET_POLICY asks for the key) must be done by then. */
const DKG_TIMEOUT_MS = 180_000;
/** The roots are polled hard by this benchmark from 127.0.0.1: lift the per-IP limit. */
const BENCH_REQUESTS_PER_MINUTE = 10_000_000;

type Member = LocalMember & { root?: RootProcess; secretKey: Uint8Array };

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Size and number of signature lines of a signed checkpoint note. */
function checkpointOf(note: string): { size: number; signatures: number } {
  const blank = note.indexOf('\n\n');
  const size = Number(note.split('\n', 2)[1]);
  const signatures =
    blank < 0
      ? 0
      : note
          .slice(blank + 2)
          .split('\n')
          .filter((l) => l.startsWith('— ')).length;
  return { size, signatures };
}

/**
 * Resolves once `root` serves a checkpoint with ≥ `needed` signatures that holds the statement,
 * with the time at which the root first reported the statement committed in its ledger.
 */
async function committedOn(root: Member, id: string, needed: number, deadline: number): Promise<number> {
  let index: number | undefined;
  let inLedgerAt = 0;
  while (performance.now() < deadline) {
    if (index === undefined) {
      const res = await fetch(`${root.httpUrl}/statements/${id}`);
      if (res.ok) {
        const s = (await res.json()) as { status: string; index?: number };
        if (s.status === 'committed') {
          index = s.index;
          inLedgerAt = performance.now();
        }
      } else await res.body?.cancel();
    }
    if (index !== undefined) {
      const note = await (await fetch(`${root.httpUrl}/checkpoint`)).text();
      const c = checkpointOf(note);
      if (c.size > index && c.signatures >= needed) return inLedgerAt;
    }
    await sleep(POLL_MS);
  }
  throw new Error(
    `statement ${id} not in a cosigned checkpoint of ${root.name} in time; see ${root.root?.logFile}`,
  );
}

type Latencies = { total: number[]; inLedger: number[] };

/**
 * Submits member `m`'s self-update number `i` at its root — the same endpoints, a new
 * createdMs: a valid statement with a new id every time. Its id, and when the POST started.
 */
async function submitSelfUpdate(m: Member, i: number): Promise<{ id: string; start: number }> {
  const status = await getJson<{ timeMs: number }>(`${m.httpUrl}/status`);
  const world = await getJson<{ world: World }>(`${m.httpUrl}/world`);
  const endpoints = world.world.members.find((x) => x.name === m.name)?.endpoints as Endpoints;
  const signed = signStatement(selfUpdate(FEDERATION, m.name, status.timeMs + i, { endpoints }), m.secretKey);
  const start = performance.now();
  const res = await fetch(`${m.httpUrl}/statements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signed),
  });
  const answer = (await res.json()) as { id?: string; code?: string; message?: string };
  if (res.status !== 202 || answer.id === undefined) {
    throw new Error(`POST /statements: ${res.status} ${answer.code ?? ''} ${answer.message ?? ''}`);
  }
  return { id: answer.id, start };
}

/** Waits until every root serves a world with a federation key (the DKG at start); its key ID. */
async function federationKeyId(members: Member[]): Promise<number> {
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
      if (!l.startsWith(`— ${FEDERATION} `)) return false;
      const bytes = Buffer.from(l.slice(`— ${FEDERATION} `.length), 'base64');
      return bytes.length >= 4 && bytes.readUInt32BE(0) === keyId;
    });
}

/**
 * Submits `count` self-updates one at a time; for each, ms from the moment every root has it
 * in its ledger until every root serves a checkpoint past it that carries the federation's
 * signature: the threshold signature's latency after a commit (nonces are ready; one round).
 */
async function federationLatencies(members: Member[], count: number, keyId: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await submitSelfUpdate(members[i % members.length]!, i);
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
 * Submits `count` self-updates one at a time; for each, ms until every root serves it in a
 * cosigned checkpoint (total) and until every root has it in its ledger (inLedger).
 */
async function commitLatencies(members: Member[], count: number, needed: number): Promise<Latencies> {
  const out: Latencies = { total: [], inLedger: [] };
  for (let i = 0; i < count; i++) {
    const { id, start } = await submitSelfUpdate(members[i % members.length]!, i);
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
  const loadBefore = loadavg()[0]!;
  const members: Member[] = [];
  let load: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  try {
    for (let i = 0; i < ROOTS; i++) {
      const m = await createLocalMember(work, i, { logLevel: 'warn', eventLoopDelayMaxMs: 10_000 });
      const configPath = join(m.dir, CONFIG_FILE_NAME);
      const config = JSON.parse(readFileSync(configPath, 'utf8'));
      config.http = { ...config.http, requestsPerMinute: BENCH_REQUESTS_PER_MINUTE };
      writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
      members.push({ ...m, secretKey: readKeyFile(join(m.dir, GOVERNANCE_KEY_FILE_NAME)).secretKey });
    }
    foundFederation({ base: work, federation: FEDERATION, members, policy: DEVNET_POLICY });
    for (const m of members) m.root = spawnRoot({ name: m.name, dir: m.dir, httpUrl: m.httpUrl });
    await Promise.all(members.map((m) => waitHealthy(m.root!)));
    const needed = quorumSize(ROOTS);
    const dkgStart = performance.now();
    const keyId = await federationKeyId(members);
    figures.push({
      name: `DKG at genesis, ${ROOTS} root processes: start to key in every root's world`,
      value: performance.now() - dkgStart,
      unit: 'ms',
    });

    await commitLatencies(members, 4, needed); // warm-up: connections, JIT, first batches
    figures.push(...latencyFigures('idle', await commitLatencies(members, statements, needed)));
    const fed = [...(await federationLatencies(members, options.quick ? 10 : 30, keyId))].sort(
      (a, b) => a - b,
    );
    figures.push(
      {
        name: `federation signature after a commit, p50 (${ROOTS} roots, threshold ${quorumSize(ROOTS)})`,
        value: percentile(fed, 50),
        unit: 'ms',
      },
      { name: 'federation signature after a commit, p99', value: percentile(fed, 99), unit: 'ms' },
    );

    if (!has('wrk'))
      notes.push('wrk is not installed (apt-get install -y wrk): loaded and GET figures not measured');
    else {
      const target = members[0]!;
      load = spawn('wrk', wrkArgs(`${target.httpUrl}/world`, 600), { stdio: 'ignore' });
      await sleep(1000);
      figures.push(
        ...latencyFigures(
          `wrk saturating ${target.name}'s GET /world`,
          await commitLatencies(members, statements, needed),
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
      "federation signature after a commit = from the statement in every root's ledger to every root serving a checkpoint past it with the federation's line (nonce commitments announced ahead: one round of request and shares, each share checked, aggregated, gossiped); the devnet policy, so the federation key is made by DKG at start",
      `under load: wrk -t1 -c${WRK_CONNECTIONS} on ${members[0]!.name}'s GET /world for the whole run; the machine has 2 cores for 4 roots, wrk and the bench`,
      `1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end, while other work may share the cores: the times are upper bounds`,
    );
  } finally {
    load?.kill('SIGTERM');
    nginx?.kill('SIGQUIT');
    await Promise.all(members.map((m) => (m.root ? stopRoot(m.root) : undefined)));
    rmSync(work, { recursive: true, force: true });
  }
  return {
    id: 'root-commit',
    title: 'Federation: end-to-end commit latency and GET vs nginx (4 root processes)',
    figures,
    notes,
  };
}
