// What a person sees in a real browser, on one live devnet for the whole file: `witan devnet`
// runs its story to world v5 (v2 the federation key, v3 admits epsilon by motion, v4 ends its
// probation, v5 the key of five), an officer opens a motion with the CLI and two members vote on
// it, and headless Chromium opens alpha's dashboard. It must show the five members, world v5
// and the motion that made world v3, the tallies, every root healthy — with no console error
// and no serious or critical axe-core violation, at desktop and phone widths. The same browser,
// with JavaScript off, opens the HTML report of `witan audit --html` run against the devnet's
// roots: its verdict, a table per root, the timeline with world v3's motion, the growth chart.
// Last, a root turns unreachable within a bound after its process is SIGKILLed, the rest still
// healthy. Screenshots (and the audit report) go to a folder under the OS temp dir (printed as a
// test diagnostic).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import type { AuditReport } from '../../src/audit/index.ts';
import {
  AXE_FORBIDDEN_IMPACTS,
  axeViolations,
  type Browser,
  type ConsoleProblem,
  DESKTOP,
  launchBrowser,
  PHONE,
  pageWithoutJavaScript,
  screenshot,
  watchConsole,
} from './browser.ts';
import { DEVNET_STORY_TIMEOUT_MS, type LiveDevnet, startDevnet } from './live-devnet.ts';

const FILE_SETUP_TIMEOUT_MS = DEVNET_STORY_TIMEOUT_MS + 60_000;
const TEST_TIMEOUT_MS = 180_000;
/** How long the page may take to show what the roots say (a few refreshes on a busy machine). */
const PAGE_SHOWS_WITHIN_MS = 60_000;
const POLL_MS = 250;
const MEMBERS = ['alpha', 'beta', 'delta', 'epsilon', 'gamma'];
/** The root this test stops: a voting member, not the one whose dashboard is open. */
const STOPPED = 'gamma';

let devnet: LiveDevnet;
let browser: Browser;
let page: Page;
let problems: ConsoleProblem[];

/** Resolves with the probe's first defined answer; fails with the last one seen after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = PAGE_SHOWS_WITHIN_MS) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`the page did not show ${what} within ${timeoutMs} ms (${last ?? ''})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The text a person sees in an element: as rendered, cells apart, hidden text left out. */
function seen(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the test checks
  return locator.innerText();
}

/** The text of each root's health cell, by root name. */
async function healthByRoot(): Promise<Map<string, string>> {
  const cells = page.locator('#roots-table .health');
  const out = new Map<string, string>();
  for (const cell of await cells.all())
    out.set(String(await cell.getAttribute('data-root')), await seen(cell));
  return out;
}

