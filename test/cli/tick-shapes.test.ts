// A root holds one queued tick so that process.nextTick's inline caches stay monomorphic after
// the collections of a root at rest (src/cli/tick-shapes.ts). Each case runs in its own Node
// process with V8's natives syntax, which prints the feedback of process.nextTick: the states of
// the property definitions in its tick literal, after rounds of ticks each followed by a full
// collection with no tick queued — what an idle root's collections see.
//
// The children compile on the main thread (--no-concurrent-recompilation): with TurboFan in the
// background, where its compilations land among the rounds varies, and so did the outcome without
// the hold (monomorphic in 1 of 10 runs at rest, 3 of 10 with both cores busy). On the main thread
// the sequence is the same every run: 20 of 20 each way, both cores busy.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { keepNextTickShapes, nextTickShapesKept } from '../../src/cli/tick-shapes.ts';

const MODULE_URL = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'cli', 'tick-shapes.ts')).href;
/** Rounds of ticks and a full collection: past what made the caches megamorphic (8) by half. */
const ROUNDS = 12;
const TICKS_PER_ROUND = 20_000;
const CHILD_TIMEOUT_MS = 60_000;

/** The states V8 reports for the tick literal's property definitions, after the rounds. */
function literalStates(keep: boolean): string[] {
  const script = `
    const { keepNextTickShapes } = await import(${JSON.stringify(MODULE_URL)});
    if (${keep}) keepNextTickShapes();
    const noop = () => {};
    for (let round = 0; round < ${ROUNDS}; round++) {
      for (let i = 0; i < ${TICKS_PER_ROUND}; i++) process.nextTick(noop, i);
      await new Promise((resolve) => setTimeout(resolve, 5));
      globalThis.gc();
    }
    new Function('%DebugPrint(process.nextTick)')();
  `;
  const r = spawnSync(
    process.execPath,
    [
      '--no-concurrent-recompilation',
      '--expose-gc',
      '--allow-natives-syntax',
      '--input-type=module',
      '--eval',
      script,
    ],
    { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS },
  );
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
}

test('one tick held keeps the tick literal monomorphic through the collections of a process at rest', () => {
  const states = literalStates(true);
  assert.ok(states.length >= 3, `the tick literal's definitions were not found: ${states}`);
  assert.deepEqual(new Set(states), new Set(['MONOMORPHIC']));
});

test('without it, the same rounds leave the tick literal megamorphic (what the hold is for)', () => {
  assert.ok(literalStates(false).includes('MEGAMORPHIC'));
});

test('keepNextTickShapes holds a tick object, once', () => {
  keepNextTickShapes();
  keepNextTickShapes();
  assert.equal(nextTickShapesKept(), true);
});
