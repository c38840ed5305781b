// The README's main job, run as a new user would: `witan devnet` on a fresh folder founds a
// federation of four root processes, makes the federation key by DKG (world v2), admits a
// fifth member by motion and ballots (world v3 on every root), lets it catch up and finish
// probation (world v4), rotates the federation key to the five voting members, and has two
// overlay peers meet by rendezvous and talk through a root's relay. --exit-after-story stops
// it cleanly.

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
    assert.match(out, /world v2: federation key \S+ \(3 of 4\); no root holds it whole/);
    assert.match(out, /world v3 committed and served identically by all 4 roots/);
    assert.match(out, /epsilon serves world v3/);
    assert.match(out, /epsilon is a voting member \(world v4\)/);
    assert.match(out, /world v\d+: federation key \S+ \(4 of 5\) replaces/);
    assert.match(out, /"hello through the relay" went to \w+ and back through the relay/);
    assert.match(out, /stopped; data kept in/);
    // Every root wrote its own LedgerDB and shut down cleanly (no LOCK left held: a restart could open it).
    for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      assert.ok(existsSync(join(dir, 'net', name, 'ledger')), `${name} has a ledger`);
      assert.ok(
        existsSync(join(dir, 'net', name, 'federation')),
        `${name} has a folder for its federation key shares`,
      );
      assert.match(readFileSync(join(dir, 'net', name, 'root.log'), 'utf8'), /root stopped/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
