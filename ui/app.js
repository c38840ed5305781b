// The dashboard's entry point: every REFRESH_MS it reads this root (world, motions, status,
// checkpoint, new ledger entries) and every member's root straight from the browser (status,
// checkpoint), then redraws the sections. A root that does not answer is shown unreachable;
// the rest keeps working. Read-only: the page sends GETs and nothing else.

import { fill, h } from './dom.js';
import { ANSWER_TIMEOUT_MS, FetchError, getJson, getText, rootUrl } from './fetch.js';
import { quorumOf } from './governance.js';
import { rootHealth } from './health.js';
import { LEDGER_PAGE_ENTRIES, LedgerHistory } from './ledger.js';
import { cosigners, parseCheckpointNote } from './note.js';
import { charts } from './render-charts.js';
import { decidedMotions, membersTable, openMotions, timeline } from './render-governance.js';
import { rootsTable, summary } from './render-roots.js';
import { cosigning, worldBefore } from './view.js';

/** How often the page reads every root. */
export const REFRESH_MS = 5000;
/** Samples kept per chart series: an hour at one every REFRESH_MS. */
export const SAMPLES_MAX = 720;
/** Ledger pages read per refresh; a long ledger is read over several refreshes. */
export const LEDGER_PAGES_PER_REFRESH_MAX = 8;
/** Statement lookups per refresh (motions' summaries and authors). */
export const STATEMENT_LOOKUPS_PER_REFRESH_MAX = 16;
/** Statements looked up and kept (by id); the ledger window holds the rest. */
export const STATEMENTS_KEPT_MAX = 1024;
/** The world chain holds every world with a proof: larger than other answers. */
export const CHAIN_BYTES_MAX = 16 * 1024 * 1024;
/** A ledger page of LEDGER_PAGE_ENTRIES entries of at most 64 KiB each, in base64. */
export const LEDGER_PAGE_BYTES_MAX = 24 * 1024 * 1024;
/** Charts are redrawn this long after the window stops changing size. */
const RESIZE_SETTLE_MS = 200;
/** The narrowest chart column before the grid puts one chart per row (style.css .charts). */
const CHART_COLUMN_MIN_PX = 420;
/** Padding plus border of a chart's figure, on each side (style.css figure.chart). */
const CHART_FRAME_PX = 13;
/** A federation clock this many times faster than the reader's is shown as such (a devnet). */
export const FAST_CLOCK_RATE_MIN = 2;

/** This root's public API: the page is served at <base>/ui. */
const own = new URL('.', document.baseURI).href;

/** @typedef {import('./types.js').WorldAnswer} WorldAnswer */
/** @typedef {import('./types.js').StatusAnswer} StatusAnswer */
/** @typedef {import('./types.js').MotionsAnswer} MotionsAnswer */
/** @typedef {import('./types.js').ChainAnswer} ChainAnswer */
/** @typedef {import('./view.js').View} View */
/** @typedef {Record<string, unknown> & { kind: string, author: string, createdMs: number }} Statement */

const page = {
  /** @type {WorldAnswer | null} */ world: null,
  /** @type {StatusAnswer | null} */ status: null,
  /** @type {MotionsAnswer | null} */ motions: null,
  /** @type {ChainAnswer | null} */ chain: null,
  /** @type {import('./note.js').CheckpointNote | null} */ note: null,
  /** @type {string | null} */ ownError: null,
  ledger: new LedgerHistory(),
  /** Statement id → its ledger index (null: this root does not know it). @type {Map<string, number | null>} */
  indexes: new Map(),
  /** Statements read one by one, outside the ledger window. @type {Map<number, Statement>} */
  statements: new Map(),
  /** @type {Map<string, { reading: import('./health.js').RootReading, health: import('./health.js').RootHealth }>} */
  roots: new Map(),
  /** @type {import('./view.js').Samples} */
  samples: { size: [], cosigners: [], witnesses: [], reservations: new Map(), registrations: new Map() },
  /** @type {{ wallMs: number, federationMs: number } | null} */ clockStart: null,
  clockRate: 1,
  /** Origins this page's policy refused (a root admitted after the page loaded). @type {Set<string>} */
  blocked: new Set(),
};

