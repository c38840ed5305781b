// A small time-series line chart in SVG: a few series of (time, value) points, axes with a
// handful of ticks, a legend. Drawn at the width it will take on the page (one SVG unit per
// CSS pixel, so its text stays readable on a phone); colours come from the stylesheet by
// series number, so nothing here needs an inline style. The SVG is an image
// with a text alternative that states the latest values; the numbers themselves are also in
// the page's tables.

import { h } from './dom.js';
import { axisTime } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Width drawn when the caller does not know the space it has, in CSS pixels. */
export const DEFAULT_CHART_WIDTH = 640;
/** Narrower than this, the time axis gets fewer labels. */
const NARROW_WIDTH = 420;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 56 };
/** Intervals between ticks on the value axis. */
const TICKS = 4;
/** Distinct series colours the stylesheet defines (.series-0 … .series-7). */
export const SERIES_STYLES = 8;

/**
 * @typedef {{ label: string, points: [number, number][] }} Series
 * @typedef {{ title: string, series: Series[], width?: number, formatY?: (v: number) => string, step?: boolean, empty?: string }} ChartSpec
 */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * A figure with the chart, its legend and caption.
 * @param {ChartSpec} spec
 */
export function chart(spec) {
  const formatY = spec.formatY ?? ((v) => v.toLocaleString('en'));
  const drawn = spec.series.filter((s) => s.points.length > 0);
  const caption = h('figcaption', {}, spec.title);
  if (drawn.length === 0)
    return h('figure', { class: 'chart' }, caption, h('p', { class: 'muted' }, spec.empty ?? 'No data yet.'));
  const xs = drawn.flatMap((s) => s.points.map((p) => p[0]));
  const ys = drawn.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = [xs.reduce((a, b) => Math.min(a, b)), xs.reduce((a, b) => Math.max(a, b))];
  const yStep = niceStep(ys.reduce((a, b) => Math.max(a, b), 1) / TICKS);
  const WIDTH = Math.max(240, Math.round(spec.width ?? DEFAULT_CHART_WIDTH));
  const xTicks = WIDTH < NARROW_WIDTH ? 2 : TICKS;
  const yMax = yStep * TICKS;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (/** @type {number} */ x) => MARGIN.left + (x1 === x0 ? plotW : ((x - x0) / (x1 - x0)) * plotW);
  const sy = (/** @type {number} */ y) => MARGIN.top + plotH - (y / yMax) * plotH;
  const latest = drawn.map((s) => `${s.label} ${formatY(s.points.at(-1)?.[1] ?? 0)}`).join(', ');
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `${spec.title}: latest ${latest}`,
    class: 'chart-svg',
  });
  const axis = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  for (let i = 0; i <= TICKS; i++) {
    const y = yStep * i;
    axis.append(
      svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(y), y2: sy(y), class: 'grid' }),
    );
    axis.append(svg('text', { x: MARGIN.left - 6, y: sy(y) + 4, 'text-anchor': 'end' }, formatY(y)));
  }
  const xLabel = axisTime(x1 - x0);
  for (let i = 0; i <= xTicks; i++) {
    const x = x0 + ((x1 - x0) * i) / xTicks;
    const anchor = i === 0 ? 'start' : i === xTicks ? 'end' : 'middle';
    axis.append(svg('text', { x: sx(x), y: HEIGHT - 8, 'text-anchor': anchor }, xLabel(x)));
  }
  root.append(axis);
  for (const [i, s] of drawn.entries()) {
    const points = s.points.map(([x, y], j) => {
      const prev = s.points[j - 1];
      const corner = spec.step && prev !== undefined ? `${sx(x)},${sy(prev[1])} ` : '';
      return `${corner}${sx(x)},${sy(y)}`;
    });
    const style = `series-${spec.series.indexOf(s) % SERIES_STYLES}`;
    root.append(svg('polyline', { points: points.join(' '), class: `line ${style}`, 'data-series': i }));
    const last = s.points.at(-1);
    if (last !== undefined)
      root.append(svg('circle', { cx: sx(last[0]), cy: sy(last[1]), r: 3, class: `dot ${style}` }));
  }
  const legend = h(
    'ul',
    { class: 'legend' },
    spec.series.map((s, i) =>
      h(
        'li',
        {},
        h('span', { class: `swatch series-${i % SERIES_STYLES}`, 'aria-hidden': 'true' }),
        `${s.label}: ${s.points.length === 0 ? 'no data' : formatY(s.points.at(-1)?.[1] ?? 0)}`,
      ),
    ),
  );
  return h('figure', { class: 'chart' }, caption, root, legend);
}

/**
 * The round tick step (1, 2 or 5 × 10^k, at least 1: the charts count things) at or above v.
 * @param {number} v
 */
function niceStep(v) {
  if (v <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * power >= v) return m * power;
  return 10 * power;
}
