// The deterministic simulator (TigerBeetle VOPR style): N roots each run the driver's core from
// src/consensus (DriverCore: the effect order, retransmission and catch-up throttling that run in
// production around the real Tendermint step function) on a virtual clock, virtual timers and an
// event queue, under a seeded faulty network (delay distributions, loss, duplication, reordering,
// partitions that heal), crashes with restart from the persisted record (an in-memory WAL, including
// crashes between persisting and sending), and Byzantine roots (byzantine.ts), flooding ones included.
// Invariants are checked after every event: agreement, validity, no honest root signs two
// conflicting votes or proposals, every equivocation an honest root stored yields evidence, no
// honest root sends more than its own steps and retransmission ask for (send-rate.ts), and
// liveness after GST (every honest root commits every statement within plan.livenessMs).

import { decodeCanonical } from '../codec/index.ts';
import {
  type ConsensusMessage,
  type CoreState,
  type Decision,
  DriverCore,
  type DriverEffect,
  FUTURE_ROUNDS_MAX,
  type Input,
  nodeKeySigner,
  type Output,
  type PersistRecord,
  step,
  storedVote,
  type Timers,
  unverifiedVote,
  type Validator,
  VOTE_ROUND_MAX,
} from '../consensus/index.ts';
import { SimApp } from './app.ts';
import { FLOOD_PERIOD_MS, Flooder, forgedDecision, twinOf } from './byzantine.ts';
import { keysOf, memoVerifier } from './keys.ts';
import type { Behaviour, Plan } from './plan.ts';
import { Prng } from './prng.ts';
import { EventQueue } from './queue.ts';
import { honestSendsPerWindowMax, SEND_RATE_WINDOW_MS, SendRate } from './send-rate.ts';

export const SIM_FEDERATION = 'sim.witan.test';
/** Hard bound on events per run, so a livelock shows up as a failure, never a hang. */
export const SIM_EVENTS_MAX = 2_000_000;
const CATCH_UP_INTERVAL_MS = 200;
/** The gossip layer re-sends our current-round messages this often while a height is undecided. */
export const RESEND_INTERVAL_MS = 400;
const REPLAY_LOG_MAX = 256;

export type ViolationKind =
  | 'agreement'
  | 'validity'
  | 'honest-conflict'
  | 'evidence'
  | 'liveness'
  | 'send-rate'
  | 'bound';

export interface Violation {
  kind: ViolationKind;
  atMs: number;
  message: string;
}

export interface Faults {
  lost: number;
  duplicated: number;
  partitioned: number;
  crashes: number;
  tornCrashes: number;
  byzantineMessages: number;
  /** Messages a flooding root sent (each to every peer). */
  flooded: number;
  forgedCatchUps: number;
}

export interface RunResult {
  seed: number;
  n: number;
  violations: Violation[];
  faults: Faults;
  heights: number;
  maxRound: number;
  events: number;
  virtualMs: number;
  /** Virtual ms from each statement batch's submission to its commit at the last honest root. */
  commitLatenciesMs: number[];
  evidence: number;
  /** The most messages one honest root broadcast within SEND_RATE_WINDOW_MS of virtual time. */
  honestSendsPerWindowMax: number;
  /** The bound on that number for this run (honestSendsPerWindowMax of n and the resend period). */
  honestSendsBound: number;
  /** Real milliseconds spent inside the core's step function, all roots together. */
  stepMs: number;
}

interface SimNode {
  index: number;
  id: string;
  secretKey: Uint8Array;
  byz: Behaviour | null;
  up: boolean;
  /** Bumped by each crash: answers addressed to an earlier life are dropped. */
  incarnation: number;
  /** A torn crash is due: the next WAL write arms it. */
  tornPending: boolean;
  /** The WAL was written with a torn crash due: the root dies before its next message leaves. */
  tearArmed: boolean;
  driver: DriverCore;
  draining: boolean;
  app: SimApp;
  /** The in-memory WAL: the last record persisted, all that survives a crash with the ledger. */
  wal: PersistRecord | null;
  evidenceKeys: Set<string>;
  peers: number[];
  /** What a replayer or flooder received, to send again (the first REPLAY_LOG_MAX messages). */
  seen: ConsensusMessage[];
  sendRate: SendRate;
  flooder: Flooder | null;
}

