// Making this process's event loop lag, for tests of load shedding (src/api/load-shedding.ts).

/** Slices the loop is blocked in: long enough to lag, short enough to let timers run between. */
const LAG_SLICE_MS = 150;

/**
 * Blocks the event loop in LAG_SLICE_MS slices for about `ms`, letting it turn between slices,
 * so the shedding's next reading of the loop's delay sees the lag.
 */
export async function lagEventLoop(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const slice = Date.now() + LAG_SLICE_MS;
    while (Date.now() < slice) {
      // busy: the event loop cannot turn
    }
    await new Promise((r) => setImmediate(r));
  }
}
