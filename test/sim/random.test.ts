// 1,000+ seeded random simulations across N = 4, 7, 10 with up to f Byzantine roots, faulty
// links, partitions and crashes: zero violations. A failure names the seed and the command that
// reproduces it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomPlan, runSimulation } from '../../src/sim/index.ts';

const SIZES = [4, 7, 10];
const SEEDS_PER_SIZE = 340;

for (const n of SIZES) {
  test(`random simulations, n = ${n}: ${SEEDS_PER_SIZE} seeds, no violations`, () => {
    const failures: string[] = [];
    let faults = 0;
    let heights = 0;
    for (let seed = 1; seed <= SEEDS_PER_SIZE; seed++) {
      const r = runSimulation(randomPlan(seed, n));
      faults += Object.values(r.faults).reduce((a, b) => a + b, 0);
      heights += r.heights;
      for (const v of r.violations) {
        failures.push(
          `seed ${seed}: ${v.kind}: ${v.message}\n  reproduce: npm run sim -- --seed ${seed} --n ${n}`,
        );
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(faults > SEEDS_PER_SIZE, 'faults were injected');
    assert.ok(heights >= SEEDS_PER_SIZE, 'every run committed');
  });
}

test('a run is a function of its seed', () => {
  const { stepMs: _a, ...a } = runSimulation(randomPlan(77, 7));
  const { stepMs: _b, ...b } = runSimulation(randomPlan(77, 7));
  assert.deepEqual(a, b); // everything but the real time spent
});
