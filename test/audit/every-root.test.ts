// Every root's data against the verified tree: a real HTTP proxy in front of one real root
// serves altered entry bundles or hash tiles under that root's honest checkpoint. The audit
// must name that root — wherever it stands in the list — with evidence that verifies offline,
// blame no honest root, and, when it only samples bundles, catch it as often as it says.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  auditLedger,
  type KeysInForce,
  type LedgerAuditResult,
  type LedgerRules,
} from '../../src/audit/audit.ts';
import { COSIGNATURE_FUTURE_MS_MAX } from '../../src/audit/constants.ts';
import { readEvidenceFile, verifyEvidence } from '../../src/audit/evidence.ts';
import { formatText } from '../../src/audit/report.ts';
import { formatHtml } from '../../src/audit/report-html.ts';
import { detectionProbability, SEED_BYTES, sampleIndexes } from '../../src/audit/sample.ts';
import { HttpClient } from '../../src/net/index.ts';
import { entries, members, ORIGIN, publish, startRoot, type TestRoot } from './fixtures/ledger-root.ts';
import {
  type Alter,
  flipByte,
  startTamperingProxy,
  type TamperingProxy,
} from './fixtures/tampering-proxy.ts';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const M = members(4);
const NOW_S = 1_800_000_000;
const tmp = mkdtempSync(join(tmpdir(), 'witan-every-root-'));
const open: { close(): Promise<void> }[] = [];
after(async () => {
  for (const r of open.reverse()) await r.close();
  rmSync(tmp, { recursive: true, force: true });
});

function keys(): KeysInForce {
  const set = M.map((m) => ({ name: m.name, nodeKey: m.key.publicKey }));
  return { logKeys: set, sets: [{ validators: set, cosigners: set }], freshnessMs: 3_600_000 };
}

/** Rules with a fixed member set: what is under test is the data, not governance. */
function fixedRules(): LedgerRules {
  return {
    onEntries: () => undefined,
    drain: async () => undefined,
    keysAt: () => keys(),
    failure: () => undefined,
    worldStatus: () => ({ status: 'current', version: 1 }),
    snapshot: () => ({}),
    summary: () => ({}),
  };
}

/** Root i logs its own checkpoint (member i's node key), cosigned by three members. */
async function root(n: number, i: number): Promise<TestRoot> {
  const r = await startRoot(entries(n));
  open.push(r);
  await publish(r, M[i % M.length]!, M.slice(0, 3), NOW_S);
  return r;
}

async function proxyOf(r: TestRoot, alter: Alter): Promise<TamperingProxy> {
  const p = await startTamperingProxy(r.url, alter);
  open.push(p);
  return p;
}

const http = new HttpClient({ timeoutMs: 5000, attemptsMax: 2, backoffMs: 10 });
const SEED = new Uint8Array(SEED_BYTES).fill(7);

function run(urls: string[], extra: Partial<Parameters<typeof auditLedger>[0]> = {}) {
  return auditLedger({
    roots: urls,
    origin: ORIGIN,
    genesisLeafHash: '00',
    http,
    nowMs: NOW_S * 1000 + 60_000,
    rules: fixedRules,
    evidenceDir: mkdtempSync(join(tmp, 'ev-')),
    seed: SEED,
    ...extra,
  });
}

/** The tampering root is named with verifiable evidence of `kind`; no honest root is blamed. */
function assertCaught(r: LedgerAuditResult, liar: string, kind: string): string {
  const context = JSON.stringify({ violations: r.violations, incomplete: r.incomplete }, null, 1);
  assert.ok(r.violations.length > 0, context);
  for (const v of r.violations) assert.equal(v.root, liar, `only the tampering root is blamed: ${context}`);
  const v = r.violations.find((x) => x.kind === kind);
  assert.ok(v, `a ${kind} violation: ${context}`);
  assert.ok(v.evidenceFile, `an evidence file was written: ${context}`);
  const evidence = readEvidenceFile(v.evidenceFile);
  const verdict = verifyEvidence(evidence);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal((evidence as { served: { root: string } }).served.root, liar);
  for (const report of r.roots) assert.equal(report.verdict, report.url === liar ? 'violation' : 'verified');
  assert.equal(r.incomplete.length, 0, context);
  return v.evidenceFile;
}