/** A virtual timer: fires at its event unless cleared. */
interface SimTimer {
  fn: () => void;
  cleared: boolean;
}

type Event =
  | { kind: 'deliver'; to: number; msg: ConsensusMessage }
  | { kind: 'timer'; timer: SimTimer }
  | { kind: 'statements'; first: number; count: number }
  | { kind: 'crash'; node: number; torn: boolean }
  | { kind: 'restart'; node: number }
  | { kind: 'catch-up'; node: number; incarnation: number; decisions: Decision[] }
  | { kind: 'flood'; node: number };

// ——— the run ———

/** Runs a plan; `trace` receives one line per node step (for `npm run sim -- --seed S --trace`). */
export function runSimulation(plan: Plan, trace?: (line: string) => void): RunResult {
  return new World(plan, trace).run();
}

class World {
  readonly plan: Plan;
  readonly rng: Prng;
  readonly queue = new EventQueue<Event>();
  readonly nodes: SimNode[] = [];
  readonly validators: Validator[];
  readonly violations: Violation[] = [];
  readonly faults: Faults = {
    lost: 0,
    duplicated: 0,
    partitioned: 0,
    crashes: 0,
    tornCrashes: 0,
    byzantineMessages: 0,
    flooded: 0,
    forgedCatchUps: 0,
  };
  readonly decidedAt = new Map<number, string>();
  readonly honestVotes = new Map<string, string | null>();
  readonly honestProposals = new Map<string, string>();
  readonly submitted: string[] = [];
  readonly submittedAtMs = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly knownMax: number;
  now = 0;
  events = 0;
  maxRound = 0;
  evidence = 0;
  stepMs = 0;
  statementEventsLeft: number;
  readonly sendsBound: number;
  /** Virtual timers: a timer is an event on the queue. */
  readonly timers: Timers = {
    set: (delayMs, fn) => {
      const timer: SimTimer = { fn, cleared: false };
      this.queue.push(this.now + delayMs, { kind: 'timer', timer });
      return timer;
    },
    clear: (handle) => {
      (handle as SimTimer).cleared = true;
    },
  };

  readonly trace: ((line: string) => void) | undefined;

  constructor(plan: Plan, trace?: (line: string) => void) {
    this.plan = plan;
    this.trace = trace;
    this.rng = new Prng(plan.seed);
    this.validators = [...Array(plan.n).keys()].map((i) => ({
      id: keysOf(i).id,
      publicKey: keysOf(i).publicKey,
    }));
    this.knownMax = plan.statements.reduce((a, s) => a + s.count, 0);
    this.sendsBound = honestSendsPerWindowMax(plan.n, RESEND_INTERVAL_MS);
    const byz = new Map(plan.byzantine.map((b) => [b.node, b.behaviour]));
    for (let i = 0; i < plan.n; i++) {
      const k = keysOf(i);
      const node: SimNode = {
        index: i,
        id: k.id,
        secretKey: k.secretKey,
        byz: byz.get(i) ?? null,
        up: true,
        incarnation: 0,
        tornPending: false,
        tearArmed: false,
        driver: undefined as unknown as DriverCore,
        draining: false,
        app: new SimApp(plan.batchMax, this.knownMax),
        wal: null,
        evidenceKeys: new Set(),
        peers: [...Array(plan.n).keys()].filter((p) => p !== i),
        seen: [],
        sendRate: new SendRate(),
        flooder: null,
      };
      if (node.byz === 'flooder') {
        node.flooder = new Flooder({ ...node, byz: node.byz }, SIM_FEDERATION, this.validators);
        this.queue.push(FLOOD_PERIOD_MS, { kind: 'flood', node: i });
      }
      this.nodes.push(node);
    }
    let first = 0;
    for (const s of plan.statements) {
      this.queue.push(s.atMs, { kind: 'statements', first, count: s.count });
      first += s.count;
    }
    this.statementEventsLeft = plan.statements.length;
    for (const c of plan.crashes) {
      this.queue.push(c.atMs, { kind: 'crash', node: c.node, torn: c.torn });
      this.queue.push(c.restartMs, { kind: 'restart', node: c.node });
    }
  }

