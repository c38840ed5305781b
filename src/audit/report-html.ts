// The audit report as one self-contained HTML page (`witan audit --html <file>`), rendered from
// the JSON report object alone: the verdict first, in words and a symbol as well as colour;
// violations with their evidence files, what each means and what to do; a table per root; the
// ledger's growth as an inline SVG chart; the timeline of worlds and motions with their
// summaries, ballots and reasons; members; how the audit was done; the JSON report itself.
// No script, no external resource (a Content-Security-Policy forbids both), inline CSS that
// prints; headings, captions and header cells for assistive technology. Everything that comes
// from roots or from the ledger is escaped: markup is built with el(), which escapes every
// string it is given.

import { tallyWords } from '../api/outcome-words.ts';
import type { Violation } from './audit.ts';
import {
  type AuditReport,
  clockLine,
  growthLine,
  ledgerLines,
  omittedLines,
  type RootRow,
  rootRows,
} from './report.ts';
import { growthChart } from './report-chart.ts';
import {
  diffWords,
  escapeHtml,
  INCOMPLETE_TODO,
  motionStateWords,
  ROOT_VERDICT_WORDS,
  short,
  utc,
  VERDICT_WORDS,
  VIOLATION_WORDS,
  worldChangeWords,
} from './report-words.ts';
import { type Timeline, type TimelineItem, type TimelineMotion, timelineItems } from './timeline.ts';

/** Markup that is already safe; any other string is text and gets escaped. */
type Html = { readonly html: string };
type Child = string | number | Html | null | undefined | false | readonly Child[];

function text(c: Child): string {
  if (c === null || c === undefined || c === false) return '';
  if (typeof c === 'string') return escapeHtml(c);
  if (typeof c === 'number') return String(c);
  if (Array.isArray(c)) return c.map(text).join('');
  return (c as Html).html;
}

/** An element: attribute values and text children escaped; `true` attributes written bare. */
function el(
  tag: string,
  attrs: Record<string, string | number | boolean | undefined>,
  ...children: Child[]
): Html {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(String(v))}"`))
    .join('');
  return { html: `<${tag}${a}>${text(children)}</${tag}>` };
}

const time = (ms: number) => (ms > 0 ? el('time', { datetime: new Date(ms).toISOString() }, utc(ms)) : '—');
const code = (s: string) => el('code', {}, s);
const section = (id: string, title: string, ...body: Child[]) =>
  el(
    'section',
    { id, 'aria-labelledby': `${id}-heading` },
    el('h2', { id: `${id}-heading` }, title),
    ...body,
  );

const STATUS_SYMBOL: Record<NonNullable<RootRow['status']>, string> = { ok: '✓', bad: '✗', unknown: '?' };

function verdict(report: AuditReport): Html {
  const v = VERDICT_WORDS[report.result];
  const roots = report.roots;
  const count = (verdict: string) => roots.filter((r) => r.verdict === verdict).length;
  const facts = [
    `${roots.length} root${roots.length === 1 ? '' : 's'}: ${count('verified')} verified, ${count('violation')} with a violation, ${count('incomplete')} incomplete`,
    report.tree !== null
      ? `ledger of ${report.tree.size.toLocaleString('en')} entries verified from the pinned genesis`
      : 'no ledger could be verified',
    `${report.violations.length} violation${report.violations.length === 1 ? '' : 's'}, ${report.incomplete.length} thing${report.incomplete.length === 1 ? '' : 's'} not checked`,
  ];
  return el(
    'section',
    { class: `verdict ${report.result}`, 'aria-labelledby': 'verdict-heading' },
    el(
      'h2',
      { id: 'verdict-heading' },
      el('span', { 'aria-hidden': 'true' }, `${v.symbol} `),
      `Verdict: ${v.word}`,
    ),
    el('p', {}, v.means),
    el(
      'ul',
      {},
      facts.map((f) => el('li', {}, f)),
    ),
  );
}