/**
 * @param {[number, number][]} series
 * @param {number} x
 * @param {number} y
 */
function sample(series, x, y) {
  series.push([x, y]);
  if (series.length > SAMPLES_MAX) series.splice(0, series.length - SAMPLES_MAX);
}

/**
 * @param {Map<string, [number, number][]>} byRoot
 * @param {string} name
 * @param {number} x
 * @param {number} y
 */
function sampleRoot(byRoot, name, x, y) {
  const series = byRoot.get(name) ?? [];
  byRoot.set(name, series);
  sample(series, x, y);
}

/** @param {unknown} err */
function why(err) {
  return err instanceof FetchError
    ? err.message
    : `unreadable answer (${/** @type {Error} */ (err).message})`;
}

/** This root: world, status, motions, checkpoint; the world chain when the world changed. */
async function readOwn() {
  const [world, status, motions, note] = await Promise.allSettled([
    getJson(rootUrl(own, 'world')),
    getJson(rootUrl(own, 'status')),
    getJson(rootUrl(own, 'motions')),
    getText(rootUrl(own, 'checkpoint')),
  ]);
  const failed = [world, status, motions].find((r) => r.status === 'rejected');
  page.ownError = failed === undefined ? null : why(failed.reason);
  if (status.status === 'fulfilled') page.status = /** @type {StatusAnswer} */ (status.value);
  if (motions.status === 'fulfilled') page.motions = /** @type {MotionsAnswer} */ (motions.value);
  if (note.status === 'fulfilled') page.note = parseCheckpointNote(note.value);
  if (world.status === 'fulfilled') {
    const next = /** @type {WorldAnswer} */ (world.value);
    if (next.hash !== page.world?.hash || page.chain === null) {
      page.chain = await getJson(rootUrl(own, 'world/chain'), { bytesMax: CHAIN_BYTES_MAX }).catch(
        () => page.chain,
      );
    }
    page.world = next;
  }
}

/**
 * One member's root: its status and checkpoint. Never throws: whatever fails is the reading's error.
 * @param {import('./types.js').Member} m
 * @param {boolean} self
 * @returns {Promise<import('./health.js').RootReading>}
 */
async function readRoot(m, self) {
  const url = m.endpoints.http[0] ?? '';
  const reading = {
    name: m.name,
    url,
    self,
    status: /** @type {StatusAnswer | null} */ (null),
    note: /** @type {import('./note.js').CheckpointNote | null} */ (null),
    error: /** @type {string | null} */ (null),
    answerMs: /** @type {number | null} */ (null),
    behindBefore: (page.roots.get(m.name)?.health.behind ?? 0) > 0,
  };
  try {
    const started = performance.now();
    const [status, note] = await Promise.allSettled([
      getJson(rootUrl(url, 'status')),
      getText(rootUrl(url, 'checkpoint')),
    ]);
    if (status.status === 'fulfilled') {
      reading.status = /** @type {StatusAnswer} */ (status.value);
      reading.answerMs = performance.now() - started;
    } else {
      reading.error = page.blocked.has(new URL(url).origin)
        ? "refused by this page's policy: the world changed since the page loaded; reload it"
        : why(status.reason);
    }
    if (note.status === 'fulfilled') reading.note = parseCheckpointNote(note.value);
    else reading.error ??= why(note.reason);
  } catch (err) {
    reading.error ??= why(err);
  }
  return reading;
}

