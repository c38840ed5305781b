// A federation of root processes on 127.0.0.1 for the benchmarks, founded as `witan devnet`
// does (initMember, the genesis ceremony, spawnRoot), and the questions a benchmark asks it:
// is a statement in a quorum-cosigned checkpoint on this root yet?

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVNET_POLICY } from '../../src/cli/devnet.ts';
import { createLocalMember, foundFederation, type LocalMember } from '../../src/cli/federation.ts';
import { GOVERNANCE_KEY_FILE_NAME } from '../../src/cli/init.ts';
import { type RootProcess, spawnRoot, stopRoot, waitHealthy } from '../../src/cli/root-processes.ts';
import { readKeyFile } from '../../src/crypto/key-file.ts';
import {
  ballot,
  type Endpoints,
  motion,
  POLICY_RANGES,
  type Policy,
  type SignedStatement,
  selfUpdate,
  signStatement,
  type World,
} from '../../src/governance/index.ts';
import { CONFIG_FILE_NAME } from '../../src/node/constants.ts';

export const BENCH_FEDERATION = 'bench.witan.test';
/** How often a root is asked again when it cannot wait for the answer (a 404, a note short of a quorum), and the pace of the polls that have no long poll. */
export const POLL_MS = 2;
/**
 * How long one request for a commit waits at a root (the API's long poll, `wait`): the bench
 * does not ask every root every POLL_MS, which cost the roots a request each per poll on the
 * cores that commit.
 */
export const LONG_POLL_MS = 4_000;
/** The roots are polled hard by the benchmarks from 127.0.0.1: lift the per-IP limit. */
const BENCH_REQUESTS_PER_MINUTE = 10_000_000;
const GET_TIMEOUT_MS = 5000;

/** Self-updates one member may have committed within one window: the most any policy allows. */
export const SELF_UPDATES_PER_MEMBER_MAX = POLICY_RANGES.selfUpdatesPerWindowMax[1];
/**
 * The policy a benchmark federation is founded with: devnet's, with the most self-updates per
 * member and window any policy allows. The benchmarks' statements are self-updates, and the
 * default (a few a day) would refuse all but the first few of them.
 */
export const BENCH_POLICY: Policy = {
  ...DEVNET_POLICY,
  selfUpdatesPerWindowMax: SELF_UPDATES_PER_MEMBER_MAX,
};

export type BenchMember = LocalMember & { root?: RootProcess; secretKey: Uint8Array };

/**
 * How the roots are started: the CLI entry, Node flags and environment over the root's
 * (spawnRoot's defaults otherwise; a key set to undefined is left out).
 */
export type RootLaunch = { script?: string; nodeFlags?: readonly string[]; env?: NodeJS.ProcessEnv };

/** Founds a federation of `roots` members under `work` and starts each root as its own process. */
export async function startFederation(
  work: string,
  roots: number,
  policy: Policy = BENCH_POLICY,
  launch: RootLaunch = {},
): Promise<BenchMember[]> {
  const members: BenchMember[] = [];
  for (let i = 0; i < roots; i++) {
    const m = await createLocalMember(work, i, { logLevel: 'warn', eventLoopDelayMaxMs: 10_000 });
    const configPath = join(m.dir, CONFIG_FILE_NAME);
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.http = { ...config.http, requestsPerMinute: BENCH_REQUESTS_PER_MINUTE };
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    members.push({ ...m, secretKey: readKeyFile(join(m.dir, GOVERNANCE_KEY_FILE_NAME)).secretKey });
  }
  foundFederation({ base: work, federation: BENCH_FEDERATION, members, policy });
  for (const m of members) m.root = spawnRoot({ name: m.name, dir: m.dir, httpUrl: m.httpUrl, ...launch });
  try {
    await Promise.all(members.map((m) => waitHealthy(m.root!)));
  } catch (err) {
    // A root that never became healthy may still run: none outlives a failed start.
    await stopFederation(members);
    throw err;
  }
  return members;
}

