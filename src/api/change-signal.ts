// Long polls: a request may wait for what it asks about to change — a statement's commit, a
// checkpoint past a size — instead of asking again and again. A client that follows a commit on
// every root by asking each every few milliseconds costs the roots a request per root per poll:
// with seven roots polled every 2 ms that was ≈ a sixth of their CPU per commit, on the cores
// that commit. The root calls notify() after every commit and every checkpoint it publishes;
// each waiting request then looks again. Bounded in time (a server's waitMsMax, below its
// connection timeout, which would otherwise cut a silent connection) and in count
// (LONG_POLL_WAITERS_MAX per server): past the bound a request is answered at once, as if it had
// not asked to wait.

/** Longest wait a request may ask for (`wait` in ms); a server may allow less (waitMsMax). */
export const LONG_POLL_MS_MAX = 30_000;
/** Requests one server keeps waiting at once; more are answered at once. */
export const LONG_POLL_WAITERS_MAX = 256;
/** The `wait` query parameter: milliseconds, decimal, no sign or leading zero; larger asks are clamped. */
export const WAIT_MS_PATTERN = '^(?:0|[1-9][0-9]{0,5})$';

export class ChangeSignal {
  /** The longest one request waits on this server. */
  readonly waitMsMax: number;
  readonly #wakers = new Set<(woken: boolean) => void>();
  #closed = false;

  constructor(waitMsMax: number) {
    this.waitMsMax = Math.max(0, Math.min(waitMsMax, LONG_POLL_MS_MAX));
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#wakers.size;
  }

  /**
   * Resolves true at the next notify(), or after `ms`; false at once when the server is closing
   * or LONG_POLL_WAITERS_MAX requests wait already, and at close().
   */
  next(ms: number): Promise<boolean> {
    if (this.#closed || this.#wakers.size >= LONG_POLL_WAITERS_MAX) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (woken: boolean) => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(woken);
      };
      const timer = setTimeout(() => wake(true), ms);
      this.#wakers.add(wake);
    });
  }

  /** Something a request may wait for changed: every waiting request looks again. */
  notify(): void {
    for (const wake of [...this.#wakers]) wake(true);
  }

  /** The server is closing: every waiting request is answered now, and none waits any more. */
  close(): void {
    this.#closed = true;
    for (const wake of [...this.#wakers]) wake(false);
  }
}

/**
 * Waits until `done()` holds, at most `ms` (clamped to the server's waitMsMax), looking again at
 * each change; returns at once without a signal, without a wait, or when the signal refuses one.
 */
export async function waitFor(
  signal: ChangeSignal | undefined,
  ms: number,
  done: () => boolean,
): Promise<void> {
  if (signal === undefined || ms <= 0) return;
  const deadline = performance.now() + Math.min(ms, signal.waitMsMax);
  while (!done()) {
    const left = deadline - performance.now();
    if (left <= 0 || !(await signal.next(left))) return;
  }
}
