// Keeps the hidden classes of process.nextTick's queued ticks alive for the life of the process.
//
// Why: Node queues each tick as an object literal with computed symbol keys
// (internal/process/task_queues: `{ [async_id_symbol], [trigger_async_id_symbol],
// [async_context_frame], callback, args }`). V8 keeps the hidden classes (maps) such a literal
// builds only while an object that has them is alive, or for two major collections more. A root
// at rest holds no queued tick, so its collections drop them; the next tick builds new ones, and
// after a few such rounds the literal's inline caches are megamorphic for good: from then on
// every process.nextTick — each stream's end, each socket write, each HTTP response — defines
// its properties through V8's runtime instead of the cache: 11 % of a root's samples under wrk
// on GET /world (perf). With one tick held, CPU per GET /world on a root 20 s after its start
// went from 38.5 to 31.6 µs (the bundle before and after, three alternating runs;
// docs/architecture.md, "Decisions"). Node and V8 are not ours to change; holding one tick is.
//
// How: async_hooks hands each new async resource to the init hooks enabled at the time, and a
// tick's resource is the tick object itself. A hook enabled around one process.nextTick call
// catches it and is disabled at once, so no hook runs afterwards. A Node that queues ticks some
// other way gives no 'TickObject' resource: nothing is held and nothing changes.

import { createHook } from 'node:async_hooks';

/** The async_hooks resource type of a queued tick. */
const TICK_RESOURCE_TYPE = 'TickObject';

let held: object | undefined;

/** Holds one queued tick object for the life of the process (once; later calls do nothing). */
export function keepNextTickShapes(): void {
  if (held !== undefined) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === TICK_RESOURCE_TYPE && held === undefined) held = resource as object;
    },
  });
  hook.enable();
  try {
    // With an argument, as most of Node's own ticks are queued (stream ends, socket writes).
    process.nextTick(() => {}, undefined);
  } finally {
    hook.disable();
  }
}

/** Whether a tick object is held (for the tests). */
export function nextTickShapesKept(): boolean {
  return held !== undefined;
}
