// The production shell around the driver's core (driver-core.ts): performs the core's effects with
// real I/O — the WAL's synced save, the transport's broadcast, the app's durable append — awaiting
// each before the next, so the effect order is the core's: persist, send, evidence and timers,
// decisions and the next height, value requests, catch-up. Transport, timers, clock, the app, the
// WAL and the catch-up source are injected: tests run it with fakes, the root with gossipsub,
// setTimeout, performance.now, the ledger and LevelDB. The simulator runs the same core with a
// virtual clock and timers instead of this shell.

import { type AppQueries, DriverCore, type DriverEffect, type Timers } from './driver-core.ts';
import { ConsensusError } from './errors.ts';
import { type ConsensusMessage, decodeConsensusMessage, encodeConsensusMessage } from './messages.ts';
import type { CoreConfig, CoreState, Decision, Equivocation, Input } from './tendermint.ts';
import type { Wal } from './wal.ts';

export interface Transport {
  broadcast(bytes: Uint8Array): void | Promise<void>;
  onMessage(cb: (bytes: Uint8Array) => void): void;
}

export const realTimers: Timers = {
  set: (delayMs, fn) => setTimeout(fn, delayMs),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface App extends AppQueries {
  /** Append the decided value durably; the next height starts when this resolves. */
  onDecision(decision: Decision): Promise<void>;
}

export interface CatchUpSource {
  /** Decisions from `height` on (at most `limit`), each with its commit certificate. Untrusted. */
  decisionsFrom(height: number, limit: number): Promise<Decision[]>;
}

export interface DriverOptions {
  config: Omit<CoreConfig, 'isValid' | 'isTimely'>;
  wal: Wal;
  transport: Transport;
  app: App;
  timers?: Timers;
  /** Monotonic milliseconds for the catch-up throttle; performance.now by default. */
  now?: () => number;
  catchUp?: CatchUpSource;
  onEvidence?: (e: Equivocation) => void;
  onError?: (err: unknown) => void;
  /** Retransmission period while a height is undecided (0 disables it). */
  resendMs?: number;
  /** At most one catch-up request per this period. */
  catchUpIntervalMs?: number;
}

export class ConsensusDriver {
  readonly #o: DriverOptions;
  readonly #core: DriverCore;
  #running = false;
  #idle: Promise<void> = Promise.resolve();

  private constructor(o: DriverOptions) {
    if (o.config.unsafeMutationForSimulation !== undefined) {
      throw new ConsensusError('BAD_CONFIG', 'unsafeMutationForSimulation is for the simulator only');
    }
    this.#o = o;
    const source = o.catchUp;
    this.#core = new DriverCore({
      config: o.config,
      app: o.app,
      timers: o.timers ?? realTimers,
      now: o.now ?? (() => performance.now()),
      wake: () => this.#wake(),
      ...(source === undefined ? {} : { requestDecisions: (h, limit) => this.#fetch(source, h, limit) }),
      ...(o.onEvidence === undefined ? {} : { onEvidence: o.onEvidence }),
      ...(o.onError === undefined ? {} : { onError: o.onError }),
      ...(o.resendMs === undefined ? {} : { resendMs: o.resendMs }),
      ...(o.catchUpIntervalMs === undefined ? {} : { catchUpIntervalMs: o.catchUpIntervalMs }),
    });
  }

  /** Loads the WAL, resumes (or starts) the app's next height and starts listening. */
  static async start(o: DriverOptions): Promise<ConsensusDriver> {
    const d = new ConsensusDriver(o);
    const record = await o.wal.load();
    o.transport.onMessage((bytes) => d.#onBytes(bytes));
    d.#core.begin(record);
    await d.settled();
    return d;
  }

  get state(): CoreState {
    return this.#core.state;
  }

  /** The app has new pending statements: offer a value for the current height if the core would use it now. */
  pending(): void {
    this.#core.pending();
  }

  /** Feeds an input directly (tests, catch-up decisions fetched elsewhere). */
  input(input: Input): void {
    this.#core.input(input);
  }

  /** Resolves when every queued input has been processed. */
  async settled(): Promise<void> {
    while (this.#running) await this.#idle;
  }

  async stop(): Promise<void> {
    this.#core.halt();
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
    this.#core.receive(msg);
  }

  #wake(): void {
    if (this.#running) return;
    this.#running = true;
    this.#idle = this.#pump();
  }

  /** Performs the core's effects one at a time, each awaited before the core goes on. */
  async #pump(): Promise<void> {
    try {
      const effects = this.#core.drain();
      let next = effects.next();
      while (next.done !== true) {
        try {
          await this.#perform(next.value);
          next = effects.next();
        } catch (e) {
          next = effects.throw(e);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #perform(effect: DriverEffect): void | Promise<void> {
    switch (effect.kind) {
      case 'persist':
        return this.#o.wal.save(effect.record);
      case 'broadcast':
        return this.#o.transport.broadcast(encodeConsensusMessage(effect.message));
      case 'decide':
        return this.#o.app.onDecision(effect.decision);
    }
  }

  #fetch(source: CatchUpSource, height: number, limit: number): void {
    Promise.resolve()
      .then(() => source.decisionsFrom(height, limit))
      .then(
        (decisions) => this.#core.fetched(decisions),
        (e: unknown) => {
          this.#o.onError?.(e);
          this.#core.fetched([]);
        },
      );
  }
}