function violationArticle(v: Violation, i: number): Html {
  const words = VIOLATION_WORDS[v.kind];
  const id = `violation-${i + 1}`;
  return el(
    'article',
    { class: 'violation', 'aria-labelledby': id },
    el('h3', { id }, `${i + 1}. `, code(v.kind), v.root !== undefined ? [' at ', code(v.root)] : ''),
    el('p', {}, v.message),
    el(
      'dl',
      {},
      el('dt', {}, 'Evidence'),
      el(
        'dd',
        {},
        v.evidenceFile !== undefined
          ? [
              code(v.evidenceFile),
              ' — confirm it offline with ',
              code(`witan audit verify-evidence ${v.evidenceFile}`),
            ]
          : `no file could be written: ${v.unprovable ?? 'unknown reason'}`,
      ),
      el('dt', {}, 'What it means'),
      el('dd', {}, words.means),
      el('dt', {}, 'What to do'),
      el('dd', {}, words.todo),
    ),
  );
}

function rootTable(r: AuditReport['roots'][number]): Html {
  const rows = rootRows(r);
  return el(
    'table',
    { class: 'root' },
    el(
      'caption',
      {},
      el('span', { class: `badge ${r.verdict}` }, ROOT_VERDICT_WORDS[r.verdict]),
      ' ',
      code(r.url),
    ),
    el(
      'tbody',
      {},
      rows
        .slice(1)
        .map((row) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, row.label),
            el(
              'td',
              { class: row.status },
              row.status === 'bad' ? el('span', { 'aria-hidden': 'true' }, `${STATUS_SYMBOL.bad} `) : '',
              row.value,
            ),
          ),
        ),
    ),
  );
}

function growthSection(report: AuditReport): Html | null {
  const g = report.governance?.growth;
  if (g === undefined) return null;
  const chart = growthChart(g.points, 'growth-chart');
  return section(
    'growth',
    'Ledger growth',
    chart === null
      ? el('p', {}, 'No batch yet: nothing to draw.')
      : [
          el(
            'figure',
            {},
            { html: chart },
            el('figcaption', {}, `Entries after each batch, by batch time: ${growthLine(g)}.`),
          ),
          el(
            'details',
            {},
            el('summary', {}, "The chart's data"),
            el(
              'table',
              { class: 'data' },
              el('caption', {}, 'Ledger size after batches'),
              el(
                'thead',
                {},
                el('tr', {}, el('th', { scope: 'col' }, 'batch time'), el('th', { scope: 'col' }, 'entries')),
              ),
              el(
                'tbody',
                {},
                g.points.map((p) =>
                  el('tr', {}, el('td', {}, time(p.timeMs)), el('td', { class: 'num' }, p.entries)),
                ),
              ),
            ),
          ),
        ],
  );
}

function ballotsTable(m: TimelineMotion): Html {
  if (m.ballots.length === 0)
    return el('p', {}, m.decided === undefined ? 'No ballot yet.' : 'No ballot was cast.');
  return el(
    'table',
    { class: 'ballots' },
    el('caption', {}, `Ballots on motion ${short(m.id)}`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['member', 'ballot', 'reason', 'signed'].map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      m.ballots.map((b) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, b.member),
          el('td', {}, b.choice),
          el('td', {}, b.reason ?? el('span', { class: 'muted' }, 'no reason given')),
          el('td', {}, time(b.createdMs)),
        ),
      ),
    ),
  );
}

/** What a motion is: who moved it, how it ended, its tally, the changes it asks, its ballots. */
function motionBody(m: TimelineMotion, showDiff: boolean): Child[] {
  return [
    el(
      'p',
      {},
      m.author === '#system' ? 'Opened by evidence' : `Moved by ${m.author}`,
      ' at ',
      time(m.createdMs),
      '; ',
      el('strong', {}, motionStateWords(m)),
      '.',
    ),
    el('p', {}, m.decided === undefined ? 'Tally so far: ' : 'Tally: ', tallyWords(m.tally), '.'),
    showDiff
      ? [
          el('p', {}, `Changes it asks, against world v${m.against.version}:`),
          el(
            'ul',
            { class: 'changes' },
            diffWords(m.diff).map((l) => el('li', {}, l)),
          ),
        ]
      : '',
    ballotsTable(m),
  ];
}

