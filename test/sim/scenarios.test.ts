// Runs every scripted scenario in test/sim/scenarios/*.txt and checks its `expect` lines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseScenario, runSimulation } from '../../src/sim/index.ts';

const dir = join(import.meta.dirname, 'scenarios');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

test('there are scripted scenarios', () => {
  assert.ok(files.length >= 8);
});

for (const file of files) {
  test(`scenario ${file}`, () => {
    const { plan, expect } = parseScenario(readFileSync(join(dir, file), 'utf8'));
    const r = runSimulation(plan);
    const why = `${file}: ${JSON.stringify(r.violations)} (reproduce: seed ${plan.seed})`;
    assert.ok(expect.length > 0, `${file} states what it expects`);
    for (const e of expect) {
      const [what, arg] = e.split(/\s+/);
      if (what === 'violations') assert.equal(r.violations.length, Number(arg), why);
      else if (what === 'violation')
        assert.ok(
          r.violations.some((v) => v.kind === arg),
          `${file}: expected a ${arg} violation, got ${why}`,
        );
      else if (what === 'evidence') assert.ok(r.evidence > 0, `${file}: expected evidence`);
      else if (what === 'heights')
        assert.ok(r.heights >= Number(arg), `${file}: ${r.heights} heights < ${arg}`);
      else assert.fail(`${file}: unknown expectation "${e}"`);
    }
  });
}

test('scenario parser names the bad line', () => {
  assert.throws(() => parseScenario('nodes 4\nfrobnicate 3\n'), /line 2/);
  assert.throws(() => parseScenario('nodes x\n'), /line 1/);
});
