// The officers' part of a federation written by `witan devnet --compose`, once its roots run:
// wait for the genesis checkpoint to be cosigned by a quorum, have the first member propose a
// change with `witan propose update` and the others vote yes with `witan vote`, each at its own
// root with its own governance key, and wait until every root serves the same world that motion
// made. A policy that asks for a federation key makes it first (its DKG is world v2, charter
// §22), so the motion is moved on the world that holds the key: then it makes world v3. It runs
// where the service names resolve — on the officers' machine of a network lab
// (fixtures/officers.ts) — and takes the URLs at which that machine reaches the roots.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComposeManifest } from '../../src/cli/compose.ts';
import { RootApi, type WorldResponse } from '../../src/cli/root-api.ts';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
/** Each wait for the federation: roots share a busy machine. */
export const STORY_STEP_TIMEOUT_MS = 120_000;
const POLL_MS = 250;
/** One command of the CLI. */
const COMMAND_TIMEOUT_MS = 60_000;

export function witan(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + STORY_STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`gave up waiting for ${what} after ${STORY_STEP_TIMEOUT_MS} ms`);
}

/** Drives the roots of `manifest` (in `dir`, reached at `urls`, one per root) to the world a motion makes. */
export async function reachWorldByMotion(o: {
  dir: string;
  manifest: ComposeManifest;
  urls: readonly string[];
}): Promise<WorldResponse> {
  const apis = o.urls.map((u) => new RootApi(u, { timeoutMs: 2000, attemptsMax: 1 }));
  await until('the genesis checkpoint cosigned by a quorum on every root', async () => {
    const notes = await Promise.all(apis.map((a) => a.checkpoint()));
    return notes.every((n) => n.includes('\n—')) ? true : undefined;
  });
  const before = await until(
    'one world on every root, with the federation key if the policy asks for it',
    async () => {
      const worlds = await Promise.all(apis.map((a) => a.world()));
      const w = worlds[0]!;
      const keyed = w.world.policy.federationKey === undefined || w.world.federationKey !== undefined;
      return keyed && worlds.every((x) => x.hash === w.hash) ? w : undefined;
    },
  );
  const [first, ...others] = o.manifest.roots;
  assert.ok(first !== undefined);
  const organisation = `${first.name} (renamed by motion)`;
  const proposed = witan([
    'propose',
    'update',
    first.name,
    '--organisation',
    organisation,
    '--root',
    o.urls[0]!,
    '--governance-key',
    join(o.dir, first.governanceKey),
    '--json',
  ]);
  assert.equal(proposed.code, 0, proposed.stderr);
  const motionId = JSON.parse(proposed.stdout).id as string;
  await until('the motion open on every root', async () => {
    const views = await Promise.all(apis.map((a) => a.motion(motionId)));
    return views.every((v) => v.status === 'open') ? true : undefined;
  });
  for (const [i, r] of others.entries()) {
    const voted = witan([
      'vote',
      motionId,
      'yes',
      '--root',
      o.urls[i + 1]!,
      '--governance-key',
      join(o.dir, r.governanceKey),
    ]);
    assert.equal(voted.code, 0, voted.stderr);
  }
  const made = before.version + 1;
  const world = await until(`world v${made} served alike by every root`, async () => {
    const worlds = await Promise.all(apis.map((a) => a.world()));
    return worlds.every((w) => w.version === made && w.hash === worlds[0]!.hash) ? worlds[0] : undefined;
  });
  assert.equal(world.world.members.find((m) => m.name === first.name)?.organisation, organisation);
  return world;
}
