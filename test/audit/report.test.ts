// The audit report rendered for people, from the JSON report object alone: the verdict first in
// words and symbols, violations with their evidence files and what to do, incomplete roots, a
// table per root, the timeline (capped, and saying so), the growth chart — and every word that
// comes from roots or from the ledger kept as text.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMELINE_MOTIONS_MAX } from '../../src/audit/constants.ts';
import { type AuditReport, formatText } from '../../src/audit/report.ts';
import { formatHtml } from '../../src/audit/report-html.ts';
import { escapeHtml, INCOMPLETE_TODO, VIOLATION_WORDS } from '../../src/audit/report-words.ts';
import { history, PLAIN, renames, replayed, reportOf, type Words } from './fixtures/history.ts';

const HOSTILE: Words = {
  admitSummary: '<script>alert("summary")</script>',
  yesReason: '<img src=x onerror=alert(1)>',
  noReason: '"><b onmouseover=alert(2)>no',
  openSummary: '</title></style><script>alert(3)</script>',
};

const ATTRIBUTES = new Set([
  'lang',
  'charset',
  'name',
  'content',
  'http-equiv',
  'id',
  'class',
  'href',
  'scope',
  'datetime',
  'aria-labelledby',
  'aria-hidden',
  'aria-label',
  'role',
  'viewbox',
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'points',
  'text-anchor',
  'transform',
]);

async function storyReport(change?: (r: AuditReport) => void, words: Words = HOSTILE) {
  const h = history(words);
  const { summary } = await replayed(h.genesis, h.entries);
  return { h, report: reportOf(summary, h.entries.length, change) };
}