/** Every member's root, in parallel, each with its own time limit. */
async function readRoots() {
  const world = page.world?.world;
  if (world === undefined) return;
  const self = page.status?.member ?? null;
  const readings = await Promise.all(world.members.map((m) => readRoot(m, m.name === self)));
  const maxHeight = Math.max(0, ...readings.map((r) => r.status?.height ?? 0));
  const { names } = cosigning(world);
  const chain = page.chain;
  const federation = {
    maxHeight,
    members: names,
    freshnessMs: world.policy.checkpointFreshnessMs,
    // The batch that made a tree is the one holding its last entry; its validators are the
    // voting members of the world in force before that entry (a world the batch made counts later).
    quorumAt: (/** @type {number} */ size) =>
      quorumOf(cosigning(chain === null ? world : worldBefore(chain, size - 1)).voting),
  };
  const before = new Map([...page.roots].map(([name, r]) => [name, r.health.level]));
  page.roots = new Map(
    readings.map((reading) => [reading.name, { reading, health: rootHealth(reading, federation) }]),
  );
  for (const { reading: r } of page.roots.values()) {
    if (r.status === null) continue;
    if (r.status.relay !== undefined)
      sampleRoot(page.samples.reservations, r.name, r.status.timeMs, r.status.relay.reservations);
    if (r.status.rendezvous !== undefined)
      sampleRoot(page.samples.registrations, r.name, r.status.timeMs, r.status.rendezvous.registrations);
  }
  announce(before);
}

/**
 * Tells assistive technology when a root's health changes (not on the first reading).
 * @param {Map<string, string>} before
 */
function announce(before) {
  const changes = [];
  for (const [name, { health }] of page.roots) {
    const was = before.get(name);
    if (was !== undefined && was !== health.level) changes.push(`${name}: ${health.words}`);
  }
  if (changes.length > 0) fill('announce', changes.join('. '));
}

/** New entries of this root's published ledger, a few pages per refresh. */
async function readLedger() {
  const size = page.note?.size ?? 0;
  for (let i = 0; i < LEDGER_PAGES_PER_REFRESH_MAX; i++) {
    const start = page.ledger.startFor(size);
    if (start >= size) return;
    const end = Math.min(size, start + LEDGER_PAGE_ENTRIES);
    /** @type {import('./types.js').EntriesAnswer} */
    const answer = await getJson(rootUrl(own, `ledger/entries?start=${start}&end=${end}`), {
      bytesMax: LEDGER_PAGE_BYTES_MAX,
    });
    page.ledger.add(answer.start, answer.entries);
  }
}

/** Where the statements the page names (world causes, motions) are in the ledger. */
async function lookUpStatements() {
  const ids = [
    ...(page.chain?.steps.flatMap((s) => s.causes) ?? []),
    ...(page.motions?.open.map((m) => m.id) ?? []),
    ...(page.motions?.decided.map((m) => m.id) ?? []),
  ].filter((id) => !page.indexes.has(id));
  for (const id of ids.slice(0, STATEMENT_LOOKUPS_PER_REFRESH_MAX)) {
    /** @type {import('./types.js').StatementAnswer | null} */
    const found = await getJson(rootUrl(own, `statements/${id}`)).catch(() => null);
    const index = found?.index ?? null;
    if (page.indexes.size >= STATEMENTS_KEPT_MAX) page.indexes.clear();
    page.indexes.set(id, index);
    if (index !== null && page.ledger.statementAt(index) === undefined) {
      /** @type {import('./types.js').EntriesAnswer} */
      const one = await getJson(rootUrl(own, `ledger/entries?start=${index}&end=${index + 1}`));
      const loose = new LedgerHistory();
      loose.add(index, one.entries);
      const s = loose.statementAt(index);
      if (s !== undefined && page.statements.size < STATEMENTS_KEPT_MAX) page.statements.set(index, s);
    }
  }
}

/** Samples of this root: ledger size and the checkpoint's cosigners; the clock's pace. */
function sampleOwn() {
  const s = page.status;
  if (s === null || page.world === null) return;
  sample(page.samples.size, s.timeMs, s.ledger.size);
  if (page.note !== null) {
    const signed = cosigners(page.note, cosigning(page.world.world).names);
    sample(page.samples.cosigners, s.timeMs, signed.members.length);
    sample(page.samples.witnesses, s.timeMs, signed.witnesses.length);
  }
  const wallMs = Date.now();
  page.clockStart ??= { wallMs, federationMs: s.timeMs };
  const elapsed = wallMs - page.clockStart.wallMs;
  if (elapsed >= REFRESH_MS / 2) page.clockRate = (s.timeMs - page.clockStart.federationMs) / elapsed;
}

