// The driver's core under a synchronous shell like the simulator's: the effect order (persist
// before the step's messages, a decision before the next height), a shell that dies between
// persist and send, retransmission on the injected timers, catch-up throttled by the injected
// clock, old messages dropped on receipt, a value asked for only when the core would use it,
// and the app's timeliness asked of fresh proposals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalBytes } from '../../src/codec/index.ts';
import {
  type AppQueries,
  DEFAULT_CATCH_UP_INTERVAL_MS,
  DriverCore,
  type DriverEffect,
  nodeKeySigner,
  type PersistRecord,
  proposerOf,
  type Timers,
  type Validator,
} from '../../src/consensus/index.ts';
import { FED, type Keyed, makeValidators, proposal, vote } from './helpers.ts';

const TIMEOUTS = { proposeMs: 100, prevoteMs: 50, precommitMs: 50, deltaMs: 10 };

/** Proposes a value at heights 1..lastHeight (1 unless set), appends decisions in memory. */
class OneValueApp implements AppQueries {
  readonly validators: Validator[];
  decided = 0;
  lastHeight = 1;
  /** The heights the core asked a value for, in order. */
  readonly asked: number[] = [];
  constructor(validators: Validator[]) {
    this.validators = validators;
  }
  /** What isTimely answers; undefined: the app does not ask (every value is timely). */
  timely: boolean | undefined;
  isValid(height: number): boolean {
    return height === this.nextHeight();
  }
  get isTimely(): ((height: number, value: Uint8Array) => boolean) | undefined {
    const timely = this.timely;
    return timely === undefined ? undefined : () => timely;
  }
  proposeValue(height: number): Uint8Array | undefined {
    this.asked.push(height);
    return height <= this.lastHeight ? canonicalBytes({ height }) : undefined;
  }
  validatorsFor(): Validator[] {
    return this.validators;
  }
  nextHeight(): number {
    return this.decided + 1;
  }
}

/** Virtual timers and clock, fired by hand. */
class VirtualTime implements Timers {
  nowMs = 0;
  pending: { atMs: number; fn: () => void; cleared: boolean }[] = [];
  set(delayMs: number, fn: () => void): unknown {
    const t = { atMs: this.nowMs + delayMs, fn, cleared: false };
    this.pending.push(t);
    return t;
  }
  clear(handle: unknown): void {
    (handle as { cleared: boolean }).cleared = true;
  }
  /** Advances the clock to atMs, firing due timers in time order. */
  advance(atMs: number): void {
    for (;;) {
      const due = this.pending.filter((t) => !t.cleared && t.atMs <= atMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (due === undefined) break;
      due.cleared = true;
      this.nowMs = due.atMs;
      due.fn();
    }
    this.nowMs = atMs;
  }
}

/** A synchronous shell: performs each effect at once; can die right after a chosen WAL write. */
class SyncShell {
  readonly core: DriverCore;
  readonly effects: DriverEffect[] = [];
  readonly requests: number[] = [];
  wal: PersistRecord | null = null;
  wakes = 0;
  dieAtPersist = 0;
  /** While set, a wake leaves the queue as it is until `run()`. */
  held = false;
  #persists = 0;
  #draining = false;

  readonly #app: OneValueApp;

  constructor(me: Keyed, app: OneValueApp, time: VirtualTime, resendMs = 0) {
    this.#app = app;
    this.core = new DriverCore({
      config: { federation: FED, self: me.id, signer: nodeKeySigner(me.secretKey), timeouts: TIMEOUTS },
      app,
      timers: time,
      now: () => time.nowMs,
      wake: () => {
        this.wakes++;
        if (!this.held) this.#pump(app);
      },
      requestDecisions: (height) => this.requests.push(height),
      onError: (e) => {
        throw e;
      },
      resendMs,
    });
  }

