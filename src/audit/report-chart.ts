// The ledger-growth chart of the HTML report: entries over batch time as inline SVG, drawn
// here on the auditor's side so that the page needs no script. Axes with a few round ticks, the
// series as a line with a dot per point (each with its value as a tooltip), and a title and
// description that say what it shows to people who do not see it.

import { escapeHtml as esc, utc as utcMinute } from './report-words.ts';
import type { GrowthPoint } from './timeline.ts';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { left: 64, right: 20, top: 16, bottom: 40 };
/** Ticks on each axis, at most (round values, so often fewer). */
const TICKS_MAX = 5;
const DAY_MS = 86_400_000;

const fixed = (n: number) => n.toFixed(1);

/** A round step (1, 2 or 5 × 10^k) that cuts `span` into at most TICKS_MAX parts. */
function niceStep(span: number): number {
  const raw = span / TICKS_MAX;
  const unit = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * unit >= raw) return m * unit;
  return 10 * unit;
}

/** A time for an axis: the day, with the minute when the series spans less than two days. */
function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs < 2 * DAY_MS ? iso.slice(5, 16).replace('T', ' ') : iso.slice(0, 10);
}

/**
 * The chart as an <svg> element, or null when there is no point to draw. `id` prefixes the
 * ids of its title and description (unique in the page).
 */
export function growthChart(points: readonly GrowthPoint[], id: string): string | null {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return null;
  const t0 = first.timeMs;
  const span = last.timeMs - t0;
  const top = Math.max(...points.map((p) => p.entries));
  const step = niceStep(Math.max(top, 1));
  const yMax = Math.ceil(Math.max(top, 1) / step) * step;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (ms: number) => PAD.left + (span > 0 ? ((ms - t0) / span) * plotW : plotW / 2);
  const y = (n: number) => PAD.top + plotH - (n / yMax) * plotH;

  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fixed(y(v))}" y2="${fixed(y(v))}"/>`,
      `<text class="tick" x="${PAD.left - 8}" y="${fixed(y(v) + 4)}" text-anchor="end">${v.toLocaleString('en')}</text>`,
    );
  }
  const xTicks = span > 0 ? TICKS_MAX - 1 : 0;
  for (let i = 0; i <= xTicks; i++) {
    const ms = xTicks === 0 ? t0 : t0 + (span * i) / xTicks;
    const anchor = xTicks === 0 ? 'middle' : i === 0 ? 'start' : i === xTicks ? 'end' : 'middle';
    parts.push(
      `<text class="tick" x="${fixed(x(ms))}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="${anchor}">${esc(timeLabel(ms, span))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}"/>`,
    `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}"/>`,
    `<text class="label" x="${PAD.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">batch time (the ledger's clock, UTC)</text>`,
    `<text class="label" x="14" y="${PAD.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + plotH / 2})">entries</text>`,
    `<polyline class="series" points="${points.map((p) => `${fixed(x(p.timeMs))},${fixed(y(p.entries))}`).join(' ')}"/>`,
  );
  for (const p of points)
    parts.push(
      `<circle class="point" cx="${fixed(x(p.timeMs))}" cy="${fixed(y(p.entries))}" r="3.5"><title>${esc(`${utcMinute(p.timeMs)}: ${p.entries.toLocaleString('en')} entries`)}</title></circle>`,
    );
  const title = 'Ledger entries over batch time';
  const desc = `From ${first.entries.toLocaleString('en')} entries at ${utcMinute(first.timeMs)} to ${last.entries.toLocaleString('en')} at ${utcMinute(last.timeMs)}, ${points.length} point${points.length === 1 ? '' : 's'}.`;
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>${parts.join('')}</svg>`;
}