export async function stopFederation(members: readonly BenchMember[]): Promise<void> {
  await Promise.all(members.map((m) => (m.root ? stopRoot(m.root) : undefined)));
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(GET_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Size and number of signature lines of a signed checkpoint note. */
export function checkpointOf(note: string): { size: number; signatures: number } {
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
 * `count` signed self-updates of `member`, each with endpoints no other one has (its own
 * endpoints plus a name of its own under .invalid, which resolves nowhere and so is never
 * used), so that every one of them changes the world and none is refused as a repeat.
 */
export async function selfUpdates(member: BenchMember, count: number, first = 0): Promise<SignedStatement[]> {
  const status = await getJson<{ timeMs: number }>(`${member.httpUrl}/status`);
  const world = await getJson<{ world: World }>(`${member.httpUrl}/world`);
  const own = world.world.members.find((x) => x.name === member.name)?.endpoints as Endpoints;
  const out: SignedStatement[] = [];
  for (let i = first; i < first + count; i++) {
    const endpoints: Endpoints = {
      p2p: own.p2p,
      http: [own.http[0]!, `http://u${i}.${member.name}.invalid/`],
    };
    out.push(
      signStatement(
        selfUpdate(BENCH_FEDERATION, member.name, status.timeMs + i, { endpoints }),
        member.secretKey,
      ),
    );
  }
  return out;
}

/** POSTs a signed statement; resolves to its id once the root accepted it. */
export async function submit(member: BenchMember, statement: SignedStatement): Promise<string> {
  const res = await fetch(`${member.httpUrl}/statements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(statement),
  });
  const answer = (await res.json()) as { id?: string; code?: string; message?: string };
  if (res.status !== 202 || answer.id === undefined) {
    throw new Error(`POST /statements: ${res.status} ${answer.code ?? ''} ${answer.message ?? ''}`);
  }
  return answer.id;
}

/**
 * Resolves once every root serves a checkpoint with ≥ `needed` signatures that holds the
 * statement, with the time at which `submitter` first reported it committed in its ledger. Only
 * the submitting root is asked for the statement's ledger index; every root is then asked for its
 * checkpoint: asking all of them for both every 2 ms cost the roots more CPU than the commit.
 * Both are long polls (LONG_POLL_MS): each root answers when it has the answer.
 */
export async function committedOn(
  members: readonly BenchMember[],
  submitter: BenchMember,
  id: string,
  needed: number,
  deadline: number,
): Promise<number> {
  let index: number | undefined;
  while (index === undefined && performance.now() < deadline) {
    // A long poll: the root answers once the statement is committed (or its wait ends).
    const res = await fetch(`${submitter.httpUrl}/statements/${id}?wait=${LONG_POLL_MS}`);
    if (res.ok) {
      const s = (await res.json()) as { status: string; index?: number };
      if (s.status === 'committed') index = s.index;
    } else {
      await res.body?.cancel();
      await sleep(POLL_MS);
    }
  }
  const inLedgerAt = performance.now();
  await Promise.all(
    members.map(async (root) => {
      while (index !== undefined && performance.now() < deadline) {
        // A long poll: each root answers once it publishes a checkpoint past the statement.
        const url = `${root.httpUrl}/checkpoint?after=${index}&wait=${LONG_POLL_MS}`;
        const c = checkpointOf(await (await fetch(url)).text());
        if (c.size > index && c.signatures >= needed) return;
        if (c.size > index) await sleep(POLL_MS);
      }
      throw new Error(
        `statement ${id} not in a cosigned checkpoint of ${root.name} in time; see ${root.root?.logFile}`,
      );
    }),
  );
  return inLedgerAt;
}

/** A motion `member` opens on the world in force and that stays open (it changes only its own organisation). */
export async function standingMotion(member: BenchMember): Promise<string> {
  const w = await getJson<{ world: World; hash: string }>(`${member.httpUrl}/world`);
  const status = await getJson<{ timeMs: number }>(`${member.httpUrl}/status`);
  const s = motion(
    { world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0],
    member.name,
    [{ type: 'update-member', member: member.name, organisation: `${member.name} standing` }],
    status.timeMs,
  );
  return submit(member, signStatement(s, member.secretKey));
}

/**
 * An abstaining ballot of `member` on `motionId`, signed at ledger time + `i` ms: each one is a
 * valid statement (a later ballot replaces the member's earlier one) that leaves the world as it
 * is — the statements officers make most.
 */
export async function abstention(member: BenchMember, motionId: string, i: number): Promise<SignedStatement> {
  const status = await getJson<{ timeMs: number }>(`${member.httpUrl}/status`);
  return signStatement(
    ballot(BENCH_FEDERATION, member.name, motionId, 'abstain', status.timeMs + i),
    member.secretKey,
  );
}
