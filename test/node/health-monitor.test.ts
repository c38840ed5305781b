// The verdict rules (readiness.ts) and the monitor's log lines (health-monitor.ts), driven
// by a view whose answers the test sets: each transition is logged once, at warn, when it
// happens; a catch-up source's first answer with decisions starts catch-up, an empty one ends it.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { quorumSize } from '../../src/base/index.ts';
import type { Decision } from '../../src/consensus/index.ts';
import { DEFAULT_POLICY } from '../../src/governance/index.ts';
import { HealthMonitor, type HealthView } from '../../src/node/health-monitor.ts';
import { assessHealth, ROUNDS_WARN_MIN, STALL_BOUND_MIN_MS, stallBoundMs } from '../../src/node/readiness.ts';

const V = ['a', 'b', 'c', 'd'];
const base = {
  validators: V,
  reachable: V,
  quorum: 3,
  catchingUp: false,
  round: 0,
  progressAgeMs: 0,
  stallBoundMs: 10_000,
};

test('verdicts: healthy, degraded, behind, stalled, the worst wins and every reason is listed', () => {
  assert.deepEqual(assessHealth(base), { verdict: 'healthy', ready: true, reasons: [] });
  const one = assessHealth({ ...base, reachable: ['a', 'b', 'c'] });
  assert.equal(one.verdict, 'degraded');
  assert.equal(one.ready, true);
  assert.equal(one.reasons[0]!.code, 'VALIDATORS_UNREACHABLE');
  assert.equal(assessHealth({ ...base, round: ROUNDS_WARN_MIN }).verdict, 'degraded');
  const behind = assessHealth({ ...base, catchingUp: true });
  assert.deepEqual([behind.verdict, behind.ready], ['behind', false]);
  const lost = assessHealth({ ...base, reachable: ['c', 'a'], catchingUp: true, progressAgeMs: 10_001 });
  assert.deepEqual([lost.verdict, lost.ready], ['stalled', false]);
  assert.deepEqual(
    lost.reasons.map((r) => r.code),
    ['QUORUM_UNREACHABLE', 'STALLED', 'CATCHING_UP'],
  );
  assert.match(
    lost.reasons[0]!.message,
    /2 of 4 validators reachable, 3 needed to commit \(unreachable: b, d\)/,
  );
});

test('the stall bound is a twelfth of checkpointFreshnessMs, never below the floor', () => {
  assert.equal(stallBoundMs(DEFAULT_POLICY), 5 * 60_000);
  assert.equal(stallBoundMs({ checkpointFreshnessMs: 60_000 }), STALL_BOUND_MIN_MS);
});

function logSink() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, log: pino(sink), warns: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

test('the monitor logs quorum loss, stalls, climbing rounds and catch-up once each, and their end', async () => {
  const { log, warns, lines } = logSink();
  let nowMs = 1_000_000;
  const peers = new Set(['pb', 'pc', 'pd']);
  const consensus = { height: 5, round: 0, active: false };
  let pending = 0;
  const view: HealthView = {
    now: () => nowMs,
    validators: () => [
      { name: 'a', peerId: null },
      { name: 'b', peerId: 'pb' },
      { name: 'c', peerId: 'pc' },
      { name: 'd', peerId: 'pd' },
    ],
    connectedPeers: () => peers,
    consensus: () => consensus,
    pending: () => pending,
    policy: () => ({ ...DEFAULT_POLICY, checkpointFreshnessMs: 60_000 }),
    quorum: quorumSize,
  };
  const monitor = new HealthMonitor(view, log);
  assert.equal(monitor.sample().health.verdict, 'healthy');

  peers.delete('pc');
  peers.delete('pd');
  monitor.sample();
  monitor.sample();
  assert.deepEqual(warns(), ['quorum of validators unreachable: nothing can commit']);

  // Statements wait; idle time does not count, waiting time does.
  nowMs += 60_000;
  assert.equal(monitor.sample().progressAgeMs, 0, 'idle is not stalled');
  pending = 1;
  consensus.active = true;
  nowMs += STALL_BOUND_MIN_MS + 1;
  consensus.round = ROUNDS_WARN_MIN;
  monitor.sample();
  monitor.sample();
  assert.deepEqual(warns().slice(1), [
    'consensus stalled',
    'consensus rounds climbing: the validators do not agree on a batch',
  ]);

  peers.add('pc');
  monitor.committed();
  pending = 0;
  consensus.active = false;
  consensus.round = 0;
  consensus.height = 6;
  const back = monitor.sample();
  assert.equal(back.health.verdict, 'degraded');
  assert.ok(lines.some((l) => l.level === 30 && l.msg === 'quorum of validators reachable again'));
  assert.ok(lines.some((l) => l.level === 30 && l.msg === 'consensus progressing again'));

  const answers: Decision[][] = [[{} as Decision], [{} as Decision], []];
  const source = monitor.watchCatchUp({ decisionsFrom: async () => answers.shift() ?? [] });
  await source.decisionsFrom(6, 32);
  assert.equal(monitor.catchingUp, true);
  assert.equal(monitor.sample().health.verdict, 'behind');
  await source.decisionsFrom(7, 32);
  await source.decisionsFrom(8, 32);
  assert.equal(monitor.catchingUp, false);
  assert.deepEqual(warns().slice(3), [
    'catch-up started: this root is behind its peers',
    'catch-up ended: this root has what its peers have',
  ]);
});
