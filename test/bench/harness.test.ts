// The harness's readings of /proc: CPU by thread name and the children of a process, which
// root-commit uses to split a root's CPU per request between its main thread and V8's workers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { childPids, threadCpuMs } from '../../bench/lib/harness.ts';

test('threadCpuMs names the main thread and counts the CPU it spends', () => {
  const before = threadCpuMs(process.pid);
  const start = performance.now();
  let spin = 0;
  while (performance.now() - start < 150) spin++; // busy: CPU time on the main thread
  assert.ok(spin > 0);
  const after = threadCpuMs(process.pid);
  assert.ok(after.has('MainThread'), [...after.keys()].join(', '));
  assert.ok(after.get('MainThread')! > (before.get('MainThread') ?? 0));
});

test('childPids lists the processes a process started while they run', async (t) => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { stdio: 'ignore' });
  t.after(() => child.kill());
  await once(child, 'spawn');
  assert.ok(childPids(process.pid).includes(child.pid!));
  child.kill();
  await once(child, 'exit');
  assert.ok(!childPids(process.pid).includes(child.pid!));
});
