// When to try a request again and how long to wait first. Pure: the clock and the random source
// come from the caller, so the schedule can be checked without waiting.

/**
 * Exponential backoff with "equal jitter": the pause before try `attempt + 1` is half of
 * min(maxMs, baseMs × 2^(attempt − 1)) plus a random share of the other half. Never zero, so a
 * crowd of clients refused together does not come back together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

const DELAY_SECONDS = /^\d{1,10}$/;

/**
 * RFC 9110 §10.2.3: `Retry-After: <delay-seconds>` or `Retry-After: <HTTP-date>`. Returns the
 * wait in ms from `nowMs` (0 for a date in the past), or undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (DELAY_SECONDS.test(value)) return Number(value) * 1000;
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