// 600 entries: level-0 tiles 000, 001 (full) and 002.p/88; level-1 tile 000.p/2.
const SIZE = 600;
const BUNDLE_CASES: { name: string; path: string; offset: number }[] = [
  { name: 'a full bundle', path: '/tile/entries/001', offset: 7 },
  { name: 'the partial bundle', path: '/tile/entries/002.p/88', offset: 9 },
];
const TILE_CASES: { name: string; path: string; offset: number; position: number; height: number }[] = [
  { name: 'a full level-0 tile', path: '/tile/0/001', offset: 32 * 5 + 3, position: 5, height: 0 },
  { name: 'the partial level-0 tile', path: '/tile/0/002.p/88', offset: 32 * 80, position: 80, height: 0 },
  { name: 'the level-1 tile', path: '/tile/1/000.p/2', offset: 32 + 4, position: 1, height: 8 },
];
const alterPath =
  (path: string, offset: number): Alter =>
  (p, body) =>
    p === path ? flipByte(body, offset) : body;

/** Two honest roots and a tampering proxy at `position` in the list, audited. */
async function auditWithLiarAt(position: number, c: { path: string; offset: number }) {
  const honest = [await root(SIZE, 0), await root(SIZE, 1)];
  const proxy = await proxyOf(await root(SIZE, 2), alterPath(c.path, c.offset));
  const urls = honest.map((h) => h.url);
  urls.splice(position, 0, proxy.url);
  const r = await run(urls);
  assert.ok(proxy.altered.includes(c.path), `the proxy altered ${c.path}`);
  return { proxy, r };
}

const cliVerified: string[] = [];

for (const c of BUNDLE_CASES) {
  test(`a root behind a proxy altering ${c.name} is caught first, middle or last; honest roots are not blamed`, async () => {
    for (let position = 0; position < 3; position++) {
      const { proxy, r } = await auditWithLiarAt(position, c);
      assert.equal(r.tree?.size, SIZE);
      const file = assertCaught(r, proxy.url, 'entry-altered');
      const data = r.roots.find((x) => x.url === proxy.url)!.data!;
      assert.equal(data.bundles.agree, false);
      assert.equal(data.tiles.agree, null);
      if (position === 1) cliVerified.push(file);
    }
  });
}

for (const c of TILE_CASES) {
  test(`a root behind a proxy altering ${c.name} is caught first, middle or last, with a proof of the committed hash`, async () => {
    for (let position = 0; position < 3; position++) {
      const { proxy, r } = await auditWithLiarAt(position, c);
      const file = assertCaught(r, proxy.url, 'tile-altered');
      const evidence = readEvidenceFile(file) as {
        served: { path: string };
        node: { height: number; index: number };
      };
      assert.equal(`/${evidence.served.path}`, c.path);
      assert.equal(evidence.node.height, c.height);
      const tileIndex = Number(c.path.split('/')[3]!.slice(0, 3));
      assert.equal(evidence.node.index, tileIndex * 256 + c.position);
      assert.equal(r.roots.find((x) => x.url === proxy.url)!.data!.tiles.agree, false);
      if (position === 2) cliVerified.push(file);
    }
  });
}

test('witan audit verify-evidence confirms the tampered root’s bundle and tile evidence in a separate process', async () => {
  assert.ok(cliVerified.length >= 2, 'earlier tests left evidence files');
  for (const file of [cliVerified[0]!, cliVerified.at(-1)!]) {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'audit', 'verify-evidence', file]);
    assert.match(stdout, /^CONFIRMED (entry-altered|tile-altered): .*served .*tile\//);
  }
});

test('roots of a smaller, consistent size are compared up to their own checkpoint', async () => {
  const big = await root(SIZE, 0);
  const small = await root(300, 1); // a prefix of the same ledger: tiles 0/000, 0/001.p/44 and 1/000.p/1
  const proxy = await proxyOf(await root(300, 2), alterPath('/tile/0/001.p/44', 32 * 10));
  const r = await run([big.url, small.url, proxy.url]);
  assertCaught(r, proxy.url, 'tile-altered');
  const smallData = r.roots.find((x) => x.url === small.url)!.data!;
  assert.deepEqual(smallData.tiles, { checked: 3, agree: true });
  assert.equal(smallData.bundles.verified, 2);
});

