// The monitoring files operators load work against a real root: deploy/prometheus/alerts.yml
// parses (strict YAML) into Prometheus rule groups with the alerts an operator needs, the
// Grafana dashboard parses, and every metric either names exists on the /metrics of a root
// started as its own process — so an alert can never watch a name no root exports.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { getText } from '../helpers/http.ts';
import { createFederation, startAll, type TestFederation } from '../node/fixtures/federation.ts';

const REPO = join(import.meta.dirname, '..', '..');
const ALERTS = join(REPO, 'deploy', 'prometheus', 'alerts.yml');
const DASHBOARD = join(REPO, 'deploy', 'grafana', 'witan-root.json');
/** Metric names as they appear in PromQL: ours, and the process and Node.js ones prom-client adds. */
const METRIC_NAME = /\b(?:witan|process|nodejs)_[a-z0-9_]+\b/g;
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

function alertRules(): Rule[] {
  const doc = parse(readFileSync(ALERTS, 'utf8'), { strict: true, uniqueKeys: true }) as {
    groups: { name: string; rules: Rule[] }[];
  };
  assert.ok(Array.isArray(doc.groups) && doc.groups.length > 0, 'alerts.yml has rule groups');
  const rules = doc.groups.flatMap((g) => {
    assert.equal(typeof g.name, 'string');
    return g.rules;
  });
  for (const r of rules) {
    assert.equal(typeof r.alert, 'string');
    assert.equal(typeof r.expr, 'string', r.alert);
    assert.ok(['warning', 'critical'].includes(r.labels?.severity), `${r.alert} has a severity`);
    assert.ok(r.annotations?.summary && r.annotations.description, `${r.alert} says what and what to do`);
    if (r.for !== undefined) assert.match(r.for, /^\d+[smh]$/, `${r.alert}: for`);
  }
  return rules;
}

function dashboardExprs(): string[] {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    panels: { title: string; targets: { expr: string }[] }[];
  };
  assert.equal(dash.uid, 'witan-root');
  assert.ok(dash.panels.length > 0);
  return dash.panels.flatMap((p) => {
    assert.ok(p.targets.length > 0, `${p.title} has queries`);
    return p.targets.map((t) => t.expr);
  });
}

function namesIn(exprs: readonly string[]): Set<string> {
  return new Set(exprs.flatMap((e) => [...e.matchAll(METRIC_NAME)].map((m) => m[0])));
}

let fed: TestFederation;
let exported: Set<string>;

before(async () => {
  fed = await createFederation({ members: 1 });
  await startAll(fed);
  exported = new Set(
    (await getText(`http://127.0.0.1:${fed.members[0]!.operatorPort}/metrics`))
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2]!),
  );
});
after(async () => {
  await fed?.close();
});

test('alerts.yml holds the alerts an operator needs: stall, quorum at risk, stale checkpoint, catching up, disk', () => {
  const names = alertRules().map((r) => r.alert);
  for (const needed of [
    'WitanStalled',
    'WitanQuorumAtRisk',
    'WitanCheckpointStale',
    'WitanCatchingUp',
    'WitanDiskFilling',
  ])
    assert.ok(names.includes(needed), `${needed} in alerts.yml`);
});

test('every metric the alerts and the dashboard name exists on a real root /metrics', () => {
  const named = namesIn([...alertRules().map((r) => r.expr), ...dashboardExprs()]);
  assert.ok(named.size > 20, `only ${named.size} names found`);
  const missing = [...named].filter(
    (n) => !exported.has(n) && !exported.has(n.replace(HISTOGRAM_SUFFIX, '')),
  );
  assert.deepEqual(missing, [], 'named but not exported');
});

test('the root exports one peers gauge, relay bytes as a counter, build info and process metrics', () => {
  for (const name of [
    'witan_peers',
    'witan_relay_bytes_total',
    'witan_build_info',
    'witan_consensus_round',
    'witan_last_commit_timestamp_seconds',
    'process_cpu_seconds_total',
    'nodejs_eventloop_lag_seconds',
  ])
    assert.ok(exported.has(name), name);
  for (const gone of ['witan_p2p_peers', 'witan_relay_bytes']) assert.equal(exported.has(gone), false, gone);
});
