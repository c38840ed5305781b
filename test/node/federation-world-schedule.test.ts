// Which waiting worlds a root asks the federation to sign (src/node/federation/world-schedule.ts):
// a lone change and a key transition at once, the newest of a burst once it settled, one world per period under
// changes that never pause, at once every older world that signing the newest would not take
// off the list, and a world once due stays due while it waits.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type PendingSignature, supersededByNewest } from '../../src/governance/index.ts';
import { WORLD_SETTLE_MS, WORLD_SIGNED_AGE_MAX_MS } from '../../src/node/federation/constants.ts';
import { WorldSchedule } from '../../src/node/federation/world-schedule.ts';
import { pendingEntry } from '../governance/fixtures.ts';

const world = pendingEntry;

const due = (schedule: WorldSchedule, pending: PendingSignature[], now: number) =>
  [...schedule.due(pending, now)].sort((a, b) => a - b);

test('a lone world change in a quiet federation is signed at once', () => {
  const schedule = new WorldSchedule(0);
  assert.deepEqual(due(schedule, [], 10_000), []);
  assert.deepEqual(due(schedule, [world(5)], 10_000), [5]);
  // Nothing signed for a while after a restart: the same.
  assert.deepEqual(due(new WorldSchedule(), [world(5)], 0), [5]);
});

test('in a burst, the first world is signed at once, the next only once the newest stood still, superseded ones never', () => {
  const schedule = new WorldSchedule(0);
  assert.deepEqual(due(schedule, [world(5)], 10_000), [5], 'the first: at once');
  schedule.signed(10_030);
  assert.equal(schedule.settlesAtMs(), undefined, 'v5 is due: nothing to wait for');
  assert.deepEqual(due(schedule, [world(6)], 10_050), [], 'the newest has not stood still');
  assert.equal(schedule.settlesAtMs(), 10_050 + WORLD_SETTLE_MS, 'when to look again');
  assert.deepEqual(due(schedule, [world(6), world(7)], 10_100), [], 'v6 is superseded by v7 once signed');
  assert.equal(schedule.settlesAtMs(), 10_100 + WORLD_SETTLE_MS, 'a newer world: its own wait');
  assert.deepEqual(due(schedule, [world(6), world(7)], 10_100 + WORLD_SETTLE_MS - 1), []);
  assert.deepEqual(due(schedule, [world(6), world(7)], 10_100 + WORLD_SETTLE_MS), [7]);
  assert.equal(schedule.settlesAtMs(), undefined);
  assert.deepEqual(due(schedule, [], 10_600), [], 'v7 signed: nothing waits');
  assert.equal(schedule.settlesAtMs(), undefined, 'nothing to look at again');
});

test('under changes that never pause, one world per period is signed at once and stays due while newer ones come', () => {
  const schedule = new WorldSchedule(0);
  const start = 10_000;
  due(schedule, [world(5)], start);
  schedule.signed(start);
  const pending = [world(6)];
  let pinned: number | undefined;
  for (let t = start + 100, v = 7; t <= start + WORLD_SIGNED_AGE_MAX_MS + 300; t += 100, v++) {
    pending.push(world(v));
    const now = due(schedule, pending, t);
    if (t - start < WORLD_SIGNED_AGE_MAX_MS) assert.deepEqual(now, [], `nothing due at +${t - start} ms`);
    else {
      pinned ??= v;
      assert.deepEqual(now, [pinned], 'the world due when the period ended, and only it');
    }
  }
  assert.equal(pinned, 6 + WORLD_SIGNED_AGE_MAX_MS / 100);
});

test('older worlds that signing the newest would not take off the list are signed at once', () => {
  const schedule = new WorldSchedule(0);
  schedule.signed(10_000);
  const pending = [world(5, { transition: true }), world(6, { planet: true }), world(7), world(8)];
  assert.deepEqual(due(schedule, pending, 10_010), [5, 6], 'the transition and the newest planet');
  // A newest world that changes the key: at once, nothing can supersede it.
  assert.deepEqual(due(schedule, [...pending, world(9, { transition: true })], 10_020), [5, 6, 9]);
});

test('property: the settled newest, a newest transition and every world the newest would not supersede are due, and stay due; at most one early world per period', () => {
  type Step = { gapMs: number; change: 'none' | 'plain' | 'planet' | 'transition' | 'signed' };
  const step = fc.record({
    gapMs: fc.integer({ min: 0, max: 900 }),
    change: fc.constantFrom('none', 'plain', 'planet', 'transition', 'signed') as fc.Arbitrary<
      Step['change']
    >,
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const schedule = new WorldSchedule(0);
      let now = 10_000;
      let version = 1;
      let pending: PendingSignature[] = [];
      let newestSince = now;
      let lastSignedMs = 0;
      const seen = new Set<number>();
      for (const s of steps) {
        now += s.gapMs;
        if (s.change === 'signed' && pending.length > 0) {
          // A signature of the newest: it and what it supersedes leave the list.
          pending = pending.filter((_, i) => i < pending.length - 1 && !supersededByNewest(pending).has(i));
          schedule.signed(now);
          lastSignedMs = now;
          newestSince = now;
        } else if (s.change !== 'none' && s.change !== 'signed') {
          pending.push(
            world(++version, { planet: s.change === 'planet', transition: s.change === 'transition' }),
          );
          newestSince = now;
        }
        const out = schedule.due(pending, now);
        // When to look again is never a moment already past: the root would look again at once.
        const settles = schedule.settlesAtMs();
        assert.ok(settles === undefined || settles > now, `settlesAtMs ${settles} not after ${now}`);
        const newest = pending.at(-1);
        if (newest === undefined) continue;
        if (now - newestSince >= WORLD_SETTLE_MS) assert.ok(out.has(newest.version), 'the settled newest');
        if (newest.transition) assert.ok(out.has(newest.version), 'a transition at once');
        if (seen.has(newest.version)) assert.ok(out.has(newest.version), 'a world once due stays due');
        pending.forEach((p, i) => {
          if (i < pending.length - 1 && !supersededByNewest(pending).has(i)) assert.ok(out.has(p.version));
        });
        for (const v of out) {
          const i = pending.findIndex((p) => p.version === v);
          assert.ok(i >= 0, 'only waiting worlds');
          if (seen.has(v)) continue;
          seen.add(v);
          // Due for the first time though a newer world would supersede it or it has not stood
          // still: an early world, only once the period since the last signature or early one passed.
          const early =
            (i === pending.length - 1 && !pending[i]!.transition && now - newestSince < WORLD_SETTLE_MS) ||
            (i < pending.length - 1 && supersededByNewest(pending).has(i));
          if (early) {
            assert.ok(now - lastSignedMs >= WORLD_SIGNED_AGE_MAX_MS, `world ${v} signed early too soon`);
            lastSignedMs = now;
          }
        }
      }
    }),
    { numRuns: 300 },
  );
});
