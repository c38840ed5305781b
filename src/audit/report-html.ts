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
import { REPORT_STYLE } from './report-style.ts';
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

/** A column of a records table; numbers are set right. */
type Column = { name: string; num?: boolean };

/** A table of records: caption, column headers, one row per record headed by its first cell. */
function recordsTable(cls: string | undefined, caption: Child, columns: Column[], rows: Child[][]): Html {
  return el(
    'table',
    { class: cls },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.name)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map(([head, ...cells]) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, head),
          cells.map((c, i) => el('td', { class: columns[i + 1]?.num ? 'num' : undefined }, c)),
        ),
      ),
    ),
  );
}

const cols = (...names: string[]): Column[] => names.map((name) => ({ name }));

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
            recordsTable(
              'data',
              'Ledger size after batches',
              [{ name: 'batch time' }, { name: 'entries', num: true }],
              g.points.map((p) => [time(p.timeMs), p.entries]),
            ),
          ),
        ],
  );
}

function ballotsTable(m: TimelineMotion): Html {
  if (m.ballots.length === 0)
    return el('p', {}, m.decided === undefined ? 'No ballot yet.' : 'No ballot was cast.');
  return recordsTable(
    'ballots',
    `Ballots on motion ${short(m.id)}`,
    cols('member', 'ballot', 'reason', 'signed'),
    m.ballots.map((b) => [
      b.member,
      b.choice,
      b.reason ?? el('span', { class: 'muted' }, 'no reason given'),
      time(b.createdMs),
    ]),
  );
}

/** What a motion is: who moved it, how it ended, its tally, the changes it asks, its ballots. */
function motionBody(m: TimelineMotion, showDiff: boolean): Child[] {
  return [
    el(
      'p',
      {},
      m.author === '#system' ? 'Opened by the rules (evidence or duties)' : `Moved by ${m.author}`,
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
    recordsTable(
      undefined,
      `Members in the world in force (${g.openMotions} open motion${g.openMotions === 1 ? '' : 's'})`,
      cols('member', 'organisation (country)', 'status', 'since'),
      g.members.map((m) => [
        m.name,
        `${m.organisation} (${m.jurisdiction})`,
        m.status,
        m.since > 0 ? time(m.since) : 'founding member',
      ]),
    ),
    perMember.length === 0
      ? ''
      : recordsTable(
          undefined,
          `Motions moved and ballots cast, over all ${g.motions.length + g.motionsDropped} motions`,
          [{ name: 'member' }, ...['motions', 'yes', 'no', 'abstain'].map((name) => ({ name, num: true }))],
          perMember.map(([name, p]) => [name, p.motions, p.yes, p.no, p.abstain]),
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
      el('style', {}, { html: REPORT_STYLE }),
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
