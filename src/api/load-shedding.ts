// Load shedding: answer 503 OVERLOADED while the event loop lags more than the configured
// bound, so consensus timers and commits keep their time when the HTTP API is flooded.
//
// Our own small hook instead of @fastify/under-pressure's event-loop check: that one turns an
// interval with no samples (NaN mean, e.g. a process starved by other work for a second) into
// an infinite delay and refuses everything, which is what a busy but healthy root looks like
// on a shared machine. Here an interval without samples keeps the previous reading.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';

/** Histogram resolution and how often the reading is refreshed. */
export const EVENT_LOOP_RESOLUTION_MS = 10;
export const EVENT_LOOP_SAMPLE_INTERVAL_MS = 1_000;
export const RETRY_AFTER_S = 5;

/** Whether the server refuses requests now; the ready answers (ready-answers.ts) ask it too. */
export type LoadShedding = { shedding(): boolean };

/** Adds the hooks to `app` itself (not an encapsulated plugin), so every route is covered. */
export function installLoadShedding(
  app: FastifyInstance,
  opts: { eventLoopDelayMaxMs: number },
): LoadShedding {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  histogram.enable();
  let delayMs = 0;
  const timer = setInterval(() => {
    const mean = histogram.mean / 1e6 - EVENT_LOOP_RESOLUTION_MS;
    if (Number.isFinite(mean)) delayMs = Math.max(0, mean);
    histogram.reset();
  }, EVENT_LOOP_SAMPLE_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    histogram.disable();
  });
  // A callback hook: it runs on every request, and an async one costs a promise each time.
  const shedding = (): boolean => delayMs > opts.eventLoopDelayMaxMs;
  app.addHook('onRequest', (_req, reply, done) => {
    if (!shedding()) return done();
    reply
      .status(503)
      .header('retry-after', String(RETRY_AFTER_S))
      .send({
        code: 'OVERLOADED',
        message: `root is shedding load (event loop delay ${Math.round(delayMs)} ms); retry in a few seconds`,
      });
  });
  return { shedding };
}