  run(): RunResult {
    for (const node of this.nodes) this.boot(node);
    const horizon = this.plan.gstMs + this.plan.livenessMs;
    while (this.queue.size > 0 && this.violations.length === 0) {
      const next = this.queue.pop()!;
      if (next.atMs > horizon) break;
      this.now = next.atMs;
      if (++this.events > SIM_EVENTS_MAX) {
        this.violate('bound', `more than ${SIM_EVENTS_MAX} events`);
        break;
      }
      this.handle(next.event);
      if (this.statementEventsLeft === 0 && this.allCommitted()) break;
    }
    if (this.violations.length === 0 && !this.allCommitted()) {
      const behind = this.honest()
        .filter((n) => !this.committedAll(n))
        .map(
          (n) =>
            `root ${n.index} at height ${n.app.nextHeight} round ${n.driver.state.round} (${n.up ? '' : 'down, '}${n.driver.state.active ? n.driver.state.step : 'idle'}, ${n.app.mempool.size} pending)`,
        );
      this.violate(
        'liveness',
        `not every statement committed ${this.plan.livenessMs} ms after GST: ${behind}`,
      );
    }
    return {
      seed: this.plan.seed,
      n: this.plan.n,
      violations: this.violations,
      faults: this.faults,
      heights: Math.max(...this.honest().map((n) => n.app.committed.length)),
      maxRound: this.maxRound,
      events: this.events,
      virtualMs: this.now,
      commitLatenciesMs: this.latencies,
      evidence: this.evidence,
      honestSendsPerWindowMax: Math.max(...this.honest().map((n) => n.sendRate.max)),
      honestSendsBound: this.sendsBound,
      stepMs: this.stepMs,
    };
  }

  honest(): SimNode[] {
    return this.nodes.filter((n) => n.byz === null);
  }

  committedAll(n: SimNode): boolean {
    return n.app.committedStatements.size === this.knownMax;
  }

  allCommitted(): boolean {
    return this.honest().every((n) => this.committedAll(n));
  }

  violate(kind: ViolationKind, message: string): void {
    this.violations.push({ kind, atMs: this.now, message });
  }

  // ——— node lifecycle ———

  /** Starts a root's driver, resuming from its WAL (the first boot and every restart). */
  boot(node: SimNode): void {
    const driver: DriverCore = new DriverCore({
      config: {
        federation: SIM_FEDERATION,
        self: node.id,
        signer: nodeKeySigner(node.secretKey),
        ...(this.plan.verifyEveryMessage === true ? {} : { verifier: memoVerifier }),
        timeouts: this.plan.timeouts,
        ...(this.plan.mutation === undefined ? {} : { unsafeMutationForSimulation: this.plan.mutation }),
      },
      app: {
        isValid: (h, v) => node.app.isValid(h, v),
        isTimely: (_h, v) => node.app.isTimely(v, this.now),
        proposeValue: (h) => node.app.proposeValue(h, node.index, this.now),
        validatorsFor: () => this.validators,
        nextHeight: () => node.app.nextHeight,
      },
      timers: this.timers,
      now: () => this.now,
      wake: () => this.pump(node, driver),
      requestDecisions: (height, limit) => this.catchUp(node, height, limit),
      onEvidence: (e) => {
        node.evidenceKeys.add(`${e.a.height}/${e.a.round}/${e.a.type}/${e.a.validator}`);
        if (node.byz === null) this.evidence++;
      },
      onError: (e) => {
        throw e; // nothing in a simulated root may fail: surface it
      },
      resendMs: RESEND_INTERVAL_MS,
      catchUpIntervalMs: CATCH_UP_INTERVAL_MS,
      step: (state, input) => this.step(node, state, input),
    });
    node.driver = driver;
    for (const s of this.submitted) if (!node.app.committedStatements.has(s)) node.app.mempool.add(s);
    driver.begin(node.wal);
  }

  /** The shell's loop, synchronous: performs the driver's effects in its order until it is idle. */
  pump(node: SimNode, driver: DriverCore): void {
    if (node.draining) return;
    node.draining = true;
    try {
      for (const effect of driver.drain()) {
        this.perform(node, effect);
        // A root that crashed between two effects (torn crash) lost the rest with it.
        if (node.driver !== driver || !node.up) break;
      }
    } finally {
      node.draining = false;
    }
  }

