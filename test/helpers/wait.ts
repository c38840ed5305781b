// The one way tests wait for something to happen: observe, check, try again, bounded both by
// time and by attempts. A test that waits says what it waits for, so a timeout names it and
// shows the last thing it saw (a value or an error) rather than "condition not reached".

/** How long a wait lasts when the caller names no bound. */
export const WAIT_TIMEOUT_MS = 30_000;
/** Pause between two observations: short, because every wait is for a positive signal. */
export const WAIT_INTERVAL_MS = 50;
/** No wait observes more often than this, whatever its time bound. */
export const WAIT_ATTEMPTS_MAX = 10_000;
/** How much of the last observation a timeout message quotes. */
export const WAIT_SHOWN_CHARS_MAX = 600;

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  attemptsMax?: number;
}

type Awaitable<T> = T | Promise<T>;

export class WaitTimeout extends Error {
  readonly what: string;
  readonly last: unknown;
  constructor(what: string, attempts: number, elapsedMs: number, last: unknown) {
    super(
      `gave up waiting for ${what} after ${elapsedMs} ms and ${attempts} attempts; last observed: ${show(last)}`,
    );
    this.name = 'WaitTimeout';
    this.what = what;
    this.last = last;
  }
}

function show(value: unknown): string {
  let text: string;
  if (value instanceof Error) text = `${value.name}: ${value.message}`;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text =
        JSON.stringify(value, (_k, v) =>
          typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v,
        ) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > WAIT_SHOWN_CHARS_MAX ? `${text.slice(0, WAIT_SHOWN_CHARS_MAX)}…` : text;
}

const isSomething = (v: unknown): boolean => v !== undefined && v !== null && v !== false;

/**
 * Observes until the observation passes `until` (by default: is not undefined, null or false)
 * and resolves with it. An observation that throws counts as "not yet" (a root still starting
 * refuses connections) and its error is what a timeout reports.
 */
export function waitUntil<T>(
  what: string,
  observe: () => Awaitable<T>,
  o: WaitOptions & { until: (observed: T) => boolean },
): Promise<T>;
export function waitUntil<T>(
  what: string,
  observe: () => Awaitable<T | undefined | null | false>,
  o?: WaitOptions,
): Promise<T>;
export async function waitUntil<T>(
  what: string,
  observe: () => Awaitable<T>,
  o: WaitOptions & { until?: (observed: T) => boolean } = {},
): Promise<T> {
  const timeoutMs = o.timeoutMs ?? WAIT_TIMEOUT_MS;
  const intervalMs = o.intervalMs ?? WAIT_INTERVAL_MS;
  const attemptsMax = o.attemptsMax ?? WAIT_ATTEMPTS_MAX;
  const passes = o.until ?? isSomething;
  const started = Date.now();
  let last: unknown;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    try {
      const observed = await observe();
      if (passes(observed)) return observed;
      last = observed;
    } catch (err) {
      last = err;
    }
    const elapsedMs = Date.now() - started;
    if (elapsedMs >= timeoutMs || attempt === attemptsMax)
      throw new WaitTimeout(what, attempt, elapsedMs, last);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsedMs)));
  }
  throw new WaitTimeout(what, attemptsMax, Date.now() - started, last);
}
