// The driver's core: how one root applies the consensus core's effects, synchronous and free of
// I/O, so that the production shell (driver.ts: LevelDB WAL, gossipsub, setTimeout) and the
// simulator (src/sim: in-memory WAL, simulated network, virtual clock and timers) run the same
// ordering — a simulated seed exercises the WAL, send, timer, retransmission and catch-up order
// that runs in production.
//
// Inputs are queued and applied one at a time: `step(state, input)` of the pure Tendermint core,
// then that step's effects in this order —
//   1. persist `toPersist` (the shell makes it durable: WAL sync) BEFORE anything of the step leaves;
//   2. broadcast the messages;
//   3. report evidence; arm the step's timers;
//   4. hand each decision to the app (it appends it to its ledger), then start the next height with
//      that height's validators and offer the app's pending value;
//   5. offer a value when the proposer asked for one; fetch missed decisions when the step asked.
// The three effects that take I/O time — persist, broadcast, decide — are yielded by `drain()`:
// the shell performs each (awaiting it in production, at once in the simulator) before it asks for
// the next, so nothing of a step leaves before its record is durable, and a shell that dies between
// two effects (a crash between persist and send) loses the rest. Timers, the clock, the app's
// queries and starting a catch-up request are synchronous injected calls.
//
// Also the gossip duties the paper assumes of the network: while a height is undecided we re-send
// our current messages every resendMs (retransmission), and we ask a peer for decisions we may have
// missed — at most once per catchUpIntervalMs with one request in flight (messages from ahead can
// arrive by the hundred), also while idle, when the others may have decided and gone quiet.
// Nothing here sends in answer to a received message: what a root sends is bounded by its own
// steps and the retransmission period, however much it receives.

import {
  CATCH_UP_DECISIONS_MAX,
  DEFAULT_CATCH_UP_INTERVAL_MS,
  DEFAULT_RESEND_MS,
  DRIVER_QUEUE_MAX,
} from './constants.ts';
import { type ConsensusMessage, messageInfo } from './messages.ts';
import {
  type CoreConfig,
  type CoreState,
  type Decision,
  type Equivocation,
  type Input,
  initState,
  type Output,
  type PersistRecord,
  retransmission,
  step,
  type Validator,
  wantsValue,
} from './tendermint.ts';

/** What the core asks of the application, synchronously. */
export interface AppQueries {
  /** Pure validity of a value at a height (re-execute the batch against the ledger at height-1). */
  isValid(height: number, value: Uint8Array): boolean;
  /** Is a fresh proposal's value timely at our clock (CoreConfig.isTimely)? Default: yes. */
  isTimely?(height: number, value: Uint8Array): boolean;
  /** A value of pending statements for this height, or undefined when idle. */
  proposeValue(height: number): Uint8Array | undefined;
  /** Validators of a height: validatorsOf(governance state after height-1). */
  validatorsFor(height: number): Validator[];
  /** The next height to decide: ledger batches + 1. */
  nextHeight(): number;
}

export interface Timers {
  set(delayMs: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

/** An effect the shell performs before it asks `drain()` for the next one. */
export type DriverEffect =
  | { kind: 'persist'; record: PersistRecord }
  | { kind: 'broadcast'; message: ConsensusMessage }
  | { kind: 'decide'; decision: Decision };

export interface DriverCoreOptions {
  config: Omit<CoreConfig, 'isValid' | 'isTimely'>;
  app: AppQueries;
  timers: Timers;
  /** Monotonic milliseconds (performance.now in production, the virtual clock in the simulator). */
  now: () => number;
  /** An input was queued: the shell runs `drain()` unless it is already running it. */
  wake: () => void;
  /** Starts fetching decisions from `height` on; the shell hands the answer to `fetched()`. */
  requestDecisions?: (height: number, limit: number) => void;
  onEvidence?: (e: Equivocation) => void;
  onError?: (err: unknown) => void;
  /** Retransmission period while a height is undecided (0 disables it). */
  resendMs?: number;
  catchUpIntervalMs?: number;
  /** The core's step function; the simulator wraps it to trace and time it. */
  step?: (state: CoreState, input: Input) => Output;
}

type Queued = Input | { kind: 'resend' };

export class DriverCore {
  readonly #o: DriverCoreOptions;
  readonly #step: (state: CoreState, input: Input) => Output;
  #state: CoreState;
  /** Core inputs, plus 'resend' so retransmission runs in turn, after the last WAL write. */
  #queue: Queued[] = [];
  #stopped = false;
  #handles = new Set<unknown>();
  #resend: unknown = null;
  #catchingUp = false;
  #lastCatchUpMs = Number.NEGATIVE_INFINITY;
  /**
   * The height of a value-ready input waiting in the queue (the state does not show it yet), or -1.
   * Kept per height: a value queued for a height that is decided meanwhile must not stop the offer
   * for the next one.
   */
  #valueQueuedHeight = -1;

  constructor(o: DriverCoreOptions) {
    this.#o = o;
    this.#step = o.step ?? step;
    const { app } = o;
    this.#state = initState({
      ...o.config,
      isValid: (h, v) => app.isValid(h, v),
      ...(app.isTimely === undefined ? {} : { isTimely: (h, v) => app.isTimely?.(h, v) ?? true }),
    });
  }

  get state(): CoreState {
    return this.#state;
  }

