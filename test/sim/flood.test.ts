// Flooding roots: f roots send valid-looking messages at a fixed rate all run long (old heights, far
// rounds, heights ahead, large values, duplicates, replays). Honest roots commit every statement
// within the liveness bound, and what each sends stays within the send-rate bound — and a driver
// that re-sent on receipt of old messages is caught by that bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floodPlan, runSimulation } from '../../src/sim/index.ts';

const SEEDS_PER_SIZE = 6;

for (const n of [4, 7, 10]) {
  test(`flooding plans, n = ${n}: every statement committed, honest send rate bounded`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS_PER_SIZE; seed++) {
      const plan = floodPlan(seed, n);
      const r = runSimulation(plan);
      for (const v of r.violations) {
        failures.push(
          `seed ${seed}: ${v.kind}: ${v.message}\n  reproduce: npm run sim -- --seed ${seed} --n ${n} --flood`,
        );
      }
      if (r.violations.length > 0) continue;
      const flooders = plan.byzantine.length;
      assert.ok(flooders >= 1 && plan.byzantine.every((b) => b.behaviour === 'flooder'));
      // Each flooder sent far more than any honest root may: the bound is not met by a quiet flood.
      const floodedPerSecond = (r.faults.flooded / flooders / r.virtualMs) * 1000;
      assert.ok(floodedPerSecond > r.honestSendsBound, `seed ${seed}: ${floodedPerSecond} messages/s`);
      assert.ok(r.honestSendsPerWindowMax <= r.honestSendsBound);
      // Every statement has its commit latency: it reached every honest root.
      const statements = plan.statements.reduce((a, s) => a + s.count, 0);
      assert.equal(r.commitLatenciesMs.length, statements, `seed ${seed}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('a driver that re-sends whenever an old message arrives breaks the send-rate bound under a flood', () => {
  let found: number | null = null;
  for (let seed = 1; seed <= 20 && found === null; seed++) {
    const r = runSimulation(floodPlan(seed, 4, { mutation: 'resend-on-old-message' }));
    if (r.violations.some((v) => v.kind === 'send-rate')) found = seed;
  }
  assert.notEqual(found, null, 'no send-rate violation in 20 seeds');
});
