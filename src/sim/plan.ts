// A simulation plan: who is Byzantine, when statements arrive, which faults happen when. Random
// runs draw a plan from a seed (randomPlan); scripted scenarios spell one out in a text file
// (parseScenario; format in test/sim/scenarios/README.md).

import type { UnsafeMutation } from '../consensus/index.ts';
import { Prng } from './prng.ts';

export type Behaviour =
  | 'silent'
  | 'equivocating-proposer'
  | 'double-voter'
  | 'invalid-values'
  | 'replayer'
  | 'flooder';
/** The behaviours random plans draw from; flooding has its own plans (floodPlan), being costlier to run. */
export const RANDOM_BEHAVIOURS: readonly Behaviour[] = [
  'silent',
  'equivocating-proposer',
  'double-voter',
  'invalid-values',
  'replayer',
];
export const BEHAVIOURS: readonly Behaviour[] = [...RANDOM_BEHAVIOURS, 'flooder'];

export interface Partition {
  fromMs: number;
  toMs: number;
  /** Nodes in different groups cannot reach each other; a node in no group reaches nobody. */
  groups: number[][];
}

export interface Crash {
  node: number;
  atMs: number;
  restartMs: number;
  /** Crash at the node's next step after its WAL write and before its messages leave. */
  torn: boolean;
}

export interface Plan {
  seed: number;
  n: number;
  byzantine: { node: number; behaviour: Behaviour }[];
  /** Statements submitted by clients to every root at atMs. */
  statements: { atMs: number; count: number }[];
  partitions: Partition[];
  crashes: Crash[];
  /** Before GST: probability that a message is lost / delivered twice. */
  loss: number;
  duplicate: number;
  /** Link delay: uniform in [minMs, maxMs], plus an exponential tail (mean tailMs) before GST. */
  delay: { minMs: number; maxMs: number; tailMs: number };
  /** Global stabilisation time: no loss, partitions or crashes from here on. */
  gstMs: number;
  /** Liveness bound: every honest root has committed every statement by gstMs + livenessMs. */
  livenessMs: number;
  batchMax: number;
  timeouts: { proposeMs: number; prevoteMs: number; precommitMs: number; deltaMs: number };
  mutation?: UnsafeMutation;
  /** Verify every delivered message (true cost per root) instead of memoising across roots. */
  verifyEveryMessage?: boolean;
}

export const MUTATIONS: readonly UnsafeMutation[] = [
  'no-locking',
  'quorum-minus-one',
  'resend-on-old-message',
];

export const SIM_TIMEOUTS = { proposeMs: 300, prevoteMs: 100, precommitMs: 100, deltaMs: 50 };

export function faultsOf(n: number): number {
  return Math.floor((n - 1) / 3);
}

export function basePlan(seed: number, n: number): Plan {
  return {
    seed,
    n,
    byzantine: [],
    statements: [{ atMs: 0, count: 3 }],
    partitions: [],
    crashes: [],
    loss: 0,
    duplicate: 0,
    delay: { minMs: 5, maxMs: 20, tailMs: 0 },
    gstMs: 0,
    livenessMs: 30_000,
    batchMax: 4,
    timeouts: { ...SIM_TIMEOUTS },
  };
}

/** Draws a plan with up to f Byzantine roots and random faults, all healed by GST. */
export function randomPlan(seed: number, n: number, options: { mutation?: UnsafeMutation } = {}): Plan {
  const rng = new Prng(seed ^ 0x5eed);
  const plan = basePlan(seed, n);
  const f = faultsOf(n);
  const nodes = rng.shuffle([...Array(n).keys()]);
  const byz = rng.int(f + 1);
  plan.byzantine = nodes.slice(0, byz).map((node) => ({ node, behaviour: rng.pick(RANDOM_BEHAVIOURS) }));
  plan.gstMs = rng.range(500, 3000);
  plan.statements = [];
  const batches = rng.range(1, 3);
  for (let i = 0; i < batches; i++)
    plan.statements.push({ atMs: rng.int(plan.gstMs), count: rng.range(1, 5) });
  plan.loss = rng.chance(0.5) ? rng.float() * 0.3 : 0;
  plan.duplicate = rng.chance(0.3) ? rng.float() * 0.2 : 0;
  const min = rng.range(1, 20);
  plan.delay = { minMs: min, maxMs: min + rng.range(0, 60), tailMs: rng.chance(0.3) ? rng.range(5, 200) : 0 };
  const partitions = rng.int(3);
  for (let i = 0; i < partitions; i++) {
    const fromMs = rng.int(plan.gstMs);
    const toMs = rng.range(fromMs, plan.gstMs);
    const shuffled = rng.shuffle([...Array(n).keys()]);
    const cut = rng.range(1, n - 1);
    plan.partitions.push({ fromMs, toMs, groups: [shuffled.slice(0, cut), shuffled.slice(cut)] });
  }
  // Crashes hit honest roots only (a crashed Byzantine root is just a silent one).
  const honest = nodes.slice(byz);
  const crashes = rng.int(3);
  for (let i = 0; i < crashes; i++) {
    const atMs = rng.int(plan.gstMs);
    plan.crashes.push({
      node: rng.pick(honest),
      atMs,
      restartMs: rng.range(atMs + 1, plan.gstMs),
      torn: rng.chance(0.5),
    });
  }
  if (options.mutation !== undefined) plan.mutation = options.mutation;
  return plan;
}