function motionHeading(m: TimelineMotion, tag: 'h3' | 'h4', prefix: string): Html {
  return el(
    tag,
    { id: `motion-${short(m.id)}` },
    prefix,
    'motion ',
    code(short(m.id)),
    m.summary !== undefined ? ` “${m.summary}”` : '',
  );
}

function worldItem(item: Extract<TimelineItem, { kind: 'world' }>): Html {
  const w = item.world;
  const id = `world-v${w.version}`;
  const genesis = w.version === 1;
  const meta = [
    genesis ? 'the genesis, signed by every founder' : time(w.timeMs),
    genesis ? '' : ` · height ${w.height}`,
    ` · ledger entry ${w.entryIndex} · world `,
    code(`${short(w.worldHash)}…`),
  ];
  const causes: Child[] = genesis
    ? []
    : item.causes.length === 0
      ? [el('p', {}, 'By the rules at batch time, no statement (a probation ending).')]
      : item.causes.map(({ cause: c, motion }) =>
          motion !== undefined
            ? [motionHeading(motion, 'h4', 'By '), motionBody(motion, false)]
            : el(
                'p',
                {},
                `By ${c.kind} `,
                code(short(c.id)),
                c.summary !== undefined ? ` “${c.summary}”` : '',
                c.author !== undefined ? ` of ${c.author}` : '',
                c.kind === 'motion' ? ' (not detailed in this report)' : '',
                '.',
              ),
        );
  return el(
    'li',
    { class: 'world', 'aria-labelledby': id },
    el('h3', { id }, `World v${w.version}`),
    el('p', { class: 'meta' }, meta),
    el('h4', {}, genesis ? 'Founded by' : 'What changed'),
    el(
      'ul',
      { class: 'changes' },
      w.changes.length === 0
        ? el('li', {}, 'no member or policy field (a new version only)')
        : w.changes.map((c) => el('li', {}, worldChangeWords(c))),
    ),
    causes,
  );
}

function timelineSection(t: Timeline): Html {
  const items = timelineItems(t).map((item) =>
    item.kind === 'world'
      ? worldItem(item)
      : el(
          'li',
          { class: `motion ${item.motion.status}`, 'aria-labelledby': `motion-${short(item.motion.id)}` },
          motionHeading(
            item.motion,
            'h3',
            `${item.motion.status[0]!.toUpperCase()}${item.motion.status.slice(1)} `,
          ),
          motionBody(item.motion, true),
        ),
  );
  const omitted = omittedLines(t);
  return section(
    'timeline',
    'Worlds and motions',
    el(
      'p',
      {},
      'Every world version in ledger order, what changed from the one before and which statements changed it; motions with the words their authors signed, their ballots and reasons. Motions that made no world (rejected, expired, still open) stand where they were moved.',
    ),
    omitted.length > 0 ? el('p', { class: 'note' }, omitted.join(' ')) : '',
    el('ol', { class: 'timeline' }, items),
  );
}

