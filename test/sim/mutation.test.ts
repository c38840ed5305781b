// Mutation check: the simulator must catch a deliberately broken algorithm within the CI budget,
// and must not flag the unbroken one on the same plans.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UnsafeMutation } from '../../src/consensus/index.ts';
import { mutationHuntPlan, runSimulation } from '../../src/sim/index.ts';

const SEEDS_MAX = 300;

function firstSafetyViolation(mutation: UnsafeMutation | undefined): { seed: number; kind: string } | null {
  for (let seed = 1; seed <= SEEDS_MAX; seed++) {
    const r = runSimulation(mutationHuntPlan(seed, 4, mutation));
    const v = r.violations.find((x) => x.kind !== 'liveness');
    if (v !== undefined) return { seed, kind: v.kind };
  }
  return null;
}

test('breaking the locking rule: the simulator finds an agreement violation', () => {
  const found = firstSafetyViolation('no-locking');
  assert.ok(found, `no violation in ${SEEDS_MAX} seeds`);
  assert.equal(found.kind, 'agreement');
});

test('a quorum one short: the simulator finds an agreement violation', () => {
  const found = firstSafetyViolation('quorum-minus-one');
  assert.ok(found, `no violation in ${SEEDS_MAX} seeds`);
  assert.equal(found.kind, 'agreement');
});

test('the same plans with the real algorithm have no violations', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const r = runSimulation(mutationHuntPlan(seed, 4));
    assert.deepEqual(r.violations, [], `seed ${seed}`);
  }
});