  /** Starts (or resumes, from the WAL's record) the app's next height and the retransmission timer. */
  begin(resume: PersistRecord | null): void {
    const height = this.#o.app.nextHeight();
    this.#push({ kind: 'start-height', height, validators: this.#o.app.validatorsFor(height), resume });
    this.pending();
    if ((this.#o.resendMs ?? DEFAULT_RESEND_MS) > 0) this.#armResend();
  }

  /**
   * The app has new pending statements: offer a value for the current height if the core would
   * use it now, and not while one for this height waits in the queue. Asking on every statement
   * would build a batch of everything pending each time one arrives at every root: work that
   * grows with the pool, on the path of every POST.
   */
  pending(): void {
    const s = this.#state;
    if (this.#stopped || this.#valueQueuedHeight === s.height || !wantsValue(s)) return;
    const value = this.#o.app.proposeValue(s.height);
    if (value === undefined) return;
    this.#valueQueuedHeight = s.height;
    this.#push({ kind: 'value-ready', height: s.height, value });
  }

  /** Queues an input directly (tests, decisions fetched elsewhere). */
  input(input: Input): void {
    this.#push(input);
  }

  /**
   * Queues a message from the network; false when it is dropped: the queue is full (peers re-send),
   * or it is for a height below ours, which the core would ignore — heights only grow — so that old
   * messages, however many, cost no step and take no place in the queue.
   */
  receive(msg: ConsensusMessage): boolean {
    if (this.#queue.length >= DRIVER_QUEUE_MAX) return false;
    if (messageInfo(msg).height < this.#state.height) {
      if (this.#o.config.unsafeMutationForSimulation === 'resend-on-old-message')
        this.#push({ kind: 'resend' });
      return false;
    }
    this.#push({ kind: 'message', msg });
    return true;
  }

  /** The answer to `requestDecisions` (empty when it failed); the core verifies each certificate. */
  fetched(decisions: readonly Decision[]): void {
    this.#catchingUp = false;
    for (const d of [...decisions].sort((a, b) => a.height - b.height))
      this.#push({ kind: 'decision', decision: d });
  }

  /** Stops for good: drops queued inputs and clears every timer. */
  halt(): void {
    this.#stopped = true;
    this.#queue = [];
    for (const h of this.#handles) this.#o.timers.clear(h);
    this.#handles.clear();
    if (this.#resend !== null) this.#o.timers.clear(this.#resend);
    this.#resend = null;
  }

  /**
   * Applies queued inputs until the queue is empty, yielding each effect for the shell to perform.
   * An error the shell throws back into the generator (effects.throw) ends that input's effects
   * and goes to onError; the next input follows.
   */
  *drain(): Generator<DriverEffect, void, undefined> {
    for (let input = this.#queue.shift(); input !== undefined; input = this.#queue.shift()) {
      if (this.#stopped) return;
      try {
        yield* this.#apply(input);
      } catch (e) {
        this.#o.onError?.(e);
      }
    }
  }

  #push(input: Queued): void {
    if (this.#stopped) return;
    this.#queue.push(input);
    this.#o.wake();
  }

  *#apply(input: Queued): Generator<DriverEffect, void, undefined> {
    if (input.kind === 'resend') {
      const s = this.#state;
      if (s.decided) return;
      for (const message of retransmission(s)) yield { kind: 'broadcast', message };
      // Also when idle: a root that missed the last decisions while everyone else went idle
      // hears no more messages, so it has to ask.
      this.#fetchDecisions();
      return;
    }
    if (input.kind === 'value-ready' && input.height === this.#valueQueuedHeight)
      this.#valueQueuedHeight = -1;
    const out = this.#step(this.#state, input);
    this.#state = out.state;
    yield* this.#effects(out);
  }

  *#effects(out: Output): Generator<DriverEffect, void, undefined> {
    // 1. Persist before you speak.
    if (out.toPersist !== null) yield { kind: 'persist', record: out.toPersist };
    // 2. Speak.
    for (const message of out.messages) yield { kind: 'broadcast', message };
    // 3. Evidence, timers.
    for (const e of out.evidence) this.#o.onEvidence?.(e);
    for (const t of out.timers) {
      const handle = this.#o.timers.set(t.delayMs, () => {
        this.#handles.delete(handle);
        this.#push({ kind: 'timeout', timer: t.kind, height: t.height, round: t.round });
      });
      this.#handles.add(handle);
    }
    // 4. Decide, then start the next height with its validators.
    for (const decision of out.decisions) {
      yield { kind: 'decide', decision };
      const next = this.#o.app.nextHeight();
      yield* this.#apply({ kind: 'start-height', height: next, validators: this.#o.app.validatorsFor(next) });
      this.pending();
    }
    // 5. Requests.
    if (out.wantValue !== null) this.pending();
    if (out.catchUp) this.#fetchDecisions();
  }

  #armResend(): void {
    this.#resend = this.#o.timers.set(this.#o.resendMs ?? DEFAULT_RESEND_MS, () => {
      if (this.#stopped) return;
      this.#push({ kind: 'resend' });
      this.#armResend();
    });
  }

  /** Asks for decisions from our height, throttled: one request in flight, one per interval. */
  #fetchDecisions(): void {
    const request = this.#o.requestDecisions;
    if (request === undefined || this.#catchingUp || this.#stopped) return;
    const now = this.#o.now();
    if (now - this.#lastCatchUpMs < (this.#o.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS)) return;
    this.#lastCatchUpMs = now;
    this.#catchingUp = true;
    request(this.#state.height, CATCH_UP_DECISIONS_MAX);
  }
}
