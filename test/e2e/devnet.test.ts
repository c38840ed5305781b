// The README's main job, run as a new user would: `witan devnet` on a fresh folder founds a
// federation of four root processes, admits a fifth member by motion and ballots (world v2 on
// every root, whichever ballot decides it), lets it catch up and finish probation (world v3),
// and has two overlay peers meet by rendezvous and talk through a root's relay.
// --exit-after-story stops it cleanly.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const DEVNET_TEST_TIMEOUT_MS = 300_000;

test('witan devnet founds a federation, admits a member through probation, and relays between two peers', {
  timeout: DEVNET_TEST_TIMEOUT_MS,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-devnet-test-'));
  try {
    const child = spawn(process.execPath, [BIN, 'devnet', '--exit-after-story', '--dir', join(dir, 'net')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), DEVNET_TEST_TIMEOUT_MS - 10_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 0, out);
    assert.match(out, /genesis committed: every root serves a quorum-cosigned checkpoint/);
    // With four members the third yes decides: every member either voted or was told, in
    // words, that the motion had already passed — whichever ballot it was.
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
      assert.match(
        out,
        new RegExp(
          `${name} votes yes|${name}'s ballot is not needed: the motion already passed at height \\d+, world v2`,
        ),
      );
    }
    assert.match(out, /world v2 committed and served identically by all 4 roots/);
    assert.match(
      out,
      /motion [0-9a-f]{8,} passed at height \d+, world v2, by the ballots of (\w+ yes(, )?){3,4}/,
    );
    assert.match(out, /epsilon serves world v2/);
    assert.match(out, /epsilon is a voting member \(world v3\)/);
    assert.match(out, /"hello through the relay" went to \w+ and back through the relay/);
    assert.match(out, /stopped; data kept in/);
    // Every root wrote its own LedgerDB and shut down cleanly (no LOCK left held: a restart could open it).
    for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      assert.ok(existsSync(join(dir, 'net', name, 'ledger')), `${name} has a ledger`);
      assert.match(readFileSync(join(dir, 'net', name, 'root.log'), 'utf8'), /root stopped/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