const BUNDLES = 20;
const SAMPLED = 3;

test('sampling catches a root that alters every bundle, and states the probability for one altered bundle', async () => {
  const honest = await root(BUNDLES * 256, 0);
  const proxy = await proxyOf(await root(BUNDLES * 256, 1), (p, body) =>
    p.startsWith('/tile/entries/') ? flipByte(body, 7) : body,
  );
  const r = await run([honest.url, proxy.url], { bundles: { mode: 'sample', perRoot: SAMPLED } });
  assertCaught(r, proxy.url, 'entry-altered');
  assert.deepEqual(r.dataCheck, { bundles: 'sample', sampleBundles: SAMPLED, seed: '07'.repeat(SEED_BYTES) });
  const data = r.roots.find((x) => x.url === proxy.url)!.data!;
  assert.equal(data.bundles.sampled, true);
  assert.equal(data.bundles.detectionProbability, SAMPLED / BUNDLES);
  assert.ok(data.bundles.verified <= SAMPLED);
  assert.equal(detectionProbability(BUNDLES, SAMPLED, BUNDLES), 1, 'every bundle altered: always caught');
  // The root the tree came from had every bundle read while the tree was recomputed.
  const source = r.roots.find((x) => x.url === honest.url)!.data!;
  assert.deepEqual(source.bundles, {
    total: BUNDLES,
    verified: BUNDLES,
    sampled: false,
    agree: true,
    detectionProbability: 1,
  });
});

test('a sample with the same seed repeats exactly: one altered bundle is caught when drawn, missed when not', async () => {
  const ALTERED = 7;
  const honest = await root(BUNDLES * 256, 0);
  const proxy = await proxyOf(await root(BUNDLES * 256, 1), alterPath(`/tile/entries/00${ALTERED}`, 7));
  const seedWith = (drawn: boolean) => {
    for (let i = 0; i < 1000; i++) {
      const seed = new Uint8Array(SEED_BYTES);
      new DataView(seed.buffer).setUint32(0, i);
      if (sampleIndexes(BUNDLES, SAMPLED, seed, proxy.url).includes(ALTERED) === drawn) return seed;
    }
    throw new Error('no seed found');
  };
  const sample = { mode: 'sample', perRoot: SAMPLED } as const;
  const drawn = seedWith(true);
  for (let repeat = 0; repeat < 2; repeat++) {
    const r = await run([honest.url, proxy.url], { bundles: sample, seed: drawn });
    assertCaught(r, proxy.url, 'entry-altered');
  }
  const missed = await run([honest.url, proxy.url], { bundles: sample, seed: seedWith(false) });
  assert.deepEqual(missed.violations, [], 'the altered bundle was not drawn');
  const data = missed.roots.find((x) => x.url === proxy.url)!.data!;
  assert.equal(data.bundles.verified, SAMPLED);
  assert.equal(data.tiles.agree, true);
  assert.equal(missed.roots.find((x) => x.url === proxy.url)!.verdict, 'verified');
});

test('samples are uniform: over 4,000 seeds each bundle is drawn with the stated probability', () => {
  const counts = new Array<number>(BUNDLES).fill(0);
  const RUNS = 4000;
  for (let i = 0; i < RUNS; i++) {
    const seed = new Uint8Array(SEED_BYTES);
    new DataView(seed.buffer).setUint32(4, i);
    const s = sampleIndexes(BUNDLES, SAMPLED, seed, 'http://127.0.0.1:1');
    assert.equal(new Set(s).size, SAMPLED);
    assert.deepEqual(
      s,
      [...s].sort((a, b) => a - b),
    );
    for (const x of s) counts[x]!++;
  }
  const p = detectionProbability(BUNDLES, SAMPLED);
  const sd = Math.sqrt(RUNS * p * (1 - p));
  for (const [index, count] of counts.entries())
    assert.ok(
      Math.abs(count - RUNS * p) < 5 * sd,
      `bundle ${index} drawn ${count} times, expected ${RUNS * p}`,
    );
  // More draws than items: all of them; a different label: another sample.
  assert.deepEqual(sampleIndexes(3, 10, SEED, 'a'), [0, 1, 2]);
  const a = sampleIndexes(1000, 10, SEED, 'http://a');
  assert.notDeepEqual(a, sampleIndexes(1000, 10, SEED, 'http://b'));
  assert.deepEqual(a, sampleIndexes(1000, 10, SEED, 'http://a'));
});