/** The elements and attributes a page's markup holds, by name. */
function markup(html: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)) {
    tags.add(m[1]!.toLowerCase());
    for (const a of m[2]!.matchAll(/\s([^\s=/]+)(?:="[^"]*")?/g)) attributes.add(a[1]!.toLowerCase());
  }
  return { tags, attributes };
}

test('words from the ledger and from roots stay text: a hostile summary with <script> is shown, not run', async () => {
  const { report } = await storyReport((r) => {
    r.roots[1] = {
      url: 'http://127.0.0.1:7002/<script>alert(4)</script>',
      reachable: false,
      error: '<script>alert(5)</script>',
      verdict: 'incomplete',
    };
    r.incomplete.push('root said <iframe src=//evil.example>');
    r.violations.push({
      kind: 'uncommitted-world',
      root: 'http://127.0.0.1:7001',
      message: 'serves <svg onload=alert(6)>',
      evidenceFile: 'witan-evidence/<script>.json',
    });
  });
  const html = formatHtml(report);
  const allowed = new Set([
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'header',
    'h1',
    'h2',
    'h3',
    'h4',
    'p',
    'section',
    'ul',
    'ol',
    'li',
    'nav',
    'a',
    'main',
    'table',
    'caption',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'span',
    'code',
    'time',
    'strong',
    'article',
    'dl',
    'dt',
    'dd',
    'figure',
    'figcaption',
    'svg',
    'desc',
    'line',
    'text',
    'polyline',
    'circle',
    'details',
    'summary',
    'pre',
    'div',
  ]);
  const { tags, attributes } = markup(html);
  assert.deepEqual(
    [...tags].filter((t) => !allowed.has(t)),
    [],
    'only the report’s own elements',
  );
  assert.deepEqual(
    [...attributes].filter((a) => !ATTRIBUTES.has(a)),
    [],
    'only the report’s own attributes (no event handler)',
  );
  assert.doesNotMatch(html, /<script|<img|<iframe|<b |<svg onload/i);
  assert.match(
    html,
    /By motion <code>[0-9a-f]{12}<\/code> “&#60;script&#62;alert\(&#34;summary&#34;\)&#60;\/script&#62;”/,
  );
  assert.match(html, /<td>&#60;img src=x onerror=alert\(1\)&#62;<\/td>/);
  assert.match(html, /&#60;\/title&#62;&#60;\/style&#62;&#60;script&#62;alert\(3\)/);
  assert.match(html, /witan-evidence\/&#60;script&#62;\.json/);
  // The hostile "</title></style>" closed neither the page's title nor its style sheet.
  const head = /<head>.*<\/head>/s.exec(html)![0];
  assert.equal(head.match(/<\/title>/g)?.length, 1);
  assert.equal(html.match(/<\/style>/g)?.length, 1);
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
  );
});

test('the verdict comes first, in words and a symbol; verified says every check passed', async () => {
  const { report } = await storyReport();
  const html = formatHtml(report);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<title>Verified: Witan audit of devnet\.witan\.test<\/title>/);
  const h2 = [...html.matchAll(/<h2 id="([a-z-]+)">/g)].map((m) => m[1]);
  assert.equal(h2[0], 'verdict-heading', 'the verdict is the first section');
  assert.match(
    html,
    /<section class="verdict verified" aria-labelledby="verdict-heading"><h2 id="verdict-heading"><span aria-hidden="true">✓ <\/span>Verdict: Verified<\/h2><p>Every check passed/,
  );
  assert.match(html, /<li>2 roots: 2 verified, 0 with a violation, 0 incomplete<\/li>/);
  assert.doesNotMatch(html, /id="violations"/);
  assert.match(formatText(report), /^✓ VERIFIED \(devnet\.witan\.test, .+\)\nEvery check passed/);
});

test('violations: the verdict says so, and each names its evidence file, what it means and what to do', async () => {
  const { report } = await storyReport((r) => {
    r.result = 'violations';
    r.exitCode = 1;
    r.roots[1]!.verdict = 'violation';
    r.roots[1]!.data!.bundles.agree = false;
    r.violations.push(
      {
        kind: 'entry-altered',
        root: r.roots[1]!.url,
        message: 'entry 7 served by the root does not hash to the verified tree',
        evidenceFile: 'witan-evidence/entry-altered-0123456789abcdef.json',
      },
      {
        kind: 'insufficient-cosignatures',
        root: r.roots[1]!.url,
        message: 'checkpoint cosigned by 1 of 4 validators',
        unprovable: 'the note carries no signature by a member key',
      },
    );
  });
  const html = formatHtml(report);
  assert.match(
    html,
    /<section class="verdict violations"[^>]*><h2 id="verdict-heading"><span aria-hidden="true">✗ <\/span>Verdict: Violations found<\/h2>/,
  );
  assert.match(html, /<li>2 violations, 0 things not checked<\/li>/);
  assert.ok(html.indexOf('id="violations"') < html.indexOf('id="roots"'), 'violations before the roots');
  const articles = html.split('<article class="violation"').slice(1);
  assert.equal(articles.length, 2);
  assert.match(
    articles[0]!,
    /<h3 id="violation-1">1\. <code>entry-altered<\/code> at <code>http:\/\/127\.0\.0\.1:7002<\/code><\/h3>/,
  );
  assert.match(articles[0]!, /<code>witan-evidence\/entry-altered-0123456789abcdef\.json<\/code>/);
  assert.match(
    articles[0]!,
    /witan audit verify-evidence witan-evidence\/entry-altered-0123456789abcdef\.json/,
  );
  for (const [i, kind] of (['entry-altered', 'insufficient-cosignatures'] as const).entries()) {
    assert.ok(
      articles[i]!.includes(`<dd>${escapeHtml(VIOLATION_WORDS[kind].means)}</dd>`),
      `${kind}: what it means`,
    );
    assert.ok(
      articles[i]!.includes(`<dd>${escapeHtml(VIOLATION_WORDS[kind].todo)}</dd>`),
      `${kind}: what to do`,
    );
  }
  assert.match(articles[1]!, /no file could be written: the note carries no signature by a member key/);
  assert.match(
    html,
    /<span class="badge violation">✗ violation<\/span> <code>http:\/\/127\.0\.0\.1:7002<\/code>/,
  );
  assert.match(
    html,
    /<td class="bad"><span aria-hidden="true">✗ <\/span>1 of 1 verified \(all\), DISAGREE<\/td>/,
  );
  const text = formatText(report);
  assert.match(text, /^✗ VIOLATIONS FOUND/);
  assert.match(text, /Violations \(2\)\n {2}\[entry-altered\] entry 7 served/);
  assert.ok(text.includes(`means: ${VIOLATION_WORDS['entry-altered'].means}`));
});

test('incomplete: unreachable roots are marked in words, and the page says what was not checked and what to do', async () => {
  const { report } = await storyReport((r) => {
    r.result = 'incomplete';
    r.exitCode = 2;
    r.roots.push({
      url: 'http://127.0.0.1:7003',
      reachable: false,
      error: 'connect ECONNREFUSED',
      verdict: 'incomplete',
    });
    r.incomplete.push('http://127.0.0.1:7003: connect ECONNREFUSED');
  });
  const html = formatHtml(report);
  assert.match(html, /<h2 id="verdict-heading"><span aria-hidden="true">! <\/span>Verdict: Incomplete<\/h2>/);
  assert.match(html, /<li>3 roots: 2 verified, 0 with a violation, 1 incomplete<\/li>/);
  assert.match(
    html,
    /<h2 id="incomplete-heading">What could not be checked \(1\)<\/h2><ul><li>http:\/\/127\.0\.0\.1:7003: connect ECONNREFUSED<\/li><\/ul>/,
  );
  assert.ok(html.includes(escapeHtml(INCOMPLETE_TODO)));
  assert.match(
    html,
    /<span class="badge incomplete">! incomplete<\/span> <code>http:\/\/127\.0\.0\.1:7003<\/code>/,
  );
  assert.match(
    html,
    /<th scope="row">unreachable<\/th><td class="bad"><span aria-hidden="true">✗ <\/span>connect ECONNREFUSED<\/td>/,
  );
  assert.equal(html.match(/<table class="root">/g)?.length, 3, 'one table per root');
});

test('a table per root, the timeline of worlds and motions, and the growth chart as an SVG with a point per batch', async () => {
  const { h, report } = await storyReport(undefined, PLAIN);
  const html = formatHtml(report);
  const tables = html.split('<table class="root">').slice(1);
  assert.equal(tables.length, 2);
  for (const label of ['size', 'checkpoint', 'cosigners', 'freshness', 'tiles', 'bundles', 'world'])
    for (const t of tables) assert.ok(t.includes(`<th scope="row">${label}</th>`), label);

  const v2 = html.slice(
    html.indexOf('<li class="world" aria-labelledby="world-v2">'),
    html.indexOf('aria-labelledby="world-v3"'),
  );
  assert.match(v2, /<li>n00 joined: Org n00 \(US\), probation<\/li>/);
  assert.match(
    v2,
    /By motion <code>[0-9a-f]{12}<\/code> “admit n00”<\/h4><p>Moved by m00 at <time[^>]*>[^<]+<\/time>; <strong>passed at height 2, world v2<\/strong>/,
  );
  assert.match(v2, /Tally: yes 3 of 3 needed \(more than 2\/3 of 4 voting members\), 1 no, 0 not voted/);
  assert.match(v2, /<th scope="row">m01<\/th><td>no<\/td><td>wait for the registry entry<\/td>/);
  assert.match(
    html,
    /<li class="world" aria-labelledby="world-v3">.*<li>n00: status: probation → voting<\/li>.*By the rules at batch time/s,
  );
  assert.match(html, /<h3 id="motion-[0-9a-f]{12}">Expired motion <code>/);
  assert.match(
    html,
    /<h3 id="motion-[0-9a-f]{12}">Open motion <code>[0-9a-f]{12}<\/code> “a new name for m02”<\/h3>/,
  );
  assert.match(html, /<li>update m02: organisation: Org m02 → Org m02 renamed<\/li>/);

  const growth = report.governance!.growth!;
  assert.equal(growth.points.length, h.ledger.state.height);
  const svg =
    /<svg class="chart"[^>]*role="img" aria-labelledby="growth-chart-title growth-chart-desc">.*?<\/svg>/s.exec(
      html,
    )?.[0];
  assert.ok(svg !== undefined, 'an inline SVG chart');
  assert.equal(svg.match(/<circle class="point"/g)?.length, growth.points.length);
  assert.match(svg, /<desc id="growth-chart-desc">From 3 entries at .+ to 18 at .+, 5 points\.<\/desc>/);
  assert.equal(html.match(/<td class="num">\d+<\/td><\/tr>/g)!.length >= growth.points.length, true);
});

test('a capped timeline says how much it leaves out', async () => {
  const n = TIMELINE_MOTIONS_MAX + 3;
  const { genesis, entries } = renames(n);
  const { summary } = await replayed(genesis, entries);
  const html = formatHtml(reportOf(summary, entries.length));
  assert.match(
    html,
    new RegExp(
      `<p class="note">3 earlier decided motions are not detailed \\(the report details the newest ${TIMELINE_MOTIONS_MAX}; governance\\.motions lists them\\)\\.</p>`,
    ),
  );
  assert.equal(html.match(/<h4 id="motion-/g)?.length, TIMELINE_MOTIONS_MAX);
  assert.match(
    html,
    /<p>By motion <code>[0-9a-f]{12}<\/code> “rename 0” of m00 \(not detailed in this report\)\.<\/p>/,
  );
  assert.match(formatText(reportOf(summary, entries.length)), /3 earlier decided motions are not detailed/);
});

test('the page is made from the JSON report alone, and carries it', async () => {
  const { report } = await storyReport();
  const json = JSON.parse(JSON.stringify(report)) as AuditReport;
  const html = formatHtml(json);
  assert.equal(html, formatHtml(report));
  const pre = /<pre>(.*)<\/pre>/s.exec(html)![1]!;
  const unescaped = pre.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
  assert.deepEqual(JSON.parse(unescaped), json);
});