/** @returns {View | null} */
function view() {
  if (page.world === null || page.status === null) return null;
  return {
    world: page.world.world,
    worldHash: page.world.hash,
    nowMs: page.status.timeMs,
    status: page.status,
    note: page.note,
    chain: page.chain,
    motions: page.motions,
    roots: [...page.roots.values()],
    ledger: page.ledger,
    statement: (id) => {
      const index = page.indexes.get(id);
      if (index === undefined || index === null) return undefined;
      return page.ledger.statementAt(index) ?? page.statements.get(index);
    },
    samples: page.samples,
    clockRate: page.clockRate,
  };
}

function render() {
  const v = view();
  fill(
    'notice',
    page.ownError === null
      ? null
      : h(
          'p',
          { class: 'problem' },
          `This root is not answering fully (${page.ownError}); what it said last is shown.`,
        ),
    v !== null && v.clockRate >= FAST_CLOCK_RATE_MIN
      ? h(
          'p',
          { class: 'note' },
          `This federation's clock runs about ${Math.round(v.clockRate).toLocaleString('en')}× faster than yours (a devnet): times, ages and deadlines below are in federation time.`,
        )
      : null,
  );
  if (v === null) return;
  fill('federation', v.world.federation);
  fill('summary', summary(v));
  fill('roots-body', rootsTableOrWait(v));
  fill('members-body', membersTable(v));
  fill('motions-body', openMotions(v));
  fill('decided-body', decidedMotions(v));
  fill('timeline-body', timeline(v));
  fill('charts-body', charts(v, chartWidth()));
  fill('updated', `Updated ${new Date().toLocaleTimeString()}.`);
}

/** The width one chart takes: the charts' grid puts as many side by side as fit (style.css .charts). */
function chartWidth() {
  const grid = document.getElementById('charts-body');
  if (grid === null || grid.clientWidth === 0) return undefined;
  const gap = Number.parseFloat(getComputedStyle(grid).columnGap) || 0;
  const total = grid.clientWidth;
  const columns = Math.max(1, Math.floor((total + gap) / (Math.min(total, CHART_COLUMN_MIN_PX) + gap)));
  return (total - gap * (columns - 1)) / columns - 2 * CHART_FRAME_PX;
}

/** @param {View} v */
function rootsTableOrWait(v) {
  return v.roots.length === 0 ? h('p', { class: 'muted' }, 'Reading every root…') : rootsTable(v);
}

async function refresh() {
  await readOwn();
  await readRoots();
  sampleOwn();
  try {
    await readLedger();
    await lookUpStatements();
  } catch (err) {
    page.ownError = why(err);
  }
  render();
}

let timer = 0;
let running = false;
async function loop() {
  if (running) return;
  running = true;
  clearTimeout(timer);
  try {
    await refresh();
  } catch (err) {
    page.ownError = why(err);
    render();
  } finally {
    running = false;
  }
  // A hidden tab stops reading; it reads again as soon as it is shown.
  if (document.visibilityState === 'visible') timer = window.setTimeout(loop, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void loop();
});
let resized = 0;
window.addEventListener('resize', () => {
  clearTimeout(resized);
  resized = window.setTimeout(render, RESIZE_SETTLE_MS);
});
document.addEventListener('securitypolicyviolation', (e) => {
  if (e.effectiveDirective === 'connect-src' && URL.canParse(e.blockedURI))
    page.blocked.add(new URL(e.blockedURI).origin);
});
// For tools and tests that watch the page: how often it reads the roots, and how long it waits for each.
document.documentElement.dataset.refreshMs = String(REFRESH_MS);
document.documentElement.dataset.answerTimeoutMs = String(ANSWER_TIMEOUT_MS);
void loop();
