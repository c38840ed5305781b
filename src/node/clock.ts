// The root's clock. Production uses wall time. The devnet runs a federation "in devnet
// time": every root (and the CLI) reads WITAN_DEVNET_CLOCK="<startMs>:<rate>" and sees time
// pass `rate` times faster from a shared start, so a one-day probation passes in seconds
// while every rule still sees the policy's real durations.

import { NodeError } from './errors.ts';

export type Clock = () => number;

export const DEVNET_CLOCK_ENV = 'WITAN_DEVNET_CLOCK';
export const DEVNET_CLOCK_RATE_MAX = 100_000;

export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const spec = devnetClock(env);
  if (spec === undefined) return Date.now;
  const { startMs, rate } = spec;
  return () => startMs + (Date.now() - startMs) * rate;
}

/** How many times faster than wall time the clock from the environment runs: 1 on wall time. */
export function clockRateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return devnetClock(env)?.rate ?? 1;
}

function devnetClock(env: NodeJS.ProcessEnv): { startMs: number; rate: number } | undefined {
  const spec = env[DEVNET_CLOCK_ENV];
  if (spec === undefined || spec === '') return undefined;
  const match = /^(\d{1,16}):(\d{1,6})$/.exec(spec);
  const startMs = Number(match?.[1]);
  const rate = Number(match?.[2]);
  if (match === null || rate < 1 || rate > DEVNET_CLOCK_RATE_MAX) {
    throw new NodeError(
      'CONFIG_INVALID',
      `${DEVNET_CLOCK_ENV}=${spec}: expected <startMs>:<rate> with rate 1..${DEVNET_CLOCK_RATE_MAX}, or unset it to run on wall time`,
    );
  }
  return { startMs, rate };
}
