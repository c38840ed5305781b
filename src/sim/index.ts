// The deterministic consensus simulator: plans (random or scripted), the world that runs them,
// and the PRNG. `npm run sim` is src/sim/cli.ts.
export { invalidValue, SimApp } from './app.ts';
export { FLOOD_BURST, FLOOD_PERIOD_MS, FLOOD_VALUE_BYTES, Flooder } from './byzantine.ts';
export { keysOf, memoVerifier, type SimKeys } from './keys.ts';
export {
  BEHAVIOURS,
  type Behaviour,
  basePlan,
  type Crash,
  faultsOf,
  floodPlan,
  MUTATIONS,
  mutationHuntPlan,
  type Partition,
  type Plan,
  parseScenario,
  RANDOM_BEHAVIOURS,
  randomPlan,
  SIM_TIMEOUTS,
} from './plan.ts';
export { Prng } from './prng.ts';
export { EventQueue } from './queue.ts';
export { honestSendsPerWindowMax, SEND_RATE_WINDOW_MS, SendRate } from './send-rate.ts';
export {
  type Faults,
  RESEND_INTERVAL_MS,
  type RunResult,
  runSimulation,
  SIM_EVENTS_MAX,
  SIM_FEDERATION,
  type Violation,
  type ViolationKind,
} from './world.ts';