function membersSection(report: AuditReport): Html | null {
  const g = report.governance;
  if (g === null) return null;
  const perMember = Object.entries(g.perMember);
  return section(
    'members',
    `Members (${g.members.length})`,
    el(
      'table',
      {},
      el(
        'caption',
        {},
        `Members in the world in force (${g.openMotions} open motion${g.openMotions === 1 ? '' : 's'})`,
      ),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['member', 'organisation', 'country', 'status', 'since'].map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        g.members.map((m) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, m.name),
            el('td', {}, m.organisation),
            el('td', {}, m.jurisdiction),
            el('td', {}, m.status),
            el('td', {}, m.since > 0 ? time(m.since) : 'founding member'),
          ),
        ),
      ),
    ),
    perMember.length === 0
      ? ''
      : el(
          'table',
          {},
          el(
            'caption',
            {},
            `Motions moved and ballots cast, over all ${g.motions.length + g.motionsDropped} motions`,
          ),
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'member'),
              ['motions', 'yes', 'no', 'abstain'].map((h) => el('th', { scope: 'col', class: 'num' }, h)),
            ),
          ),
          el(
            'tbody',
            {},
            perMember.map(([name, p]) =>
              el(
                'tr',
                {},
                el('th', { scope: 'row' }, name),
                [p.motions, p.yes, p.no, p.abstain].map((n) => el('td', { class: 'num' }, n)),
              ),
            ),
          ),
        ),
  );
}

function methodSection(report: AuditReport): Html {
  const s = report.stats;
  const facts: [string, Child][] = [
    ['Ledger', ledgerLines(report).join('; ')],
    ['Clock', clockLine(report)],
    ['Genesis world', code(report.genesisWorldHash)],
    ['Started', time(report.startedAtMs)],
    [
      'Took',
      `${(s.durationMs / 1000).toFixed(1)} s, ${s.bytesFetched.toLocaleString('en')} bytes fetched${s.statePath !== null ? `, state in ${s.statePath}` : ''}`,
    ],
  ];
  const w = report.witness;
  if (w !== null) {
    facts.push([
      `Witness ${w.name}`,
      [
        code(w.vkey),
        w.refused !== undefined ? `; refused: ${w.refused}` : '',
        w.submitted.map((x) => [`; ${x.root}: ${x.status} `, x.body.trim().slice(0, 120)]),
      ],
    ]);
  }
  return section(
    'method',
    'How this audit was done',
    el(
      'dl',
      {},
      facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
    ),
  );
}

