// The shell around the pure Tendermint core (a thin shell, one serialized event loop):
// feeds inputs to `step` one at a time and performs the effects in this order —
//   1. make `toPersist` durable in the WAL (sync) — BEFORE anything of that step leaves;
//   2. broadcast the messages;
//   3. hand each decision to the app (it appends to its ledger), then start the next height;
//   4. report evidence, arm timers, ask the app for a value, fetch missed decisions.
// Transport, timers, the app, the WAL and the catch-up source are injected, so tests run it with
// fakes and the root runs it with gossipsub, setTimeout, the ledger and LevelDB.
//
// Also the gossip duties the paper assumes of the network: while a height is undecided we re-send
// our current messages every resendMs (retransmission) and ask a peer for decisions we may have
// missed (also while idle: the others may have decided and gone quiet).

import { CATCH_UP_DECISIONS_MAX } from './constants.ts';
import { ConsensusError } from './errors.ts';
import { type ConsensusMessage, decodeConsensusMessage, encodeConsensusMessage } from './messages.ts';
import {
  type CoreConfig,
  type CoreState,
  type Decision,
  type Equivocation,
  type Input,
  initState,
  type Output,
  retransmission,
  step,
  type Validator,
  wantsValue,
} from './tendermint.ts';
import type { Wal } from './wal.ts';

export interface Transport {
  broadcast(bytes: Uint8Array): void | Promise<void>;
  onMessage(cb: (bytes: Uint8Array) => void): void;
}

