// A few SIGKILL cycles of real root processes during commits (bench/sigkill.ts runs 100): the
// killed root loses nothing it had committed, nobody double-votes, and every ballot an alive
// root took commits everywhere.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sigkillCycles } from '../../bench/lib/sigkill-cycles.ts';
import { createFederation, startAll, type TestFederation } from '../node/fixtures/federation.ts';

const CYCLES = 3;
let fed: TestFederation;

before(async () => {
  fed = await createFederation({ members: 4 });
  await startAll(fed);
});

after(async () => {
  await fed?.close();
});

test('roots SIGKILLed during commits lose no committed entry and never double-vote', {
  timeout: 600_000,
}, async (t) => {
  const r = await sigkillCycles(fed, CYCLES, (line) => t.diagnostic(line));
  assert.equal(r.cycles, CYCLES);
  assert.equal(r.lostEntries, 0, 'committed entries lost');
  assert.equal(r.doubleVotes, 0, 'double votes');
  assert.equal(r.lostBallots, 0, 'ballots taken and not committed');
  assert.ok(r.ballots >= CYCLES * 3);
});
