// Every way a root is started gives Node the same flags (ROOT_NODE_FLAGS): the release's
// launcher for `witan start` (and only for it), the container image, and spawnRoot, which the
// devnet, the tests and the benchmarks use.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LAUNCHER } from '../../scripts/release.ts';
import { ROOT_NODE_FLAGS } from '../../src/cli/constants.ts';
import { killRoot, MAIN_SCRIPT, spawnRoot } from '../../src/cli/root-processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test('the release launcher gives `witan start` the root flags and other commands none', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'witan-launcher-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, 'bin'));
  mkdirSync(join(home, 'node', 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin', 'witan'), LAUNCHER, { mode: 0o755 });
  // A stand-in for the release's node that prints the arguments it was given, one a line.
  const node = join(home, 'node', 'bin', 'node');
  writeFileSync(node, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(node, 0o755);
  const argsOf = (...args: string[]) => {
    const r = spawnSync(join(home, 'bin', 'witan'), args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };
  const script = join(home, 'bin', 'witan.js');
  assert.deepEqual(argsOf('start', '--config', 'w.json'), [
    ...ROOT_NODE_FLAGS,
    script,
    'start',
    '--config',
    'w.json',
  ]);
  assert.deepEqual(argsOf('audit', '--root', 'https://x.invalid/'), [
    script,
    'audit',
    '--root',
    'https://x.invalid/',
  ]);
  assert.deepEqual(argsOf('--version'), [script, '--version']);
});

test('the container image starts its root with the root flags', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (.*)$/m.exec(dockerfile);
  assert.ok(entrypoint, 'the Dockerfile has no ENTRYPOINT');
  assert.deepEqual(JSON.parse(entrypoint[1]!), ['node', ...ROOT_NODE_FLAGS, '/opt/witan/bin/witan.js']);
  assert.match(dockerfile, /^CMD \["start", /m);
});

test('spawnRoot starts the CLI under the root flags, or under the flags it is given', async (t) => {
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
    await killRoot(root);
    assert.deepEqual(argv.slice(1, 2 + expected.length), [...expected, MAIN_SCRIPT]);
    assert.deepEqual(argv.slice(-3), ['start', '--config', join(dir, 'witan.json')]);
  }
});
