// An operator's and an officer's path through the real `witan` binary, as people on separate
// machines would take it: four `witan init` folders, the genesis ceremony (assemble, each
// founder signs a copy, combine, verify), four `witan start` processes, a candidate's
// `witan candidacy`, `witan propose admit` at one root and `witan vote` at the others, then
// the world change observed with `witan world show --json`, `witan motion --json` and
// `witan world verify` from the pinned genesis.

import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  freePort,
  type RootProcess,
  spawnRoot,
  stopRoot,
  waitHealthy,
} from '../../src/cli/root-processes.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitUntil } from '../helpers/wait.ts';
import { ok, witan } from '../helpers/witan.ts';

const CEREMONY_TEST_TIMEOUT_MS = 300_000;
/** Between two `witan` runs that look for a change: each run is a process start. */
const WAIT_STEP_MS = 200;
const WAIT_MAX_MS = 60_000;

/** Runs `witan <args> --json` until its answer passes `until`. */
function eventually<T>(what: string, args: string[], until: (answer: T) => boolean): Promise<T> {
  return waitUntil(what, async () => JSON.parse(await ok(...args, '--json')) as T, {
    until,
    timeoutMs: WAIT_MAX_MS,
    intervalMs: WAIT_STEP_MS,
  });
}

const roots: RootProcess[] = [];
after(async () => {
  await Promise.all(roots.map((r) => stopRoot(r)));
});
const dir = tempDir('ceremony');

test('founding ceremony, a motion and its ballots, all through the witan command', {
  timeout: CEREMONY_TEST_TIMEOUT_MS,
}, async () => {
  const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  const countries = ['PT', 'DE', 'FR', 'NL', 'ES'];
  const urls: string[] = [];
  for (const [i, name] of names.entries()) {
    const [http, p2p, operator] = [await freePort(), await freePort(), await freePort()];
    await ok(
      'init',
      '--name',
      name,
      '--organisation',
      `Org ${name}`,
      '--jurisdiction',
      countries[i]!,
      '--dir',
      join(dir, name),
      '--listen',
      '127.0.0.1',
      '--announce',
      '127.0.0.1',
      '--allow-private-endpoints',
      '--http-port',
      String(http),
      '--p2p-port',
      String(p2p),
      '--operator-port',
      String(operator),
    );
    urls.push(`http://127.0.0.1:${http}`);
  }
  const founders = names.slice(0, 4);
  const draft = join(dir, 'draft.json');
  await ok(
    'genesis',
    'assemble',
    '--federation',
    'ceremony.witan.test',
    '--allow-private-endpoints',
    '--out',
    draft,
    ...founders.map((n) => join(dir, n, 'member.json')),
  );
  // Each founder signs a copy on "their machine"; one founder combines them.
  const copies = founders.map((n) => join(dir, `${n}-signed.json`));
  for (const [i, n] of founders.entries()) {
    copyFileSync(draft, copies[i]!);
    await ok('genesis', 'sign', copies[i]!, '--governance-key', join(dir, n, 'governance.key'));
  }
  const genesis = join(dir, 'genesis.json');
  await ok('genesis', 'combine', ...copies, '--out', genesis);
  assert.equal(JSON.parse(await ok('genesis', 'verify', genesis, '--json')).valid, true);

  for (const [i, n] of founders.entries()) {
    copyFileSync(genesis, join(dir, n, 'genesis.json'));
    roots.push(spawnRoot({ name: n, dir: join(dir, n), httpUrl: urls[i]! }));
  }
  await Promise.all(roots.map((r) => waitHealthy(r)));

  await ok('candidacy', '--federation', 'ceremony.witan.test', '--dir', join(dir, 'epsilon'));
  const proposed = JSON.parse(
    await ok(
      'propose',
      'admit',
      join(dir, 'epsilon', 'candidacy.json'),
      '--governance-key',
      join(dir, 'alpha', 'governance.key'),
      '--root',
      urls[0]!,
      '--json',
    ),
  );
  assert.match(proposed.id, /^[0-9a-f]{64}$/);
  for (const i of [1, 2, 3]) {
    await eventually<{ status: string }>(
      `the motion open at root ${i}`,
      ['motion', proposed.id, '--root', urls[i]!],
      (m) => m.status === 'open',
    );
    await ok(
      'vote',
      proposed.id,
      'yes',
      '--reason',
      'meets the charter',
      '--governance-key',
      join(dir, founders[i]!, 'governance.key'),
      '--root',
      urls[i]!,
    );
  }
  type Shown = { version: number; hash: string; world: { members: { name: string; status: string }[] } };
  // One root at a time: each look is a process start, and the others have usually caught up by
  // the time the first shows v2.
  const shown: Shown[] = [];
  for (const i of [0, 1, 2, 3]) {
    shown.push(
      await eventually<Shown>(
        `world v2 at root ${i}`,
        ['world', 'show', '--root', urls[i]!],
        (w) => w.version === 2,
      ),
    );
  }
  for (const w of shown) assert.equal(w.hash, shown[0]!.hash);
  const epsilon = shown[0]!.world.members.find((m) => m.name === 'epsilon');
  assert.equal(epsilon?.status, 'probation');
  const decided = JSON.parse(await ok('motion', proposed.id, '--root', urls[2]!, '--json'));
  assert.equal(decided.result, 'passed');
  const verified = JSON.parse(
    await ok('world', 'verify', '--genesis', genesis, '--root', urls[3]!, '--json'),
  );
  assert.equal(verified.ok, true);
  assert.equal(verified.world.version, 2);

  // A ballot on a decided motion is answered with what happened, with its code, exit 1.
  const late = await witan(
    'vote',
    proposed.id,
    'no',
    '--governance-key',
    join(dir, 'beta', 'governance.key'),
    '--root',
    urls[1]!,
  );
  assert.equal(late.code, 1);
  assert.match(
    late.stderr,
    /already decided: passed at height \d+, world v2; your ballot was not sent \[MOTION_DECIDED\]/,
  );
  assert.doesNotMatch(late.stderr, /\n\s+at /);
});
