// The systemd unit is hardened, and says what docs/installing.md says: systemd's own
// assessment (`systemd-analyze security`, offline, on the file itself) rates its exposure at
// 2.0 or less, and the unit runs the installed command as the service user against the data
// folder systemd creates for it. The assessment needs systemd-analyze, which only systemd
// machines have; test/release/package.test.ts also verifies the unit against a real install.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = join(ROOT, 'deploy', 'witan.service');
/** systemd's scale runs from 0 (locked down) to 10 (exposed); it calls up to 2.0 "OK". */
const EXPOSURE_MAX = 2.0;
const ANALYZE = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();

/** Every `Key=value` line of the unit, by key (a key may repeat). */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

test(`systemd-analyze security rates the unit's exposure at ${EXPOSURE_MAX.toFixed(1)} or less`, {
  skip: ANALYZE === '' && 'systemd-analyze is not installed on this machine',
}, () => {
  const r = spawnSync(ANALYZE, ['security', '--offline=yes', '--no-pager', UNIT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /Overall exposure level for witan\.service: (\d+\.\d) (\w+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const exposure = Number(m[1]);
  assert.ok(exposure <= EXPOSURE_MAX, `exposure ${exposure} (${m[2]}):\n${r.stdout}`);
});

test('the unit runs the installed command as the witan user on the state directory of the install doc', () => {
  const unit = directives(readFileSync(UNIT, 'utf8'));
  assert.deepEqual(unit.get('User'), ['witan']);
  assert.deepEqual(unit.get('StateDirectory'), ['witan']);
  assert.deepEqual(unit.get('StateDirectoryMode'), ['0700']);
  assert.deepEqual(unit.get('ExecStart'), ['/opt/witan/bin/witan start --config /var/lib/witan/witan.json']);
  assert.deepEqual(unit.get('CapabilityBoundingSet'), ['']);
  assert.deepEqual(unit.get('ProtectSystem'), ['strict']);
  const doc = readFileSync(join(ROOT, 'docs', 'installing.md'), 'utf8');
  for (const phrase of [
    'useradd --system --home-dir /var/lib/witan --shell /usr/sbin/nologin witan',
    'install -m 0644 /opt/witan/deploy/witan.service /etc/systemd/system/witan.service',
    'ln -sfn /opt/witan/bin/witan /usr/local/bin/witan',
    '--dir /var/lib/witan',
    'chown -R witan:witan /var/lib/witan',
  ])
    assert.ok(doc.includes(phrase), `docs/installing.md does not say: ${phrase}`);
});
