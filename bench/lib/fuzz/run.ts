// Runs a fuzz target over `count` inputs from one seed and counts what happened: accepted,
// refused with a typed error, crashed (anything else thrown), and checks of the target's state
// that found it changed by refused inputs. Inputs are generated in order from the seed (so a
// crash replays from its seed and index); a target may take several at once (HTTP, streams),
// and then its state is checked after each window instead of after each input.

import { Rng } from './inputs.ts';

export type Outcome = 'accepted' | 'refused';

export interface FuzzTarget<I = Uint8Array> {
  /** What is fuzzed, as the resilience table names it. */
  name: string;
  /** One input from the generator. */
  input(rng: Rng): I;
  /** Feeds one input: accepted, or refused with a typed error; throws only on a crash. */
  feed(input: I): Outcome | Promise<Outcome>;
  /**
   * The state the target keeps, as a string: the same after every refused input. Accepted
   * inputs may change it (a legitimate request), and then it is read again.
   */
  state?(): string | Promise<string>;
  /** Inputs fed at once (1: one after the other, state checked after each). */
  concurrency?: number;
  /** With concurrency, the state is checked after every this many windows. */
  stateEvery?: number;
  /** No input, accepted or not, may change the state (reads, duplicates, unsigned writes). */
  stateNeverChanges?: boolean;
}

export interface FuzzReport {
  name: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  stateChanges: number;
  /** "seed/index: error" of the first crashes and state changes, to replay them. */
  examples: string[];
  ms: number;
}

const EXAMPLES_MAX = 5;

export async function fuzz<I>(target: FuzzTarget<I>, count: number, seed: number): Promise<FuzzReport> {
  const rng = new Rng(seed);
  const report: FuzzReport = {
    name: target.name,
    inputs: 0,
    accepted: 0,
    refused: 0,
    crashes: 0,
    stateChanges: 0,
    examples: [],
    ms: 0,
  };
  const note = (what: string) => {
    if (report.examples.length < EXAMPLES_MAX) report.examples.push(what);
  };
  const started = performance.now();
  const window = Math.max(1, target.concurrency ?? 1);
  const stateEvery = window === 1 ? 1 : Math.max(1, target.stateEvery ?? 1);
  let state = await target.state?.();
  let acceptedSinceCheck = false;
  let refusedSinceCheck = false;
  for (let first = 0, windows = 0; first < count; first += window, windows++) {
    const inputs = Array.from({ length: Math.min(window, count - first) }, () => target.input(rng));
    const outcomes = await Promise.all(
      inputs.map(async (input, k) => {
        try {
          return await target.feed(input);
        } catch (err) {
          report.crashes++;
          const e = err as Error;
          note(`${seed}/${first + k}: ${e?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`);
          return undefined;
        }
      }),
    );
    for (const o of outcomes) {
      report.inputs++;
      if (o !== undefined) report[o]++;
      if (o === 'accepted') acceptedSinceCheck = true;
      if (o === 'refused') refusedSinceCheck = true;
    }
    const last = first + window >= count;
    if (target.state !== undefined && ((windows + 1) % stateEvery === 0 || last)) {
      const now = await target.state();
      const blame = target.stateNeverChanges === true || (!acceptedSinceCheck && refusedSinceCheck);
      if (now !== state && blame) {
        report.stateChanges++;
        note(`${seed}/${first}..${first + inputs.length - 1}: state changed`);
      }
      state = now;
      acceptedSinceCheck = false;
      refusedSinceCheck = false;
    }
  }
  report.ms = performance.now() - started;
  return report;
}
