// The client library imported from a scratch project that has no TypeScript: a folder outside
// the repository and outside node_modules with a package.json and examples/overlay-peer.mjs,
// run by plain `node`. The example imports the library's TypeScript source
// (src/overlay/index.ts) by path (WITAN_OVERLAY), which Node 24 runs by type stripping (it
// refuses only files under node_modules): no build step between a change and this test. Against
// a federation of real
// `witan start` roots on 127.0.0.1: one peer stays and answers, the other verifies the world
// from the pinned genesis and sends a message that crosses a root's relay and comes back;
// `witan peer`, on the same library, does the same from the command line.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chainVerifier, WorldKeeper } from '../../src/overlay/index.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitUntil } from '../helpers/wait.ts';
import { runWitan } from '../helpers/witan.ts';
import { createFederation, startAll, type TestFederation } from '../node/fixtures/federation.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/overlay-peer.mjs', import.meta.url));
const LIBRARY = fileURLToPath(new URL('../../src/overlay/index.ts', import.meta.url));
/** The roots start and commit the genesis under a quorum of cosignatures. */
const FEDERATION_READY_MS = 90_000;
/** One run of the example: the world, two reservations, a registration, a message. */
const EXAMPLE_RUN_MS = 60_000;

let fed: TestFederation;
const scratch = tempDir('scratch-project');
const running: ChildProcess[] = [];

before(
  async () => {
    fed = await createFederation({ members: 4, logLevel: 'warn' });
    await startAll(fed);
    const keeper = new WorldKeeper({
      verifier: chainVerifier(fed.genesis),
      seedUrls: fed.members.map((m) => m.httpUrl),
    });
    await waitUntil('a world every peer can verify', () => keeper.refresh(), {
      timeoutMs: FEDERATION_READY_MS,
      intervalMs: 250,
    });
    writeFileSync(
      join(scratch, 'package.json'),
      '{ "name": "scratch", "private": true, "type": "module" }\n',
    );
    copyFileSync(EXAMPLE, join(scratch, 'overlay-peer.mjs'));
    writeFileSync(join(scratch, 'genesis.json'), JSON.stringify(fed.genesis));
  },
  { timeout: FEDERATION_READY_MS + 60_000 },
);

after(async () => {
  for (const c of running) c.kill('SIGKILL');
  await fed?.close();
});

/** `node overlay-peer.mjs …` in the scratch folder; resolves with its output once `until` shows in it. */
function example(args: string[], until: RegExp): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, ['overlay-peer.mjs', '--genesis', 'genesis.json', ...args], {
    cwd: scratch,
    env: { ...process.env, WITAN_OVERLAY: LIBRARY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  const output = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${until} within ${EXAMPLE_RUN_MS} ms:\n${out}`)),
      EXAMPLE_RUN_MS,
    );
    const look = (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (until.test(out)) resolve(out);
      else reject(new Error(`the example exited ${code}:\n${out}`));
    });
  });
  return { child, output };
}

test('a plain .mjs project imports the client library, verifies the world and sends a message through a relay', {
  timeout: 3 * EXAMPLE_RUN_MS,
}, async () => {
  const root = fed.members[1]?.httpUrl as string;
  const listener = example(['--root', root, '--stay', '120'], /listening in/);
  const heard = await listener.output;
  assert.match(heard, /world v1 verified from the pinned genesis: [0-9a-f]{64}/);
  const peerId = /peer (\S+) holds relay reservations on (\w+) and (\w+)/.exec(heard)?.[1];
  assert.ok(peerId, heard);
  const sender = example(
    ['--root', fed.members[2]?.httpUrl as string, '--send', peerId, '--message', 'hi from plain JavaScript'],
    /echo .*\n/,
  );
  const said = await sender.output;
  assert.match(said, /world v1 verified from the pinned genesis/);
  const names = fed.members.map((m) => m.name).join('|');
  assert.match(
    said,
    new RegExp(`echo "hi from plain JavaScript" from ${peerId} through the relay of (${names})\\n`),
  );
  await new Promise((r) => sender.child.once('exit', r));
  assert.equal(sender.child.exitCode, 0);
  // `witan peer` is the same library behind the command line.
  const cli = await runWitan([
    'peer',
    '--genesis',
    join(scratch, 'genesis.json'),
    '--root',
    fed.members[3]?.httpUrl as string,
    '--send',
    peerId,
    '--message',
    'hi from witan peer',
    '--json',
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const result = JSON.parse(cli.stdout) as {
    world: { version: number };
    roots: string[];
    peers: string[];
    echo: string;
  };
  assert.equal(result.world.version, 1);
  assert.equal(result.roots.length, 2);
  assert.ok(result.peers.includes(peerId));
  assert.equal(result.echo, 'hi from witan peer');
  listener.child.kill('SIGTERM');
  await new Promise((r) => listener.child.once('exit', r));
  assert.equal(listener.child.exitCode, 0, 'the listener leaves cleanly on SIGTERM');
});
