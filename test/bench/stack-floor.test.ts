// root-memory's floor running (bench/lib/stack-floor.ts): what it measures has to be up — each
// process connected to every other, both HTTP servers answering, the public one with the
// OpenAPI document — and nothing of it may outlive stop().

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startStackFloor } from '../../bench/lib/stack-floor.ts';

const PROCESSES = 3;

/** The value of one connection-manager gauge from a Prometheus text page. */
function connections(metrics: string, direction: 'inbound' | 'outbound'): number {
  const m = new RegExp(`^libp2p_connection_manager_connections\\{[^}]*="${direction}"\\} (\\d+)`, 'm').exec(
    metrics,
  );
  assert.ok(m !== null, `no ${direction} connections gauge`);
  return Number(m[1]);
}

test('the stack floor starts connected processes with both HTTP servers, and stop() ends them', async (t) => {
  const floor = await startStackFloor(PROCESSES);
  t.after(() => floor.stop());
  assert.equal(floor.processes.length, PROCESSES);
  for (const p of floor.processes) {
    const metrics = await (await fetch(`${p.operator}/metrics`)).text();
    assert.equal(connections(metrics, 'inbound') + connections(metrics, 'outbound'), PROCESSES - 1);
    assert.equal((await fetch(`${p.operator}/health`)).status, 200);
    assert.equal((await fetch(`${p.http}/health`)).status, 200);
    assert.equal((await fetch(`${p.http}/docs/json`)).status, 200);
  }
  await floor.stop();
  for (const p of floor.processes)
    assert.equal(existsSync(`/proc/${p.pid}`), false, `process ${p.pid} still runs`);
});