  #pump(app: OneValueApp): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (const effect of this.core.drain()) {
        this.effects.push(effect);
        if (effect.kind === 'decide') app.decided++;
        if (effect.kind === 'persist') {
          this.wal = effect.record;
          if (++this.#persists === this.dieAtPersist) {
            this.core.halt();
            break;
          }
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Applies what the queue holds (after `held`). */
  run(): void {
    this.held = false;
    this.#pump(this.#app);
  }

  kinds(): string[] {
    return this.effects.map((e) => (e.kind === 'broadcast' ? `${e.kind} ${sentKind(e)}` : e.kind));
  }

  signatures(): string[] {
    return this.effects.flatMap((e) =>
      e.kind !== 'broadcast'
        ? []
        : [e.message.kind === 'vote' ? e.message.vote.signature : e.message.proposal.signature],
    );
  }
}

function sentKind(e: DriverEffect & { kind: 'broadcast' }): string {
  return e.message.kind === 'vote' ? e.message.vote.type : 'proposal';
}

test('effects come in the driver order: persist before the step speaks, a decision before the next height', () => {
  const [me] = makeValidators(1);
  const app = new OneValueApp([me!]);
  const shell = new SyncShell(me!, app, new VirtualTime());
  shell.core.begin(null);
  assert.deepEqual(shell.kinds(), [
    'persist', // height 1 started
    'persist', // the value arrived: proposal and both votes signed, recorded first
    'broadcast proposal',
    'broadcast prevote',
    'broadcast precommit',
    'decide',
    'persist', // height 2 started after the app appended height 1
  ]);
  const signed = shell.effects[1] as DriverEffect & { kind: 'persist' };
  assert.deepEqual(
    signed.record.ownVotes.map((v) => v.signature),
    shell.signatures().slice(1),
    'the votes sent are the ones persisted before',
  );
  assert.equal((shell.effects[6] as DriverEffect & { kind: 'persist' }).record.height, 2);
});

test('a shell that dies between persist and send sends nothing of that step; restarted, it re-sends the same signatures', () => {
  const v = makeValidators(4);
  const me = v[1]!; // proposer of height 1, round 0
  const app = new OneValueApp(v);
  const first = new SyncShell(me, app, new VirtualTime());
  first.dieAtPersist = 2; // the step that signs the proposal and the prevote
  first.core.begin(null);
  assert.deepEqual(first.kinds(), ['persist', 'persist']);
  const record = first.wal!;
  assert.equal(record.ownProposal?.round, 0);
  assert.equal(record.ownVotes.length, 1);

  const second = new SyncShell(me, app, new VirtualTime());
  second.core.begin(record);
  assert.deepEqual(second.signatures(), [record.ownProposal!.signature, record.ownVotes[0]!.signature]);
});

test('retransmission runs on the injected timers and re-sends without signing anything new', () => {
  const v = makeValidators(4);
  const app = new OneValueApp(v);
  const time = new VirtualTime();
  const shell = new SyncShell(v[1]!, app, time, 400);
  shell.core.begin(null);
  const sent = shell.signatures();
  assert.equal(sent.length, 2);
  time.advance(399);
  assert.equal(shell.signatures().length, 2, 'nothing re-sent before the period');
  time.advance(400);
  const again = shell.signatures().slice(2);
  assert.ok(again.length >= 2);
  assert.ok(
    again.every((s) => sent.includes(s)),
    'only signatures already sent',
  );
});

test('catch-up requests are throttled by the injected clock, one in flight at a time', () => {
  const v = makeValidators(4);
  const app = new OneValueApp(v);
  const time = new VirtualTime();
  const shell = new SyncShell(v[0]!, app, time);
  shell.core.begin(null);
  const ahead = (round: number) => vote(v[2]!, 9, round, 'prevote', null);
  shell.core.receive(ahead(0));
  assert.deepEqual(shell.requests, [1], 'a message from far ahead asks for decisions');
  shell.core.receive(ahead(1));
  assert.deepEqual(shell.requests, [1], 'one request in flight');
  shell.core.fetched([]);
  shell.core.receive(ahead(2));
  assert.deepEqual(shell.requests, [1], 'no second request within the interval');
  time.nowMs += DEFAULT_CATCH_UP_INTERVAL_MS;
  shell.core.receive(ahead(3));
  assert.deepEqual(shell.requests, [1, 1], 'the next one after the interval on the injected clock');
});

test('messages for heights below ours are dropped on receipt: no step, no queue slot', () => {
  const v = makeValidators(4);
  const app = new OneValueApp(v);
  app.decided = 1; // the app is at height 2
  const shell = new SyncShell(v[0]!, app, new VirtualTime());
  shell.core.begin(null);
  assert.equal(shell.core.state.height, 2);
  const wakes = shell.wakes;
  for (let r = 0; r < 100; r++) assert.equal(shell.core.receive(vote(v[2]!, 1, r, 'precommit', null)), false);
  assert.equal(shell.wakes, wakes, 'nothing was queued');
  assert.equal(shell.core.receive(vote(v[2]!, 2, 0, 'prevote', null)), true);
});

test("the app's isTimely is asked of a fresh proposal: untimely gets a nil prevote, timely the value's", () => {
  const v = makeValidators(4);
  const proposer = proposerOf(v, 1, 0) as Keyed;
  const me = v.find((x) => x.id !== proposer.id)!;
  const value = canonicalBytes({ height: 1 });
  const prevoted = (timely: boolean) => {
    const app = new OneValueApp(v);
    app.timely = timely;
    const shell = new SyncShell(me, app, new VirtualTime());
    shell.core.begin(null);
    shell.core.receive(proposal(proposer, 1, 0, value));
    const sent = shell.effects.find((e) => e.kind === 'broadcast' && sentKind(e) === 'prevote');
    return sent?.kind === 'broadcast' && sent.message.kind === 'vote' ? sent.message.vote.valueId : 'none';
  };
  assert.equal(prevoted(false), null);
  assert.notEqual(prevoted(true), null);
});

test('a value is asked for only when the core would use it now, once per height while it waits in the queue', () => {
  const v = makeValidators(4);
  const app = new OneValueApp(v);
  const shell = new SyncShell(v[0]!, app, new VirtualTime()); // v[1] proposes height 1, round 0
  shell.core.begin(null); // height 1 starts idle: the first value starts it
  assert.deepEqual(app.asked, [1]);
  assert.equal(shell.core.state.active, true);
  for (let n = 0; n < 10; n++) shell.core.pending();
  assert.deepEqual(app.asked, [1], 'not the proposer of the round: no value is built');

  const solo = makeValidators(1);
  const soloApp = new OneValueApp(solo);
  const held = new SyncShell(solo[0]!, soloApp, new VirtualTime());
  held.held = true;
  held.core.begin(null);
  held.run(); // height 1, idle
  soloApp.asked.length = 0;
  held.held = true;
  held.core.pending();
  held.core.pending();
  assert.deepEqual(soloApp.asked, [1], 'one value for height 1 while it waits in the queue');
});

test('a value queued for a height decided before it is applied does not stop the offer for the next height', () => {
  const [me] = makeValidators(1);
  // A lone validator decides height 1 on its own value: its decision, certificate and all.
  const first = new SyncShell(me!, new OneValueApp([me!]), new VirtualTime());
  first.core.begin(null);
  const decided = first.effects.find((e) => e.kind === 'decide');
  assert.ok(decided?.kind === 'decide');

  const app = new OneValueApp([me!]);
  app.lastHeight = 2;
  const shell = new SyncShell(me!, app, new VirtualTime());
  shell.held = true;
  shell.core.begin(null);
  shell.run(); // height 1, idle
  app.asked.length = 0;
  shell.held = true;
  // The decision of height 1 arrives first (caught up), then statements, and the core is
  // offered a value for height 1 that waits behind the decision.
  shell.core.input({ kind: 'decision', decision: decided.decision });
  shell.core.pending();
  shell.run();
  assert.equal(app.decided, 2, 'height 2 was offered its value on starting, and decided');
  assert.deepEqual(app.asked, [1, 2, 3]);
});
