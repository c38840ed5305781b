// The shell around the pure consensus core (src/consensus): one serialized loop per root that
// feeds inputs to `step`, makes `toPersist` durable in the write-ahead log BEFORE any message
// of that step leaves ("persist before you speak", DESIGN.md), sends the messages, arms the
// timers, and hands decisions to the root, which appends them to the ledger before the next
// height starts. Inputs are processed strictly one at a time, in arrival order.

import { Level } from 'level';
import {
  type ConsensusMessage,
  type CoreConfig,
  type CoreState,
  type Decision,
  type Evidence,
  type Input,
  initState,
  type PersistRecord,
  retransmission,
  step,
  type Validator,
} from '../consensus/index.ts';

/** Inputs waiting for the loop; beyond this, gossip is dropped (peers re-send on timeouts). */
export const LOOP_QUEUE_MAX = 4096;
/**
 * While a height is undecided, our own current messages are sent again this often: gossip gives
 * a message once to the peers connected at the time, and a root that was down or partitioned
 * needs our proposal and votes to join the round (the paper assumes eventual delivery).
 */
export const RESEND_INTERVAL_MS = 2_000;
const WAL_KEY = 'consensus/state';

/**
 * The consensus write-ahead log: one record, the core's PersistRecord. `save` resolves only
 * once the record is on disk (LevelDB put with sync), so a vote sent after it can never be
 * forgotten by a crash; `load` returns the last record saved.
 */
export class ConsensusWal {
  #db: Level<string, string>;

  private constructor(db: Level<string, string>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<ConsensusWal> {
    const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new ConsensusWal(db);
  }

  async load(): Promise<PersistRecord | null> {
    const text = await this.#db.get(WAL_KEY);
    return text === undefined ? null : (JSON.parse(text) as PersistRecord);
  }

  async save(record: PersistRecord): Promise<void> {
    await this.#db.put(WAL_KEY, JSON.stringify(record), { sync: true });
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

export interface LoopHooks {
  wal: ConsensusWal;
  send(message: ConsensusMessage): Promise<void> | void;
  /** Appends the decided batch; resolves when durable. The loop then starts the next height. */
  commit(decision: Decision): Promise<void>;
  /** Validators of `height`: voting members of the world in force after height − 1. */
  validatorsFor(height: number): Validator[];
  /** A value to propose at `height`, or undefined when nothing is pending. */
  buildValue(height: number): Uint8Array | undefined;
  onEvidence(evidence: Evidence): void;
  /** Messages from a later height arrived, or a round ended undecided: look for decisions. */
  onCatchUp(height: number): void;
  onError(err: unknown): void;
}

export class ConsensusLoop {
  #state: CoreState;
  #hooks: LoopHooks;
  #queue: (Input | { kind: 'resend' })[] = [];
  #resend: ReturnType<typeof setInterval> | undefined;
  #running = false;
  #stopped = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(config: CoreConfig, hooks: LoopHooks) {
    this.#state = initState(config);
    this.#hooks = hooks;
  }

  get height(): number {
    return this.#state.height;
  }

  get round(): number {
    return this.#state.round;
  }

  get stepName(): string {
    return this.#state.step;
  }

  get active(): boolean {
    return this.#state.active;
  }

  /** Starts `height`, resuming from the WAL if it was in progress when the root stopped. */
  async start(height: number): Promise<void> {
    const resume = await this.#hooks.wal.load();
    this.#resend ??= setInterval(() => this.#enqueueResend(), RESEND_INTERVAL_MS);
    this.input({ kind: 'start-height', height, validators: this.#hooks.validatorsFor(height), resume });
  }

  /** Offers pending statements: if a value can be built, the height becomes active. */
  poke(): void {
    if (this.#state.decided || this.#state.active || this.#state.height === 0) return;
    const value = this.#hooks.buildValue(this.#state.height);
    if (value !== undefined) this.input({ kind: 'value-ready', height: this.#state.height, value });
  }

  input(input: Input): void {
    if (this.#stopped) return;
    if (this.#queue.length >= LOOP_QUEUE_MAX && input.kind === 'message') return;
    this.#queue.push(input);
    if (!this.#running) void this.#drain();
  }

  /** Queued like an input so re-sends happen inside the loop, after the last WAL write. */
  #enqueueResend(): void {
    if (this.#stopped || !this.#state.active || this.#state.decided) return;
    if (this.#queue.some((i) => i.kind === 'resend')) return;
    this.#queue.push({ kind: 'resend' });
    if (!this.#running) void this.#drain();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#resend);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    while (this.#running) await new Promise((r) => setTimeout(r, 5));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const input = this.#queue.shift()!;
        try {
          await this.#process(input);
        } catch (err) {
          this.#hooks.onError(err);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #process(input: Input | { kind: 'resend' }): Promise<void> {
    if (input.kind === 'resend') {
      for (const m of retransmission(this.#state)) await this.#hooks.send(m);
      return;
    }
    const out = step(this.#state, input);
    this.#state = out.state;
    if (out.toPersist !== null) await this.#hooks.wal.save(out.toPersist);
    for (const m of out.messages) await this.#hooks.send(m);
    for (const t of out.timers) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.input({ kind: 'timeout', timer: t.kind, height: t.height, round: t.round });
      }, t.delayMs);
      this.#timers.add(timer);
    }
    for (const e of out.evidence) this.#hooks.onEvidence(e);
    if (out.catchUp) this.#hooks.onCatchUp(this.#state.height);
    for (const d of out.decisions) {
      await this.#hooks.commit(d);
      // The next height starts before anything else queued, with the validators the commit set.
      const next = d.height + 1;
      this.#queue.unshift({
        kind: 'start-height',
        height: next,
        validators: this.#hooks.validatorsFor(next),
        resume: null,
      });
    }
    if (out.wantValue !== null) {
      const value = this.#hooks.buildValue(out.wantValue);
      if (value !== undefined) this.input({ kind: 'value-ready', height: out.wantValue, value });
    }
    if (input.kind === 'start-height') this.poke();
  }
}
