// How a decided motion's outcome is said to people, the same at the API and in the CLI:
// "passed at height 9, world v2", "rejected (ADMISSION_RATE) at height 12, world v4".

import type { MotionOutcome } from './root-view.ts';

export function outcomeWords(o: Omit<MotionOutcome, 'id' | 'index' | 'decidedMs'>): string {
  const reason = o.reason === undefined ? '' : ` (${o.reason})`;
  return `${o.result}${reason} at height ${o.height}, world v${o.worldVersion}`;
}
