// The deterministic consensus simulator: plans (random or scripted), the world that runs them,
// and the PRNG. `npm run sim` is src/sim/cli.ts.
export { invalidValue, SimApp } from './app.ts';
export {
  BEHAVIOURS,
  type Behaviour,
  basePlan,
  type Crash,
  faultsOf,
  mutationHuntPlan,
  type Partition,
  type Plan,
  parseScenario,
  randomPlan,
  SIM_TIMEOUTS,
} from './plan.ts';
export { Prng } from './prng.ts';
export { EventQueue } from './queue.ts';
export {
  type Faults,
  memoVerifier,
  RESEND_INTERVAL_MS,
  type RunResult,
  runSimulation,
  SIM_EVENTS_MAX,
  SIM_FEDERATION,
  type Violation,
  type ViolationKind,
} from './world.ts';
