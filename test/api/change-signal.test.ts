// Long polls (src/api/change-signal.ts): a wait ends at the next change, at its time, or at
// once when the server is closing or holds its bound of waiting requests; waitFor looks again
// at each change and never waits past the server's bound.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChangeSignal,
  LONG_POLL_MS_MAX,
  LONG_POLL_WAITERS_MAX,
  waitFor,
} from '../../src/api/change-signal.ts';

test('a wait ends at the next change, or when its time is up', async () => {
  const signal = new ChangeSignal(10_000);
  const woken = signal.next(5_000);
  assert.equal(signal.waiting, 1);
  signal.notify();
  assert.equal(await woken, true);
  assert.equal(signal.waiting, 0);
  const started = performance.now();
  assert.equal(await signal.next(30), true);
  assert.ok(performance.now() - started >= 25);
  assert.equal(signal.waiting, 0, 'a wait that timed out is forgotten');
});

test('at its bound of waiting requests, or once closed, a wait ends at once', async () => {
  const signal = new ChangeSignal(10_000);
  const held = Array.from({ length: LONG_POLL_WAITERS_MAX }, () => signal.next(5_000));
  assert.equal(signal.waiting, LONG_POLL_WAITERS_MAX);
  assert.equal(await signal.next(5_000), false, 'one more: at once');
  signal.close();
  assert.deepEqual(new Set(await Promise.all(held)), new Set([false]));
  assert.equal(await signal.next(5_000), false);
  assert.equal(signal.waiting, 0);
});

test('waitFor looks again at each change and stops when done, at its time, or at the server bound', async () => {
  const signal = new ChangeSignal(100);
  assert.equal(signal.waitMsMax, 100);
  assert.equal(new ChangeSignal(10 * LONG_POLL_MS_MAX).waitMsMax, LONG_POLL_MS_MAX);
  let value = 0;
  const done = waitFor(signal, 5_000, () => value >= 2);
  for (const v of [1, 2]) {
    while (signal.waiting === 0) await new Promise((r) => setTimeout(r, 1));
    value = v;
    signal.notify();
  }
  await done;
  assert.equal(value, 2);
  // Asked for 5 s, bounded by the server's 100 ms.
  const started = performance.now();
  await waitFor(signal, 5_000, () => false);
  const took = performance.now() - started;
  assert.ok(took >= 95 && took < 2_000, `waited ${took} ms`);
  // No signal or no wait: at once.
  await waitFor(undefined, 5_000, () => false);
  await waitFor(signal, 0, () => false);
  assert.equal(signal.waiting, 0);
});
