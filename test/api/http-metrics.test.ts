// HTTP request metrics (src/api/http-metrics.ts): counts by route pattern and status, latency
// buckets by route, requests no route matched, as a Prometheus registry writes them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS_S, HttpTallies, UNMATCHED_ROUTE } from '../../src/api/http-metrics.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { TEST_SERVER_OPTIONS } from './server-options.ts';

/** The value of one series in a scrape, or undefined when it is absent. */
function series(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

test('requests are counted by route pattern and status, refusals and unknown paths included', async (t) => {
  const registry = new Registry();
  const app = await buildApiServer({ ...TEST_SERVER_OPTIONS, requestsPerMinute: 4, metrics: registry });
  t.after(() => app.close());
  app.get('/thing/:id', async () => ({ ok: true }));
  for (const url of ['/thing/1', '/thing/2', '/nowhere', '/thing/3', '/thing/4']) await app.inject(url);
  const text = await registry.metrics();
  assert.match(text, /# TYPE witan_http_requests_total counter/);
  assert.match(text, /# TYPE witan_http_request_duration_seconds histogram/);
  assert.equal(series(text, 'witan_http_requests_total{route="/thing/:id",status="200"}'), 3);
  assert.equal(series(text, `witan_http_requests_total{route="${UNMATCHED_ROUTE}",status="404"}`), 1);
  // The fifth request from this address is over the limit of four.
  assert.equal(series(text, 'witan_http_requests_total{route="/thing/:id",status="429"}'), 1);
  assert.equal(series(text, 'witan_http_request_duration_seconds_count{route="/thing/:id"}'), 4);
  assert.equal(series(text, 'witan_http_request_duration_seconds_bucket{le="+Inf",route="/thing/:id"}'), 4);
  assert.equal(series(text, `witan_http_request_duration_seconds_count{route="${UNMATCHED_ROUTE}"}`), 1);
});

test('latency buckets are cumulative, each counting the answers at or under its bound', async () => {
  const tallies = new HttpTallies();
  for (const s of [0.0001, 0.0005, 0.0007, 0.02, 7]) tallies.record('/r', 200, s);
  const buckets = tallies
    .durationValues()
    .filter((v) => v.metricName.endsWith('_bucket'))
    .map((v) => [v.labels.le, v.value]);
  assert.deepEqual(buckets, [
    ...HTTP_DURATION_BUCKETS_S.map((le) => [le, le < 0.0007 ? 2 : le < 0.02 ? 3 : 4]),
    ['+Inf', 5],
  ]);
  const sum = tallies.durationValues().find((v) => v.metricName.endsWith('_sum'))!;
  assert.ok(Math.abs(sum.value - 7.0213) < 1e-9);
  // The registry's reset empties every tally.
  tallies.reset();
  assert.deepEqual(tallies.durationValues(), []);
  assert.deepEqual(tallies.requestValues(), []);
});