/** Parses a scenario file: one directive per line, `#` comments. Throws with the line number. */
export function parseScenario(text: string): { plan: Plan; expect: string[] } {
  let plan = basePlan(1, 4);
  const expect: string[] = [];
  let statementsSet = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [word, ...rest] = line.split(/\s+/);
    const num = (k: number): number => {
      const v = Number(rest[k]);
      if (!Number.isFinite(v)) throw new Error(`scenario line ${i + 1}: "${rest[k]}" is not a number`);
      return v;
    };
    switch (word) {
      case 'nodes': {
        const seed = plan.seed;
        plan = { ...basePlan(seed, num(0)), statements: plan.statements };
        break;
      }
      case 'seed':
        plan.seed = num(0);
        break;
      case 'byzantine': {
        const behaviour = rest[1] as Behaviour;
        if (!BEHAVIOURS.includes(behaviour)) throw new Error(`scenario line ${i + 1}: unknown behaviour`);
        plan.byzantine.push({ node: num(0), behaviour });
        break;
      }
      case 'statements':
        if (!statementsSet) {
          plan.statements = [];
          statementsSet = true;
        }
        plan.statements.push({ count: num(0), atMs: num(1) });
        break;
      case 'partition': {
        // partition 0,1|2,3 1000 2000
        const groups = rest[0]!.split('|').map((g) =>
          g
            .split(',')
            .filter((x) => x !== '')
            .map(Number),
        );
        plan.partitions.push({ groups, fromMs: num(1), toMs: num(2) });
        break;
      }
      case 'crash':
        plan.crashes.push({ node: num(0), atMs: num(1), restartMs: num(2), torn: rest[3] === 'torn' });
        break;
      case 'loss':
        plan.loss = num(0);
        break;
      case 'duplicate':
        plan.duplicate = num(0);
        break;
      case 'delay':
        plan.delay = { minMs: num(0), maxMs: num(1), tailMs: rest[2] === undefined ? 0 : num(2) };
        break;
      case 'gst':
        plan.gstMs = num(0);
        break;
      case 'liveness':
        plan.livenessMs = num(0);
        break;
      case 'batch':
        plan.batchMax = num(0);
        break;
      case 'mutation': {
        const mutation = MUTATIONS.find((m) => m === rest[0]);
        if (mutation === undefined) {
          throw new Error(`scenario line ${i + 1}: mutation is one of ${MUTATIONS.join(', ')}`);
        }
        plan.mutation = mutation;
        break;
      }
      case 'expect':
        expect.push(rest.join(' '));
        break;
      default:
        throw new Error(`scenario line ${i + 1}: unknown directive "${word}"`);
    }
  }
  return { plan, expect };
}

/**
 * Plans that give a broken algorithm many chances to show it: one double-voting root, a lossy
 * network before GST and six heights. The unmutated algorithm must pass these too.
 */
export function mutationHuntPlan(seed: number, n: number, mutation?: UnsafeMutation): Plan {
  const plan = randomPlan(seed, n, mutation === undefined ? {} : { mutation });
  const byz = seed % n;
  plan.byzantine = [{ node: byz, behaviour: 'double-voter' }];
  plan.crashes = [];
  plan.partitions = [];
  plan.gstMs = 3000;
  plan.loss = 0.15;
  plan.statements = [0, 500, 1000, 1500, 2000, 2500].map((atMs) => ({ atMs, count: 1 }));
  plan.delay = { minMs: 5, maxMs: 40, tailMs: 0 };
  plan.livenessMs = 10_000;
  return plan;
}

/**
 * Plans where f roots (at least one) flood valid-looking messages for the whole run (old heights,
 * far rounds, heights ahead, large values, duplicates, replays) while statements keep arriving over
 * the stormy period, so the flood covers many heights. Honest roots must still commit everything
 * within the liveness bound, and their send rate must stay within its bound.
 */
export function floodPlan(seed: number, n: number, options: { mutation?: UnsafeMutation } = {}): Plan {
  const plan = randomPlan(seed, n, options);
  const rng = new Prng(seed ^ 0xf100d);
  const flooders = rng.shuffle([...Array(n).keys()]).slice(0, Math.max(1, faultsOf(n)));
  plan.byzantine = flooders.map((node) => ({ node, behaviour: 'flooder' }));
  plan.crashes = plan.crashes.filter((c) => !flooders.includes(c.node));
  plan.statements = [0, 1, 2, 3, 4].map((k) => ({
    atMs: Math.floor((k * plan.gstMs) / 4),
    count: rng.range(1, 3),
  }));
  plan.livenessMs = 10_000;
  return plan;
}
