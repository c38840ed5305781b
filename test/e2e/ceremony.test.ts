// An operator's and an officer's path through the real `witan` binary, as people on separate
// machines would take it: four `witan init` folders, the genesis ceremony (assemble, each
// founder signs a copy, combine, verify), four `witan start` processes, a candidate's
// `witan candidacy`, `witan propose admit` at one root and `witan vote` at the others, then
// the world change observed with `witan world show --json`, `witan motion --json` and
// `witan world verify` from the pinned genesis.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  type RootProcess,
  spawnRoot,
  stopRoot,
  waitHealthy,
} from '../../src/cli/root-processes.ts';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const CEREMONY_TEST_TIMEOUT_MS = 300_000;
const WAIT_STEP_MS = 500;
const WAIT_MAX_MS = 60_000;

function witan(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await witan(...args);
  assert.equal(r.code, 0, `witan ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MAX_MS;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const roots: RootProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'witan-ceremony-'));
after(async () => {
  await Promise.all(roots.map((r) => stopRoot(r)));
  rmSync(dir, { recursive: true, force: true });
});

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
    await eventually('the motion open at this root', async () => {
      const m = JSON.parse(await ok('motion', proposed.id, '--root', urls[i]!, '--json'));
      return m.status === 'open' ? m : undefined;
    });
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
  const shown = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      eventually(`world v2 at root ${i}`, async () => {
        const w = JSON.parse(await ok('world', 'show', '--root', urls[i]!, '--json'));
        return w.version === 2 ? w : undefined;
      }),
    ),
  );
  for (const w of shown) assert.equal(w.hash, shown[0]!.hash);
  const epsilon = shown[0]!.world.members.find((m: { name: string }) => m.name === 'epsilon');
  assert.equal(epsilon.status, 'probation');
  const decided = JSON.parse(await ok('motion', proposed.id, '--root', urls[2]!, '--json'));
  assert.equal(decided.result, 'passed');
  const verified = JSON.parse(
    await ok('world', 'verify', '--genesis', genesis, '--root', urls[3]!, '--json'),
  );
  assert.equal(verified.ok, true);
  assert.equal(verified.world.version, 2);

  // A ballot on a decided motion is refused by the rules, with its code, exit 1.
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
  assert.match(late.stderr, /\[[A-Z_]+\]/);
  assert.doesNotMatch(late.stderr, /\n\s+at /);
});