async function assertAccessible(t: TestContext, where: string, on: Page = page): Promise<void> {
  const violations = await axeViolations(on);
  for (const v of violations)
    t.diagnostic(`axe ${where}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
  assert.deepEqual(
    violations.filter((v) => AXE_FORBIDDEN_IMPACTS.includes(v.impact ?? '')).map((v) => `${v.id}: ${v.help}`),
    [],
    `serious or critical accessibility violations ${where}`,
  );
}

/** Opens a motion with `witan propose` and has alpha vote yes and beta no, each with a reason. */
async function openMotion(): Promise<string> {
  const key = (name: string) => join(devnet.dir, name, 'governance.key');
  const alpha = devnet.roots.get('alpha')!;
  const proposed = await devnet.witan([
    'propose',
    'update',
    'epsilon',
    '--organisation',
    'Fundación Enlace Europea',
    '--summary',
    "epsilon's new legal name",
    '--governance-key',
    key('alpha'),
    '--root',
    alpha,
    '--json',
  ]);
  const id = (JSON.parse(proposed) as { id: string }).id;
  await until('the motion open on alpha', async () => {
    const res = await fetch(`${alpha}/motions/${id}`);
    return res.ok && ((await res.json()) as { status: string }).status === 'open' ? true : undefined;
  });
  await Promise.all([
    devnet.witan([
      'vote',
      id,
      'yes',
      '--reason',
      'matches the registry',
      '--governance-key',
      key('alpha'),
      '--root',
      alpha,
    ]),
    devnet.witan([
      'vote',
      id,
      'no',
      '--reason',
      'wait for the registry entry',
      '--governance-key',
      key('beta'),
      '--root',
      devnet.roots.get('beta')!,
    ]),
  ]);
  return id;
}

describe('the dashboard of a live devnet in Chromium', {
  timeout: FILE_SETUP_TIMEOUT_MS + 3 * TEST_TIMEOUT_MS,
}, () => {
  before(
    async () => {
      devnet = await startDevnet();
      assert.deepEqual([...devnet.roots.keys()].sort(), MEMBERS, devnet.output());
      browser = await launchBrowser();
      page = await browser.context.newPage();
      problems = watchConsole(page);
    },
    { timeout: FILE_SETUP_TIMEOUT_MS },
  );

  after(async () => {
    await browser?.close();
    await devnet?.stop();
  });

  test('shows the five members, world v5 and the motion that made v3, the tallies, every root healthy', {
    timeout: TEST_TIMEOUT_MS,
  }, async (t) => {
    t.diagnostic(`screenshots in ${browser.screenshots}`);
    const motionId = await openMotion();
    const response = await page.goto(`${devnet.roots.get('alpha')}/ui`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Witan federation dashboard');

    const health = await until('every root healthy', async () => {
      const h = await healthByRoot();
      return h.size === MEMBERS.length && [...h.values()].every((w) => w === 'healthy') ? h : undefined;
    });
    assert.deepEqual([...health.keys()].sort(), MEMBERS);
    assert.match(await seen(page.locator('#roots-table tbody tr').first()), /alpha \(this root\)/);

    const members = page.locator('#members-table tbody tr');
    assert.equal(await members.count(), MEMBERS.length);
    const memberText = await seen(page.locator('#members-table'));
    for (const words of [
      'Universidade do Norte',
      'Portugal (PT)',
      'Fundación Enlace',
      'Spain (ES)',
      'founding member',
    ])
      assert.ok(memberText.includes(words), `${words} in the members table:\n${memberText}`);
    assert.match(await seen(members.filter({ hasText: 'epsilon' })), /voting, seasoning until/);

    assert.match(
      await seen(page.locator('#summary')),
      /^World v5 · height \d+ · \d+ ledger entries · 5 members, 5 voting/,
    );
    const v4 = await seen(page.locator('li[aria-labelledby="world-v4"]'));
    assert.match(v4, /epsilon: probation → voting/);
    assert.match(v4, /By the rules at batch time/);
    const v3 = await until('the motion that made world v3', async () => {
      const text = await seen(page.locator('li[aria-labelledby="world-v3"]'));
      return /motion [0-9a-f]{12} “admit epsilon” moved by alpha/.test(text) ? text : undefined;
    });
    assert.match(v3, /epsilon \(Fundación Enlace, Spain \(ES\)\) joined, in probation/);

    const decided = await until('the decided motion with its tally', async () => {
      const text = await seen(page.locator('#decided-table'));
      return /yes [34] of 3 needed/.test(text) ? text : undefined;
    });
    assert.match(decided, /“admit epsilon”/);
    assert.match(decided, /passed, made world v3/);
    assert.match(
      decided,
      /yes [34] of 3 needed \(more than 2\/3 of 4 voting members\), 0 no, [01] not voted/,
    );

    const motion = page.locator(`article[aria-labelledby="motion-${motionId.slice(0, 12)}"]`);
    const open = await until('the open motion with both ballots', async () => {
      const text = await seen(motion);
      return text.includes('1 no') && text.includes('yes 1 of') ? text : undefined;
    });
    assert.match(open, /Motion [0-9a-f]{12} by alpha/);
    assert.match(open, /“epsilon's new legal name”/);
    assert.match(open, /update epsilon: organisation to “Fundación Enlace Europea”/);
    assert.match(open, /Deadline\s+.+\(in \d+ days\)/);
    assert.match(open, /yes 1 of 4 needed \(more than 2\/3 of 5 voting members\), 1 no, 3 not voted/);
    assert.match(open, /alpha\s+yes\s+matches the registry/);
    assert.match(open, /beta\s+no\s+wait for the registry entry/);

    const charts = page.locator('#charts figure');
    assert.equal(await charts.count(), 4);
    const ledgerChart = String(await charts.first().locator('svg').getAttribute('aria-label'));
    assert.match(ledgerChart, /^Ledger size \(entries\) over federation time: latest entries \d+$/);
    assert.match(await seen(page.locator('#roots-table')), /2 of 128 reserved/);

    await assertAccessible(t, 'at desktop width');
    t.diagnostic(await screenshot(browser, page, 'dashboard-desktop', DESKTOP));
    await page.setViewportSize(PHONE);
    await assertAccessible(t, 'at phone width');
    t.diagnostic(await screenshot(browser, page, 'dashboard-phone', PHONE));
    await page.setViewportSize(DESKTOP);
    assert.deepEqual(problems, [], 'console errors or uncaught exceptions');
  });

  test('the HTML audit report of the devnet, read with JavaScript off: verdict, a table per root, timeline, chart', {
    timeout: TEST_TIMEOUT_MS,
  }, async (t) => {
    const file = join(browser.screenshots, 'audit-report.html');
    const roots = MEMBERS.map((name) => devnet.roots.get(name)!);
    const json = await devnet.witan([
      'audit',
      '--genesis',
      join(devnet.dir, 'genesis.json'),
      '--evidence-dir',
      join(devnet.dir, 'audit-evidence'),
      '--workers',
      '1',
      '--html',
      file,
      '--json',
      ...roots,
    ]);
    const report = JSON.parse(json) as AuditReport;
    assert.equal(report.result, 'verified', json);
    t.diagnostic(`audit report in ${file}`);

    const { page: reader, allowScripts } = await pageWithoutJavaScript(browser);
    const readerProblems = watchConsole(reader);
    await reader.goto(pathToFileURL(file).href);
    assert.equal(await reader.locator('script').count(), 0, 'a page without script');
    assert.equal(await reader.title(), 'Verified: Witan audit of devnet.witan.test');
    // The verdict first, in words: the first heading after the page's own.
    assert.equal(await seen(reader.locator('h2').first()), '✓ Verdict: Verified');
    assert.match(
      await seen(reader.locator('.verdict')),
      /5 roots: 5 verified, 0 with a violation, 0 incomplete/,
    );

    const tables = reader.locator('table.root');
    assert.equal(await tables.count(), roots.length, 'one table per root');
    for (const url of roots) {
      const table = await seen(tables.filter({ has: reader.locator('caption', { hasText: url }) }));
      assert.match(table, /✓ verified/, url);
      for (const label of ['size', 'checkpoint', 'cosigners', 'freshness', 'tiles', 'bundles', 'world'])
        assert.match(table, new RegExp(`^${label}\\t`, 'm'), `${url}: ${label}`);
      assert.match(table, /freshness\tnewest quorum .+ old \(fresh\)/);
      assert.match(table, /world\tcurrent v5/);
    }

    const admit = report.governance?.timeline?.motions.find((m) => m.summary === 'admit epsilon');
    assert.ok(admit !== undefined, 'the report details the motion that made world v3');
    const v3 = await seen(reader.locator('li[aria-labelledby="world-v3"]'));
    assert.match(v3, /epsilon joined: Fundación Enlace \(ES\), probation/);
    assert.match(v3, /By motion [0-9a-f]{12} “admit epsilon”/);
    assert.match(v3, /Moved by alpha at .+; passed at height \d+, world v3\./);
    assert.match(v3, /Tally: yes [34] of 3 needed \(more than 2\/3 of 4 voting members\)/);
    // Each ballot with its reason, as the JSON report has it.
    const rows = v3.split('\n');
    for (const b of admit.ballots)
      assert.ok(
        rows.some((r) => r.startsWith(`${b.member}\t${b.choice}\t${b.reason ?? 'no reason given'}\t`)),
        `${b.member}'s ballot in:\n${v3}`,
      );
    assert.match(
      await seen(reader.locator('li[aria-labelledby="world-v4"]')),
      /epsilon: status: probation → voting/,
    );

    const chart = reader.locator('#growth svg.chart');
    assert.equal(await chart.count(), 1);
    assert.equal(await chart.locator('title').first().textContent(), 'Ledger entries over batch time');
    const points = report.governance?.growth?.points.length ?? 0;
    assert.ok(points > 1, `${points} points of growth`);
    assert.equal(await chart.locator('circle.point').count(), points);

    t.diagnostic(await screenshot(browser, reader, 'audit-report-desktop', DESKTOP));
    t.diagnostic(await screenshot(browser, reader, 'audit-report-phone', PHONE));
    const width = Number(await reader.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= PHONE.width, `the page is ${width} px wide on a ${PHONE.width} px phone`);
    // axe-core waits on timers, which Chromium does not run while scripts are off; the page has
    // no script, so turning them on changes nothing it shows.
    await allowScripts();
    await assertAccessible(t, 'in the audit report at phone width', reader);
    await reader.setViewportSize(DESKTOP);
    await assertAccessible(t, 'in the audit report at desktop width', reader);
    assert.deepEqual(readerProblems, [], 'console errors or uncaught exceptions in the audit report');
    await reader.close();
  });

  test('a root whose process is killed turns unreachable within a bound; the others stay healthy', {
    timeout: TEST_TIMEOUT_MS,
  }, async (t) => {
    const refreshMs = Number(await page.evaluate('document.documentElement.dataset.refreshMs'));
    const answerMs = Number(await page.evaluate('document.documentElement.dataset.answerTimeoutMs'));
    assert.ok(refreshMs > 0 && answerMs > 0);
    // One refresh that started just before the kill, the next one, and its wait for an answer;
    // twice that, for a machine whose two cores are shared with the five roots.
    const boundMs = 2 * (2 * refreshMs + answerMs);
    const earlier = problems.length;
    const killed = Date.now();
    devnet.killRoot(STOPPED);
    const health = await until(
      `${STOPPED} unreachable`,
      async () => {
        const h = await healthByRoot();
        return h.get(STOPPED)?.startsWith('unreachable from here') ? h : undefined;
      },
      boundMs,
    );
    t.diagnostic(
      `${STOPPED} shown unreachable ${Date.now() - killed} ms after SIGKILL (bound ${boundMs} ms)`,
    );
    for (const name of MEMBERS.filter((n) => n !== STOPPED)) assert.equal(health.get(name), 'healthy', name);
    assert.match(await seen(page.locator('#summary')), /^World v5/);
    t.diagnostic(await screenshot(browser, page, 'dashboard-one-root-down', DESKTOP));
    // The browser logs each connection to the stopped root that was cut or refused; nothing else may appear.
    const origin = new URL(devnet.roots.get(STOPPED)!).origin;
    const unexpected = problems
      .slice(earlier)
      .filter(
        (p) =>
          !(
            p.kind === 'console' &&
            p.url.startsWith(origin) &&
            /net::ERR_CONNECTION_(REFUSED|RESET|CLOSED)/.test(p.text)
          ),
      );
    assert.deepEqual(unexpected, [], 'console errors or uncaught exceptions besides the stopped root');
  });
});