  perform(node: SimNode, effect: DriverEffect): void {
    switch (effect.kind) {
      case 'persist':
        node.wal = effect.record;
        if (node.tornPending) {
          node.tornPending = false;
          node.tearArmed = true;
        }
        return;
      case 'broadcast':
        if (node.tearArmed) {
          // Crash after the WAL write, before the message leaves.
          this.faults.tornCrashes++;
          this.crash(node);
          return;
        }
        if (node.byz === null) this.recordHonest(node, effect.message);
        this.send(node, effect.message);
        if (node.byz === 'replayer') this.replay(node);
        return;
      case 'decide':
        this.onDecision(node, effect.decision);
        return;
    }
  }

  /** The core's step, timed and traced. */
  step(node: SimNode, state: CoreState, input: Input): Output {
    const t0 = performance.now();
    const out = step(state, input);
    this.stepMs += performance.now() - t0;
    if (this.trace !== undefined) this.traceStep(node, input, out);
    this.maxRound = Math.max(this.maxRound, out.state.round);
    return out;
  }

  traceStep(node: SimNode, input: Input, out: Output): void {
    const c = out.state;
    const what =
      input.kind === 'message'
        ? input.msg.kind === 'vote'
          ? `${input.msg.vote.type} h${input.msg.vote.height} r${input.msg.vote.round} ${input.msg.vote.valueId?.slice(0, 6) ?? 'nil'} from ${this.nameOf(input.msg.vote.validator)}`
          : `proposal h${input.msg.proposal.height} r${input.msg.proposal.round} ${input.msg.proposal.valueId.slice(0, 6)} from ${this.nameOf(input.msg.proposal.proposer)}`
        : input.kind === 'timeout'
          ? `timeout ${input.timer} h${input.height} r${input.round}`
          : input.kind;
    const sent = out.messages.map((m) =>
      m.kind === 'vote'
        ? `${m.vote.type} r${m.vote.round} ${m.vote.valueId?.slice(0, 6) ?? 'nil'}`
        : `proposal r${m.proposal.round}`,
    );
    this.trace!(
      `${this.now.toFixed(1)} root ${node.index} ${what} → h${c.height} r${c.round} ${c.active ? c.step : 'idle'}${c.decided ? ' decided' : ''}${sent.length ? ` sends ${sent.join(', ')}` : ''}${out.timers.length ? ` timers ${out.timers.map((t) => `${t.kind}@r${t.round}`).join(',')}` : ''}`,
    );
  }

  nameOf(id: string): number {
    return this.validators.findIndex((v) => v.id === id);
  }

  onDecision(node: SimNode, d: Decision): void {
    if (node.byz === null) {
      if (!node.app.isValid(d.height, d.value)) {
        this.violate('validity', `root ${node.index} decided an invalid value at height ${d.height}`);
      }
      const prior = this.decidedAt.get(d.height);
      if (prior !== undefined && prior !== d.valueId) {
        this.violate(
          'agreement',
          `root ${node.index} decided ${d.valueId.slice(0, 12)} at height ${d.height}, another honest root ${prior.slice(0, 12)}`,
        );
      }
      this.decidedAt.set(d.height, d.valueId);
    }
    // The app appends only a valid value; the driver then starts the app's next height.
    if (!node.app.isValid(d.height, d.value)) return;
    node.app.apply(d);
    if (node.byz === null) this.noteLatency(d);
  }

  noteLatency(d: Decision): void {
    const { statements } = decodeCanonical(d.value) as { statements: string[] };
    if (!this.honest().every((n) => n.app.committed.length >= d.height)) return;
    for (const s of statements) {
      const at = this.submittedAtMs.get(s);
      if (at !== undefined) {
        this.latencies.push(this.now - at);
        this.submittedAtMs.delete(s);
      }
    }
  }

  crash(node: SimNode): void {
    if (!node.up) return;
    node.up = false;
    node.incarnation++;
    node.tornPending = false;
    node.tearArmed = false;
    node.driver.halt();
    node.app.mempool.clear();
    this.faults.crashes++;
  }

  // ——— invariants on honest signatures ———

