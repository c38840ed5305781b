// A consensus message this root cannot publish — past the gossip transport's size limit, or
// refused by the host — is counted in witan_publish_failures_total and said at warn (once per
// PUBLISH_WARN_INTERVAL_MS), never swallowed at debug: a proposal nobody receives stalls its
// height. The failure comes from a real libp2p host; the counter from a real registry.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { RootMetrics, type RootMetricsSource } from '../../src/node/metrics.ts';
import { PUBLISH_WARN_INTERVAL_MS, PublishFailures } from '../../src/node/publish-failures.ts';
import { startRoot } from '../p2p/helpers.ts';

type Line = { level: number; msg: string; topic: string; bytes: number; err: string };

function collectingLogger(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Line);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** The root's metrics without a root: the gauges' snapshot is never read, only the counter. */
const noRoot: RootMetricsSource = {
  snapshot: () => assert.fail('no gauge is read in these tests'),
  dataDir: '.',
};

async function counted(registry: Registry, topic: string): Promise<number> {
  const metric = await registry.getSingleMetric('witan_publish_failures_total')!.get();
  return metric.values.find((v) => v.labels.topic === topic)?.value ?? Number.NaN;
}

test('a proposal past the gossip size limit is counted and said at warn, not swallowed', async (t) => {
  const host = await startRoot({ gossip: { messageBytesMax: 1024 } });
  t.after(() => host.stop());
  const registry = new Registry();
  const metrics = new RootMetrics(registry, noRoot);
  const { logger, lines } = collectingLogger();
  const failures = new PublishFailures(metrics.publishFailures, logger);
  assert.equal(
    await counted(registry, 'consensus'),
    0,
    'the counter starts at 0, so an alert can see it move',
  );
  const proposal = new Uint8Array(4096);
  const err = await host.publish(host.topics.consensus, proposal).then(
    () => assert.fail('the host published a message past its limit'),
    (e: Error) => e,
  );
  assert.equal((err as Error & { code?: string }).code, 'P2P_MESSAGE_TOO_LARGE');
  failures.failed('consensus', proposal.length, err);
  await new Promise((r) => setImmediate(r));
  assert.equal(await counted(registry, 'consensus'), 1);
  const warn = lines.filter((l) => l.level === 40);
  assert.equal(warn.length, 1, JSON.stringify(lines));
  assert.match(warn[0]!.msg, /could not publish a consensus message/);
  assert.deepEqual([warn[0]!.topic, warn[0]!.bytes], ['consensus', 4096]);
  assert.match(warn[0]!.err, /exceeds 1024/);
});

test('every failure is counted; warnings come at most once per interval, and only for consensus', async () => {
  const registry = new Registry();
  const metrics = new RootMetrics(registry, noRoot);
  const { logger, lines } = collectingLogger();
  let now = 1_000_000;
  const failures = new PublishFailures(metrics.publishFailures, logger, () => now);
  const err = new Error('refused');
  for (let i = 0; i < 5; i++) failures.failed('consensus', 100, err);
  failures.failed('statements', 100, err);
  now += PUBLISH_WARN_INTERVAL_MS - 1;
  failures.failed('consensus', 100, err);
  now += 1;
  failures.failed('consensus', 100, err);
  await new Promise((r) => setImmediate(r));
  assert.equal(await counted(registry, 'consensus'), 7);
  assert.equal(await counted(registry, 'statements'), 1);
  assert.equal(await counted(registry, 'cosignatures'), 0);
  assert.equal(lines.filter((l) => l.level === 40).length, 2, 'one warning per interval');
  assert.equal(lines.filter((l) => l.level === 20).length, 6, 'the rest at debug, the statement among them');
});
