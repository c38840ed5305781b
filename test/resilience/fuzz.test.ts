// Every decoder and route a root exposes to the world, fuzzed with the benchmark's generator
// (bench/fuzz.ts runs 100,000 inputs per target; here a smaller count keeps the suite quick):
// random bytes, mutations of valid inputs and structure-aware cases give 0 crashes — every
// refusal is a typed error — and change no state, and the live root logs no error.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzAll } from '../../bench/fuzz.ts';

/** Inputs per target in the test suite. */
const INPUTS = 600;

test('every decoder and route: fuzzed inputs are refused with typed errors, never crash, change nothing', {
  timeout: 600_000,
}, async (t) => {
  const { reports, rootErrors } = await fuzzAll(INPUTS);
  assert.ok(reports.length >= 20, `${reports.length} targets`);
  for (const r of reports) {
    t.diagnostic(`${r.name}: ${r.accepted} accepted, ${r.refused} refused`);
    assert.equal(r.inputs, INPUTS, r.name);
    assert.equal(r.crashes, 0, `${r.name} crashed: ${r.examples.join('; ')}`);
    assert.equal(r.stateChanges, 0, `${r.name} changed state: ${r.examples.join('; ')}`);
    assert.ok(r.refused > 0, `${r.name}: the fuzzer reached its refusals`);
  }
  const names = reports.map((r) => r.name).join(' | ');
  for (const what of [
    'codec',
    'notes',
    'tile paths',
    'statements',
    'consensus',
    'cosignature',
    'rendezvous frames',
    'circuit v2 HOP',
    'circuit v2 STOP',
    'catch-up',
    'tlog-witness',
    'route: POST /statements',
    'route: GET /tile',
    'stream: rendezvous',
    'stream: circuit relay',
  ])
    assert.ok(names.includes(what), `a target for ${what}`);
  assert.deepEqual(rootErrors, [], 'the live root logged no error');
});