  recordHonest(node: SimNode, m: ConsensusMessage): void {
    if (node.sendRate.note(this.now) === this.sendsBound + 1) {
      this.violate(
        'send-rate',
        `honest root ${node.index} broadcast more than ${this.sendsBound} messages within ${SEND_RATE_WINDOW_MS} ms`,
      );
    }
    // Only what the root signed itself: retransmission also relays others' precommits.
    if (m.kind === 'vote' && m.vote.validator === node.id) {
      const v = m.vote;
      const key = `${v.height}/${v.round}/${v.type}/${v.validator}`;
      const prior = this.honestVotes.get(key);
      if (prior !== undefined && prior !== v.valueId) {
        this.violate(
          'honest-conflict',
          `honest root ${node.index} signed two ${v.type}s at ${key.split('/').slice(0, 2).join('/')}`,
        );
      }
      this.honestVotes.set(key, v.valueId);
    } else if (m.kind === 'proposal' && m.proposal.proposer === node.id) {
      const p = m.proposal;
      const key = `${p.height}/${p.round}`;
      const prior = this.honestProposals.get(key);
      if (prior !== undefined && prior !== p.valueId) {
        this.violate('honest-conflict', `honest root ${node.index} signed two proposals at ${key}`);
      }
      this.honestProposals.set(key, p.valueId);
    }
  }

  /**
   * Before delivery: the equivocations this message completes against a vote the core has stored
   * (or that an earlier vote of the same message will store), as the core decides what it stores.
   */
  expectEvidence(node: SimNode, msg: ConsensusMessage): string[] {
    const c = node.driver.state;
    const votes = msg.kind === 'vote' ? [msg.vote] : msg.pol;
    const expected: string[] = [];
    const storedNow = new Map<string, string | null>();
    for (const v of votes) {
      if (c.decided || v.height !== c.height || v.federation !== SIM_FEDERATION) continue;
      if (v.round > VOTE_ROUND_MAX || !this.validators.some((x) => x.id === v.validator)) continue;
      if (!memoVerifier.vote(v)) continue;
      const key = `${v.height}/${v.round}/${v.type}/${v.validator}`;
      // A vote waiting unverified in the slot is verified when a different one arrives: a real
      // one stays, a forgery leaves the slot to the newcomer.
      const waiting = unverifiedVote(c, v.round, v.type, v.validator);
      const stored =
        storedVote(c, v.round, v.type, v.validator) ??
        (waiting !== undefined && memoVerifier.vote(waiting) ? waiting : undefined);
      const first = stored !== undefined ? stored.valueId : storedNow.get(key);
      if (first === undefined) {
        if (v.round <= c.round + FUTURE_ROUNDS_MAX) storedNow.set(key, v.valueId);
      } else if (first !== v.valueId) {
        expected.push(key);
      }
    }
    return expected;
  }

  // ——— events ———

  handle(e: Event): void {
    switch (e.kind) {
      case 'deliver': {
        const node = this.nodes[e.to]!;
        if (!node.up || node.byz === 'silent') return;
        if ((node.byz === 'replayer' || node.byz === 'flooder') && node.seen.length < REPLAY_LOG_MAX)
          node.seen.push(e.msg);
        const expected = node.byz === null ? this.expectEvidence(node, e.msg) : [];
        const driver = node.driver;
        driver.receive(e.msg);
        // A root that crashed in this very step (torn crash) lost that step's outputs with it.
        if (node.driver !== driver || !node.up) return;
        for (const key of expected) {
          if (!node.evidenceKeys.has(key)) {
            this.violate(
              'evidence',
              `honest root ${node.index} stored two different votes ${key} without evidence`,
            );
          }
        }
        return;
      }
      case 'timer': {
        if (!e.timer.cleared) e.timer.fn();
        return;
      }
      case 'statements': {
        this.statementEventsLeft--;
        for (let k = e.first; k < e.first + e.count; k++) {
          this.submitted.push(`st-${k}`);
          this.submittedAtMs.set(`st-${k}`, this.now);
        }
        for (const node of this.nodes) {
          if (!node.up) continue;
          for (let k = e.first; k < e.first + e.count; k++) node.app.mempool.add(`st-${k}`);
          node.driver.pending();
        }
        return;
      }
      case 'crash': {
        const node = this.nodes[e.node]!;
        if (e.torn) node.tornPending = true;
        else this.crash(node);
        return;
      }
      case 'restart': {
        const node = this.nodes[e.node]!;
        // A torn crash still due when its restart comes never happens.
        node.tornPending = false;
        node.tearArmed = false;
        if (node.up) return;
        node.up = true;
        this.boot(node);
        return;
      }
      case 'catch-up': {
        const node = this.nodes[e.node]!;
        if (node.incarnation === e.incarnation && node.up) node.driver.fetched(e.decisions);
        return;
      }
      case 'flood': {
        const node = this.nodes[e.node]!;
        const s = node.driver.state;
        if (node.up) {
          for (const m of node.flooder!.burst(this.rng, s.height, s.round, node.seen)) {
            this.faults.flooded++;
            for (const p of node.peers) this.transmit(node.index, p, m);
          }
        }
        this.queue.push(this.now + FLOOD_PERIOD_MS, e);
        return;
      }
    }
  }

