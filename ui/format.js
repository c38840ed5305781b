// Words and numbers for people: times in the reader's local time and relative ("in 2 days"),
// byte counts, short ids, country names. Pure.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Hex digits of an id shown in lists (unambiguous among a federation's statements). */
export const SHORT_ID_HEX_CHARS = 12;

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * "in 2 days", "5 minutes ago": `deltaMs` after (positive) or before (negative) now.
 * @param {number} deltaMs
 */
export function relative(deltaMs) {
  const size = Math.abs(deltaMs);
  /** @type {[number, Intl.RelativeTimeFormatUnit]} */
  const [unit, name] =
    size < MINUTE_MS
      ? [SECOND_MS, 'second']
      : size < HOUR_MS
        ? [MINUTE_MS, 'minute']
        : size < 2 * DAY_MS
          ? [HOUR_MS, 'hour']
          : [DAY_MS, 'day'];
  return relativeFormat.format(Math.round(deltaMs / unit), name);
}

/**
 * A length of time without direction: "5 s", "3 min", "2 h", "4 days".
 * @param {number} ms
 */
export function duration(ms) {
  const size = Math.max(0, ms);
  if (size < MINUTE_MS) return `${Math.round(size / SECOND_MS)} s`;
  if (size < HOUR_MS) return `${Math.round(size / MINUTE_MS)} min`;
  if (size < 2 * DAY_MS) return `${Math.round(size / HOUR_MS)} h`;
  return `${Math.round(size / DAY_MS)} days`;
}

/**
 * Date and time in the reader's locale and time zone.
 * @param {number} ms
 */
export function localTime(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Axis labels: the time of day for a span under a day, the day and hour under a week, else the date.
 * @param {number} spanMs
 * @returns {(ms: number) => string}
 */
export function axisTime(spanMs) {
  /** @type {Intl.DateTimeFormatOptions} */
  const options =
    spanMs < DAY_MS
      ? { hour: '2-digit', minute: '2-digit' }
      : spanMs < 7 * DAY_MS
        ? { month: 'short', day: 'numeric', hour: '2-digit' }
        : { month: 'short', day: 'numeric' };
  return (ms) => new Date(ms).toLocaleString(undefined, options);
}

/**
 * "1.5 MB".
 * @param {number} n
 */
export function bytes(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(1)} ${units[i]}`;
}

/**
 * "12,345".
 * @param {number} n
 */
export function count(n) {
  return n.toLocaleString('en');
}

/**
 * "3 members", "1 member".
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** @param {string} id */
export function shortId(id) {
  return id.slice(0, SHORT_ID_HEX_CHARS);
}

/**
 * "Portugal (PT)"; the code alone where the browser has no name for it.
 * @param {string} code
 */
export function country(code) {
  try {
    const name = regionNames.of(code);
    return name === undefined || name === code ? code : `${name} (${code})`;
  } catch {
    return code;
  }
}
