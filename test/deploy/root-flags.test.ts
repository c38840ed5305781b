// Every way a root is started gives Node the same flags (ROOT_NODE_FLAGS) and environment
// (ROOT_ENV): the release's launcher for `witan start` (and only for it), the container image,
// and spawnRoot, which the devnet, the tests and the benchmarks use.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LAUNCHER } from '../../scripts/release.ts';
import { ROOT_ENV, ROOT_NODE_FLAGS } from '../../src/cli/constants.ts';
import { killRoot, MAIN_SCRIPT, spawnRoot } from '../../src/cli/root-processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** `KEY=value` lines of ROOT_ENV's keys as `env` has them (unset: `KEY=`). */
const rootEnvLines = (env: Readonly<Record<string, string | undefined>>) =>
  Object.keys(ROOT_ENV).map((k) => `${k}=${env[k] ?? ''}`);

test('the release launcher gives `witan start` the root flags and environment, other commands neither', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'witan-launcher-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, 'bin'));
  mkdirSync(join(home, 'node', 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin', 'witan'), LAUNCHER, { mode: 0o755 });
  // A stand-in for the release's node that prints ROOT_ENV's variables as it sees them, then
  // the arguments it was given, one a line.
  const node = join(home, 'node', 'bin', 'node');
  const printEnv = Object.keys(ROOT_ENV)
    .map((k) => `printf "%s\\n" "${k}=\${${k}:-}"\n`)
    .join('');
  writeFileSync(node, `#!/bin/sh\n${printEnv}for a in "$@"; do printf "%s\\n" "$a"; done\n`);
  chmodSync(node, 0o755);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in ROOT_ENV)));
  const argsOf = (args: string[], env: NodeJS.ProcessEnv = clean) => {
    const r = spawnSync(join(home, 'bin', 'witan'), args, { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
  const script = join(home, 'bin', 'witan.js');
  const unset = rootEnvLines({});
  assert.deepEqual(argsOf(['start', '--config', 'w.json']), [
    ...rootEnvLines(ROOT_ENV),
    ...ROOT_NODE_FLAGS,
    script,
    'start',
    '--config',
    'w.json',
  ]);
  assert.deepEqual(argsOf(['audit', '--root', 'https://x.invalid/']), [
    ...unset,
    script,
    'audit',
    '--root',
    'https://x.invalid/',
  ]);
  assert.deepEqual(argsOf(['--version']), [...unset, script, '--version']);
  // An operator's own value wins over the launcher's.
  const own = Object.fromEntries(Object.keys(ROOT_ENV).map((k) => [k, '7']));
  assert.deepEqual(argsOf(['start'], { ...clean, ...own }).slice(0, unset.length), rootEnvLines(own));
});

test('the container image starts its root with the root flags and environment', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const env = Object.fromEntries([...dockerfile.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [k, v] of Object.entries(ROOT_ENV)) assert.equal(env[k], v, `ENV ${k} in the Dockerfile`);
  const entrypoint = /^ENTRYPOINT (.*)$/m.exec(dockerfile);
  assert.ok(entrypoint, 'the Dockerfile has no ENTRYPOINT');
  assert.deepEqual(JSON.parse(entrypoint[1]!), ['node', ...ROOT_NODE_FLAGS, '/opt/witan/bin/witan.js']);
  assert.match(dockerfile, /^CMD \["start", /m);
});

test('spawnRoot starts the CLI under the root flags and environment, or under the flags it is given', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-spawn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // What was executed is all this asks: each process is killed at once.
  for (const [flags, expected] of [
    [undefined, ROOT_NODE_FLAGS],
    [[], []],
  ] as const) {
    const root = spawnRoot({
      name: 'r',
      dir,
      httpUrl: 'http://127.0.0.1:1',
      ...(flags ? { nodeFlags: flags } : {}),
    });
    const argv = root.child.spawnargs;
    // spawn returns once the program is executed: its environment is the root's own.
    const environ = readFileSync(`/proc/${root.child.pid}/environ`, 'utf8').split('\0');
    await killRoot(root);
    for (const line of rootEnvLines({ ...ROOT_ENV, ...process.env }))
      assert.ok(environ.includes(line), `${line} in the root's environment`);
    assert.deepEqual(argv.slice(1, 2 + expected.length), [...expected, MAIN_SCRIPT]);
    assert.deepEqual(argv.slice(-3), ['start', '--config', join(dir, 'witan.json')]);
  }
});