  // ——— network ———

  reachable(a: number, b: number, atMs: number): boolean {
    for (const p of this.plan.partitions) {
      if (atMs < p.fromMs || atMs >= p.toMs) continue;
      const ga = p.groups.findIndex((g) => g.includes(a));
      const gb = p.groups.findIndex((g) => g.includes(b));
      if (ga === -1 || gb === -1 || ga !== gb) return false;
    }
    return true;
  }

  delayMs(): number {
    const d = this.plan.delay;
    let ms = d.minMs + this.rng.float() * (d.maxMs - d.minMs);
    if (this.now < this.plan.gstMs && d.tailMs > 0) ms += -Math.log(1 - this.rng.float()) * d.tailMs;
    return ms;
  }

  transmit(from: number, to: number, msg: ConsensusMessage): void {
    if (!this.reachable(from, to, this.now)) {
      this.faults.partitioned++;
      return;
    }
    const stormy = this.now < this.plan.gstMs;
    if (stormy && this.plan.loss > 0 && this.rng.chance(this.plan.loss)) {
      this.faults.lost++;
      return;
    }
    this.queue.push(this.now + this.delayMs(), { kind: 'deliver', to, msg });
    if (stormy && this.plan.duplicate > 0 && this.rng.chance(this.plan.duplicate)) {
      this.faults.duplicated++;
      this.queue.push(this.now + this.delayMs(), { kind: 'deliver', to, msg });
    }
  }

  send(node: SimNode, m: ConsensusMessage): void {
    if (node.byz === 'silent') return;
    const twin = node.byz === null ? null : twinOf({ ...node, byz: node.byz }, m, this.rng, this.now);
    if (twin === null) {
      for (const p of node.peers) this.transmit(node.index, p, m);
      return;
    }
    this.faults.byzantineMessages++;
    const split = this.rng.shuffle([...node.peers]);
    const half = this.rng.range(1, Math.max(1, split.length - 1));
    for (let i = 0; i < split.length; i++) this.transmit(node.index, split[i]!, i < half ? m : twin);
    // One peer gets both halves, so an honest root holds proof of the equivocation.
    this.transmit(node.index, split[0]!, twin);
  }

  /**
   * Along with its own messages, a replayer sends, half of the time, an old one it has seen. Its
   * replays ride on its own sends: a replayer that replayed on receipt would answer the other
   * replayers' replays, and with duplication the replays would multiply without bound.
   */
  replay(node: SimNode): void {
    if (node.seen.length > 0 && this.rng.chance(0.5)) {
      this.faults.byzantineMessages++;
      const old = this.rng.pick(node.seen);
      for (const p of node.peers) this.transmit(node.index, p, old);
    }
  }

  // ——— catch-up (the CatchUpSource of the driver, over the simulated network) ———

  /** The driver asked for decisions from `height`: one reachable peer answers after a round trip. */
  catchUp(node: SimNode, height: number, limit: number): void {
    const peers = this.nodes.filter(
      (p) => p.index !== node.index && p.up && this.reachable(node.index, p.index, this.now),
    );
    let decisions: Decision[] = [];
    if (peers.length > 0) {
      const peer = this.rng.pick(peers);
      if (peer.byz !== null) {
        this.faults.forgedCatchUps++;
        decisions = [forgedDecision({ ...peer, byz: peer.byz }, SIM_FEDERATION, height, this.now)];
      } else {
        decisions = peer.app.committed.slice(height - 1, height - 1 + limit);
      }
    }
    this.queue.push(this.now + this.delayMs() * 2, {
      kind: 'catch-up',
      node: node.index,
      incarnation: node.incarnation,
      decisions,
    });
  }
}
