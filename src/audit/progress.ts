// A progress bar on stderr with rate and ETA, drawn only when stderr is a TTY.

import { PROGRESS_INTERVAL_MS } from './constants.ts';

export type Progress = { update(done: number, total: number): void; end(): void };

const BAR_CHARS = 30;

export function formatProgress(label: string, done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * BAR_CHARS);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const etaS = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  const eta = etaS >= 60 ? `${Math.floor(etaS / 60)}m${String(etaS % 60).padStart(2, '0')}s` : `${etaS}s`;
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_CHARS - filled)}] ${(fraction * 100).toFixed(0)}% ${done}/${total} ${rate.toFixed(0)}/s ETA ${eta}`;
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  now = () => performance.now(),
): Progress {
  if (!stream.isTTY) return { update() {}, end() {} };
  const started = now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - last < PROGRESS_INTERVAL_MS && done < total) return;
      last = t;
      drawn = true;
      stream.write(`\r${formatProgress(label, done, total, t - started)}\u001b[K`);
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}