test('the stated detection probability is 1 − C(n − m, k) / C(n, k), checked by counting every sample', () => {
  const choose = (n: number, k: number): number => {
    let c = 1;
    for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
    return c;
  };
  for (let n = 1; n <= 12; n++) {
    for (let k = 0; k <= n; k++) {
      for (let m = 1; m <= n; m++) {
        // Samples (k-subsets of n) that contain at least one of the first m items.
        let hits = 0;
        for (let mask = 0; mask < 2 ** n; mask++) {
          if (popcount(mask) === k && (mask & (2 ** m - 1)) !== 0) hits++;
        }
        const exact = hits / choose(n, k);
        assert.ok(Math.abs(detectionProbability(n, k, m) - exact) < 1e-9, `n=${n} k=${k} m=${m}`);
      }
    }
  }
});

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v > 0; v >>>= 1) c += v & 1;
  return c;
}

test('with --state, the next audit rebuilds the remembered tree from tiles and catches an old bundle altered since', async () => {
  const a = await root(700, 0);
  const b = await root(700, 1);
  const first = await run([a.url, b.url]);
  assert.deepEqual(first.violations, []);
  for (const r of [a, b]) {
    await r.store.append(entries(50, 'more'));
    await publish(r, M[0]!, M.slice(0, 3), NOW_S + 30);
  }
  const proxy = await proxyOf(b, alterPath('/tile/entries/000', 7));
  const second = await run([a.url, proxy.url], { state: first.nextState!, nowMs: NOW_S * 1000 + 90_000 });
  assert.equal(second.tree?.fromSize, 700);
  assert.equal(second.tree?.entriesFetched, 50);
  assertCaught(second, proxy.url, 'entry-altered');
  // The source's two old full tiles were read once, to rebuild the tree, and not again.
  const source = second.roots.find((x) => x.url === a.url)!.data!;
  assert.equal(source.tiles.agree, true);
  assert.equal(source.bundles.verified, 3);
});

test('the report has a table per root: size, checkpoint, cosigners, freshness, tiles, bundles, verdict', async () => {
  const honest = await root(SIZE, 0);
  const proxy = await proxyOf(await root(SIZE, 1), alterPath('/tile/entries/000', 7));
  const r = await run([honest.url, proxy.url]);
  const report = {
    format: 'witan-audit-report/v1' as const,
    federation: ORIGIN,
    genesisWorldHash: '00',
    startedAtMs: NOW_S * 1000,
    finishedAtMs: NOW_S * 1000,
    clock: { nowMs: NOW_S * 1000, source: 'given' as const, skewMs: COSIGNATURE_FUTURE_MS_MAX },
    result: 'violations' as const,
    exitCode: 1 as const,
    roots: r.roots,
    tree: r.tree ?? null,
    dataCheck: r.dataCheck ?? null,
    governance: null,
    violations: r.violations,
    incomplete: r.incomplete,
    witness: null,
    stats: { durationMs: 1, entriesPerSecond: 1, bytesFetched: 1, statePath: null },
  };
  const html = formatHtml(report);
  assert.equal(html.match(/<table class="root">/g)?.length, 2);
  for (const label of ['size', 'checkpoint', 'cosigners', 'freshness', 'tiles', 'bundles'])
    assert.equal(html.split(`<th scope="row">${label}</th>`).length - 1, 2, label);
  assert.match(html, /<span class="badge violation">✗ violation<\/span> <code>http:/);
  assert.match(html, /<span class="badge verified">✓ verified<\/span> <code>http:/);
  const text = formatText(report);
  assert.match(text, /Roots \(2\)/);
  assert.match(text, new RegExp(`${proxy.url}\\n\\s+verdict\\s+✗ violation`));
  assert.match(text, new RegExp(`${honest.url}\\n\\s+verdict\\s+✓ verified`));
  assert.match(text, /bundles\s+3 of 3 verified \(all\), agree/);
  assert.match(text, /freshness\s+newest quorum 60 s old \(fresh\)/);
  assert.match(text, /every root's hash tiles compared; bundles: all \(seed 0707/);
});
