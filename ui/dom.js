// Building the page: elements from tag, attributes and children, text always as text (never
// HTML: the page's policy enforces Trusted Types, so an HTML sink would throw anyway).

/** @typedef {import('./types.js').Child} Child */
/** @typedef {Record<string, string | number | boolean | undefined>} Attrs */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Attrs} attrs
 */
export function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== false) el.setAttribute(name, value === true ? '' : String(value));
  }
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
export function append(el, children) {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
}

/**
 * A <time> with a machine-readable datetime.
 * @param {number} ms
 * @param {string} text
 */
export function time(ms, text) {
  return h('time', { datetime: new Date(ms).toISOString() }, text);
}

/**
 * A data table with a caption, column headers and a row header per row. On a wide screen it
 * scrolls sideways when it must (and can be focused to scroll with the keyboard); on a phone
 * the stylesheet shows each row as a card, each cell labelled with its column (data-label).
 * The roles are explicit because a table laid out as cards loses them in some browsers.
 * @param {{ caption: string, columns: string[], rows: Child[][], id: string, className?: string }} t
 */
export function table(t) {
  const captionId = `${t.id}-caption`;
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: 0, 'aria-labelledby': captionId },
    h(
      'table',
      { id: t.id, class: ['cards', t.className].filter(Boolean).join(' '), role: 'table' },
      h('caption', { id: captionId }, t.caption),
      h(
        'thead',
        { role: 'rowgroup' },
        h(
          'tr',
          { role: 'row' },
          t.columns.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)),
        ),
      ),
      h(
        'tbody',
        { role: 'rowgroup' },
        t.rows.map((cells) =>
          h(
            'tr',
            { role: 'row' },
            cells.map((cell, i) =>
              i === 0
                ? h('th', { scope: 'row', role: 'rowheader' }, cell)
                : // One box per value, so a card lays out the label and the value side by side.
                  h('td', { role: 'cell', 'data-label': t.columns[i] }, h('div', {}, cell)),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Replaces the content of the element with this id. A table scrolled sideways keeps its
 * position, and a focused table region keeps the focus, across the page's refreshes.
 * @param {string} id
 * @param {...Child} children
 */
export function fill(id, ...children) {
  const el = document.getElementById(id);
  if (el === null) return;
  /** @type {Map<string, number>} */
  const scrolled = new Map();
  for (const s of el.querySelectorAll('.scroll'))
    scrolled.set(s.getAttribute('aria-labelledby') ?? '', s.scrollLeft);
  const active = document.activeElement;
  const focused = active !== null && el.contains(active) ? active.getAttribute('aria-labelledby') : null;
  el.replaceChildren();
  append(el, children);
  for (const s of el.querySelectorAll('.scroll')) {
    const key = s.getAttribute('aria-labelledby') ?? '';
    s.scrollLeft = scrolled.get(key) ?? 0;
    if (key === focused && s instanceof HTMLElement) s.focus({ preventScroll: true });
  }
}