const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.75rem;margin:0}
h2{font-size:1.35rem;margin:2.25rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.1rem;margin:1.25rem 0 .25rem}
h4{font-size:1rem;margin:.75rem 0 .25rem}
p{margin:.4rem 0}
.muted,.meta{color:#57606a}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875em;overflow-wrap:anywhere}
nav ol{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;padding:0;margin:.75rem 0}
a{color:#0550ae}
.verdict{border:2px solid;border-left-width:.75rem;border-radius:6px;padding:.75rem 1.25rem;margin:1.25rem 0}
.verdict h2{border:0;margin:0;padding:0;font-size:1.6rem;color:inherit}
.verdict ul{margin:.5rem 0 0;padding-left:1.25rem}
.verified{color:#0f5323;background:#dafbe1;border-color:#1a7f37}
.violations,.violation{color:#82071e;background:#ffebe9;border-color:#cf222e}
.incomplete{color:#6b4300;background:#fff8c5;border-color:#9a6700}
.badge{display:inline-block;padding:0 .45em;border:1px solid;border-radius:4px;font-weight:600;white-space:nowrap}
article.violation{border:1px solid;border-left-width:.5rem;border-radius:6px;padding:.25rem 1rem .5rem;margin:1rem 0}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:.5rem 0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.3rem .6rem;border-bottom:1px solid #d0d7de}
thead th{border-bottom:2px solid #8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.bad{color:#82071e;font-weight:600}
.roots{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:0 2rem}
table.root th[scope=row]{width:7rem;font-weight:600}
table.root td{overflow-wrap:anywhere}
ol.timeline{list-style:none;margin:1rem 0;padding:0 0 0 1.25rem;border-left:3px solid #d0d7de}
ol.timeline>li{margin:0 0 1.75rem;position:relative}
ol.timeline>li::before{content:"";position:absolute;left:-1.78rem;top:.45rem;width:.8rem;height:.8rem;border-radius:50%;background:#fff;border:3px solid #57606a}
ol.timeline>li.world::before{border-color:#0550ae;background:#0550ae}
ul.changes{margin:.25rem 0;padding-left:1.25rem}
.note{border-left:4px solid #9a6700;background:#fff8c5;color:#6b4300;padding:.4rem .75rem}
figure{margin:.5rem 0}
svg.chart{width:100%;max-width:60rem;height:auto;display:block}
svg .grid{stroke:#d0d7de;stroke-width:1}
svg .axis{stroke:#57606a;stroke-width:1.5}
svg .series{fill:none;stroke:#0550ae;stroke-width:2.5}
svg .point{fill:#0550ae;stroke:#fff;stroke-width:1}
svg .tick,svg .label{fill:#424a53;font:12px system-ui,sans-serif}
figcaption{color:#57606a}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;background:#f6f8fa;padding:1rem;border-radius:6px}
summary{cursor:pointer;font-weight:600}
@media (max-width:40rem){body{padding:1rem}.roots{grid-template-columns:1fr}dl{grid-template-columns:1fr}}
@media print{
 body{max-width:none;padding:0;font-size:10.5pt}
 nav,details.json{display:none}
 .verdict,.badge,.note,article.violation,td.bad{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2,h3,h4{break-after:avoid}
 table,article,figure,ol.timeline>li{break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
`;

/** The HTML report: one page, no script, no external resource. */
export function formatHtml(report: AuditReport): string {
  const v = VERDICT_WORDS[report.result];
  const g = report.governance;
  const parts: { id: string; title: string; html: Html | null }[] = [
    {
      id: 'violations',
      title: 'Violations',
      html:
        report.violations.length === 0
          ? null
          : section(
              'violations',
              `Violations (${report.violations.length})`,
              report.violations.map(violationArticle),
            ),
    },
    {
      id: 'incomplete',
      title: 'Not checked',
      html:
        report.incomplete.length === 0
          ? null
          : section(
              'incomplete',
              `What could not be checked (${report.incomplete.length})`,
              el(
                'ul',
                {},
                report.incomplete.map((i) => el('li', {}, i)),
              ),
              el('p', {}, el('strong', {}, 'What to do: '), INCOMPLETE_TODO),
            ),
    },
    {
      id: 'roots',
      title: 'Roots',
      html: section(
        'roots',
        `Roots (${report.roots.length})`,
        el('div', { class: 'roots' }, report.roots.map(rootTable)),
      ),
    },
    { id: 'growth', title: 'Ledger growth', html: growthSection(report) },
    {
      id: 'timeline',
      title: 'Worlds and motions',
      html: g?.timeline !== undefined ? timelineSection(g.timeline) : null,
    },
    { id: 'members', title: 'Members', html: membersSection(report) },
    { id: 'method', title: 'How', html: methodSection(report) },
  ];
  const shown = parts.filter((p) => p.html !== null);
  const page = el(
    'html',
    { lang: 'en' },
    el(
      'head',
      {},
      { html: '<meta charset="utf-8">' },
      { html: '<meta name="viewport" content="width=device-width, initial-scale=1">' },
      {
        html: `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
      },
      el('title', {}, `${v.word}: Witan audit of ${report.federation}`),
      el('style', {}, { html: STYLE }),
    ),
    el(
      'body',
      {},
      el(
        'header',
        {},
        el('h1', {}, 'Audit of ', code(report.federation)),
        el('p', { class: 'muted' }, 'Witan audit report, finished ', time(report.finishedAtMs)),
        verdict(report),
        el(
          'nav',
          { 'aria-label': 'Contents' },
          el(
            'ol',
            {},
            shown.map((p) => el('li', {}, el('a', { href: `#${p.id}` }, p.title))),
          ),
        ),
      ),
      el(
        'main',
        {},
        shown.map((p) => p.html),
        el(
          'details',
          { class: 'json' },
          el('summary', {}, 'The JSON report this page was made from'),
          el('pre', {}, JSON.stringify(report, null, 2)),
        ),
      ),
    ),
  );
  return `<!doctype html>\n${page.html}\n`;
}
