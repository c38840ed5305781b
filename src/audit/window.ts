// Reading many tiles or bundles from one root: a bounded window of requests in flight, the
// answers handled strictly in order (a tree is folded left to right), and a stop that waits
// for what is still in flight so that nothing keeps running after the caller moved on. And a
// bounded number of roots worked on at once.

/**
 * Calls `fetch` for each item, at most `window` at once, and `consume` with each answer in the
 * items' order. Stops after the first `consume` that returns false; a failed fetch rejects
 * when its turn comes.
 */
export async function inOrder<T, R>(
  items: readonly T[],
  window: number,
  fetch: (item: T) => Promise<R>,
  consume: (item: T, value: R) => boolean | Promise<boolean>,
): Promise<void> {
  const width = Math.max(1, Math.floor(window));
  const inFlight = new Map<number, Promise<R>>();
  const launch = (i: number) => {
    if (i < items.length && !inFlight.has(i)) {
      const p = fetch(items[i]!);
      p.catch(() => undefined); // awaited below in order; no unhandled rejection meanwhile
      inFlight.set(i, p);
    }
  };
  try {
    for (let i = 0; i < width; i++) launch(i);
    for (let i = 0; i < items.length; i++) {
      const value = await inFlight.get(i)!;
      inFlight.delete(i);
      launch(i + width);
      if (!(await consume(items[i]!, value))) return;
    }
  } finally {
    await Promise.allSettled(inFlight.values());
  }
}

/** Runs `work` on every item, at most `parallel` at once. */
export async function inParallel<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
}