export interface Timers {
  set(delayMs: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (delayMs, fn) => setTimeout(fn, delayMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface App {
  /** Pure validity of a value at a height (re-execute the batch against the ledger at height-1). */
  isValid(height: number, value: Uint8Array): boolean;
  /** A value of pending statements for this height, or undefined when idle. */
  proposeValue(height: number): Uint8Array | undefined;
  /** Append the decided value durably; the next height starts when this resolves. */
  onDecision(decision: Decision): Promise<void>;
  /** Validators of a height: validatorsOf(governance state after height-1). */
  validatorsFor(height: number): Validator[];
  /** The next height to decide: ledger batches + 1. */
  nextHeight(): number;
}

export interface CatchUpSource {
  /** Decisions from `height` on (at most `limit`), each with its commit certificate. Untrusted. */
  decisionsFrom(height: number, limit: number): Promise<Decision[]>;
}

export interface DriverOptions {
  config: Omit<CoreConfig, 'isValid'>;
  wal: Wal;
  transport: Transport;
  app: App;
  timers?: Timers;
  catchUp?: CatchUpSource;
  onEvidence?: (e: Equivocation) => void;
  onError?: (err: unknown) => void;
  /** Retransmission period while a height is undecided (0 disables it). */
  resendMs?: number;
  /** At most one catch-up request per this period (messages from ahead can arrive by the hundred). */
  catchUpIntervalMs?: number;
}

export const DEFAULT_RESEND_MS = 2000;
export const DEFAULT_CATCH_UP_INTERVAL_MS = 500;
/** Inputs waiting for the loop; beyond this incoming gossip is dropped (peers re-send). */
export const DRIVER_QUEUE_MAX = 4096;

export class ConsensusDriver {
  readonly #o: DriverOptions;
  readonly #timers: Timers;
  #state: CoreState;
  /** Core inputs, plus 'resend' so retransmission runs inside the loop, after the last WAL write. */
  #queue: (Input | { kind: 'resend' })[] = [];
  #running = false;
  #stopped = false;
  /** A value-ready input waits in the queue: the state does not show it yet. */
  #valueQueued = false;
  #idle: Promise<void> = Promise.resolve();
  #handles = new Set<unknown>();
  #resend: unknown = null;
  #catchingUp = false;
  #lastCatchUpMs = -Infinity;

  private constructor(o: DriverOptions) {
    if (o.config.unsafeMutationForSimulation !== undefined) {
      throw new ConsensusError('BAD_CONFIG', 'unsafeMutationForSimulation is for the simulator only');
    }
    this.#o = o;
    this.#timers = o.timers ?? realTimers;
    this.#state = initState({ ...o.config, isValid: (h, v) => o.app.isValid(h, v) });
  }

  /** Loads the WAL, resumes (or starts) the app's next height and starts listening. */
  static async start(o: DriverOptions): Promise<ConsensusDriver> {
    const d = new ConsensusDriver(o);
    const record = await o.wal.load();
    const height = o.app.nextHeight();
    o.transport.onMessage((bytes) => d.#onBytes(bytes));
    d.#push({ kind: 'start-height', height, validators: o.app.validatorsFor(height), resume: record });
    d.pending();
    if ((o.resendMs ?? DEFAULT_RESEND_MS) > 0) d.#armResend();
    await d.settled();
    return d;
  }

  get state(): CoreState {
    return this.#state;
  }

  /**
   * The app has new pending statements: offer a value for the current height if the core would
   * use it now. Asking on every statement would build a batch of everything pending each time
   * one arrives at every root: work that grows with the pool, on the path of every POST.
   */
  pending(): void {
    const s = this.#state;
    if (this.#stopped || this.#valueQueued || !wantsValue(s)) return;
    const value = this.#o.app.proposeValue(s.height);
    if (value === undefined) return;
    this.#valueQueued = true;
    this.#push({ kind: 'value-ready', height: s.height, value });
  }

  /** Feeds an input directly (tests, catch-up decisions fetched elsewhere). */
  input(input: Input): void {
    this.#push(input);
  }

  /** Resolves when every queued input has been processed. */
  async settled(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue = [];
    for (const h of this.#handles) this.#timers.clear(h);
    this.#handles.clear();
    if (this.#resend !== null) this.#timers.clear(this.#resend);
    await this.settled();
  }

  #onBytes(bytes: Uint8Array): void {
    let msg: ConsensusMessage;
    try {
      msg = decodeConsensusMessage(bytes);
    } catch (e) {
      this.#o.onError?.(e);
      return;
    }
    if (this.#queue.length >= DRIVER_QUEUE_MAX) return;
    this.#push({ kind: 'message', msg });
  }

  #push(input: Input | { kind: 'resend' }): void {
    if (this.#stopped) return;
    this.#queue.push(input);
    if (!this.#running) {
      this.#running = true;
      this.#idle = this.#drain();
    }
  }

  async #drain(): Promise<void> {
    try {
      for (let input = this.#queue.shift(); input !== undefined; input = this.#queue.shift()) {
        if (this.#stopped) break;
        try {
          await this.#apply(input);
        } catch (e) {
          this.#o.onError?.(e);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #apply(input: Input | { kind: 'resend' }): Promise<void> {
    if (input.kind === 'resend') {
      const s = this.#state;
      if (s.decided) return;
      for (const m of retransmission(s)) await this.#o.transport.broadcast(encodeConsensusMessage(m));
      // Also when idle: a root that missed the last decisions while everyone else went idle
      // hears no more messages, so it has to ask.
      this.#fetchDecisions();
      return;
    }
    if (input.kind === 'value-ready') this.#valueQueued = false;
    const out = step(this.#state, input);
    this.#state = out.state;
    await this.#effects(out);
  }

  async #effects(out: Output): Promise<void> {
    // 1. Persist before you speak.
    if (out.toPersist !== null) await this.#o.wal.save(out.toPersist);
    // 2. Speak.
    for (const m of out.messages) await this.#o.transport.broadcast(encodeConsensusMessage(m));
    for (const e of out.evidence) this.#o.onEvidence?.(e);
    for (const t of out.timers) {
      const handle = this.#timers.set(t.delayMs, () => {
        this.#handles.delete(handle);
        this.#push({ kind: 'timeout', timer: t.kind, height: t.height, round: t.round });
      });
      this.#handles.add(handle);
    }
    // 3. Decide, then start the next height with its validators.
    for (const d of out.decisions) {
      await this.#o.app.onDecision(d);
      const next = this.#o.app.nextHeight();
      await this.#apply({ kind: 'start-height', height: next, validators: this.#o.app.validatorsFor(next) });
      this.pending();
    }
    if (out.wantValue !== null) this.pending();
    if (out.catchUp) this.#fetchDecisions();
  }

  #armResend(): void {
    this.#resend = this.#timers.set(this.#o.resendMs ?? DEFAULT_RESEND_MS, () => {
      if (this.#stopped) return;
      this.#push({ kind: 'resend' });
      this.#armResend();
    });
  }

  /** Asks the catch-up source for decisions from our height; the core verifies each certificate. */
  #fetchDecisions(): void {
    const source = this.#o.catchUp;
    if (source === undefined || this.#catchingUp || this.#stopped) return;
    const now = performance.now();
    if (now - this.#lastCatchUpMs < (this.#o.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS)) return;
    this.#lastCatchUpMs = now;
    this.#catchingUp = true;
    const from = this.#state.height;
    source
      .decisionsFrom(from, CATCH_UP_DECISIONS_MAX)
      .then((decisions) => {
        for (const d of decisions.sort((a, b) => a.height - b.height))
          this.#push({ kind: 'decision', decision: d });
      })
      .catch((e: unknown) => this.#o.onError?.(e))
      .finally(() => {
        this.#catchingUp = false;
      });
  }
}
