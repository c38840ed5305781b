// The Tendermint algorithm as a pure state machine: Algorithm 1 of "The latest gossip on BFT
// consensus" (Buchman, Kwon, Milosevic 2018). Line numbers in comments (L22, L28 …) are the
// paper's. `step(state, input)` returns a new state and the effects — messages to broadcast,
// a record to persist BEFORE those messages leave, decisions, timers, evidence — and never
// touches a clock, randomness, disk or network (signing is an injected deterministic function).
//
// Witan specifics, all outside the paper's upon rules:
// - Idle when idle: `start-height` makes a height current but starts no round. The height
//   becomes active (StartRound(0)) when the app hands a value (`value-ready`: statements are
//   pending) or a valid message for this height arrives (someone else has pending statements).
//   A proposer without a value sends no proposal and waits timeoutPropose like everyone else;
//   `wantValue` asks the caller for one.
// - A proposal carries the prevotes of its validRound (proof of lock), so line 28 works for a
//   node that missed them; these are ordinary signed votes, piggybacked.
// - Round skip (L55) counts, per validator, the highest round it was seen in: a skip happens to the
//   highest round R > round_p that at least f+1 validators have reached. Any round change is safe
//   in Tendermint; this keeps the memory bound (no votes stored for far-future rounds).
// - Signing guard: the core never signs two different votes (or proposals) for one height, round and
//   type, and never signs below the last signed round/step; that record is in `toPersist`.
// - Equivocation: a second, different vote from one validator for one height/round/type yields
//   evidence { a, b } once per (validator, round, type).
// - Lazy verification: a peer's vote of our round waits unverified, counted by no rule, until it
//   could change something: a quorum it could complete, a different vote for its slot (a forgery
//   must not mask the real vote, a real one may be evidence), a proof of lock that names it, or our
//   leaving the round. Votes that arrive after their quorum are never verified.
// - Copy on write: `step` never mutates its input; it copies a collection of the state the first
//   time the step writes it, so a step costs what it changes, not the size of the state.

import { quorumSize } from '../base/index.ts';
import { fromBase64, toBase64 } from '../codec/index.ts';
import { type SignedVote, type VoteBody, type VoteType, verifyVote, votesConflict } from '../wire/index.ts';
import {
  DEFAULT_TIMEOUT_DELTA_MS,
  DEFAULT_TIMEOUT_PRECOMMIT_MS,
  DEFAULT_TIMEOUT_PREVOTE_MS,
  DEFAULT_TIMEOUT_PROPOSE_MS,
  FUTURE_ROUNDS_MAX,
  NEXT_HEIGHT_MESSAGES_MAX,
  VALIDATORS_MAX,
  VOTE_ROUND_MAX,
} from './constants.ts';
import { ConsensusError } from './errors.ts';
import type { ConsensusMessage } from './messages.ts';
import { proposalValue, type SignedProposal, valueIdOf, verifyProposal } from './proposal.ts';

export type Step = 'propose' | 'prevote' | 'precommit';
export type TimerKind = Step;

export interface Validator {
  /** base64 node key, as in SignedVote.validator. */
  id: string;
  publicKey: Uint8Array;
}

export interface Timeouts {
  proposeMs: number;
  prevoteMs: number;
  precommitMs: number;
  /** Added per round to each base timeout (timeouts grow with the round, paper §3). */
  deltaMs: number;
}

export interface Signer {
  vote(body: VoteBody): SignedVote;
  proposal(
    fields: { federation: string; height: number; round: number; validRound: number; proposer: string },
    value: Uint8Array,
  ): SignedProposal;
}

export interface Verifier {
  vote(v: SignedVote): boolean;
  proposal(p: SignedProposal): boolean;
}

/**
 * Test hook that breaks the algorithm on purpose; the driver refuses it, only the simulator sets it.
 * 'resend-on-old-message' breaks the driver's core instead: it re-sends on receipt of old messages.
 */
export type UnsafeMutation = 'no-locking' | 'quorum-minus-one' | 'resend-on-old-message';

export interface CoreConfig {
  federation: string;
  /** Our node key, base64. */
  self: string;
  /** Pure validity of a value at a height (the root re-executes the batch). */
  isValid: (height: number, value: Uint8Array) => boolean;
  /**
   * Is a FRESH proposal's value timely here (its batch time near our clock)? Asked only for a
   * proposal without a proof of lock (L22, validRound −1), never cached: a value that a quorum
   * prevoted stays acceptable however late it is proposed again (L28), or a locked value could
   * never be decided. Proposer-based timestamps in CometBFT take the same rule. Default: yes.
   */
  isTimely?: (height: number, value: Uint8Array) => boolean;
  signer: Signer;
  /** Defaults to verifyVote / verifyProposal; the simulator passes a memoised one. */
  verifier?: Verifier;
  timeouts?: Partial<Timeouts>;
  unsafeMutationForSimulation?: UnsafeMutation;
}

export interface Decision {
  height: number;
  round: number;
  value: Uint8Array;
  valueId: string;
  /** A quorum of precommits for valueId at `round` from this height's validators. */
  certificate: SignedVote[];
}

/**
 * Two different votes one validator signed for one height, round and type. The root files the
 * pair as governance evidence (an evidence statement of type 'votes').
 */
export interface Equivocation {
  kind: 'equivocation';
  a: SignedVote;
  b: SignedVote;
}

export interface TimerRequest {
  kind: TimerKind;
  height: number;
  round: number;
  delayMs: number;
}

/** What must be durable before any message of the same step leaves (JSON-safe). */
export interface PersistRecord {
  height: number;
  /** The height had started its rounds (idle heights resume idle). */
  active: boolean;
  round: number;
  step: Step;
  lockedRound: number;
  lockedValue: string | null;
  validRound: number;
  validValue: string | null;
  /**
   * The prevotes that made validValue valid at validRound: after a restart our proposals of it
   * must still carry their proof of lock, or peers that missed those prevotes never accept it.
   */
  validPol?: SignedVote[];
  /** Highest round/step signed at this height (step 0 proposal, 1 prevote, 2 precommit). */
  lastSigned: { round: number; step: number } | null;
  /**
   * Our votes of this height's last rounds (lastSigned.round and up to RESEND_ROUNDS_MAX before it):
   * re-sent instead of ever signing another, and restored on restart so that retransmission still
   * carries them to peers left in an earlier round.
   */
  ownVotes: SignedVote[];
  ownProposal: SignedProposal | null;
}

export type Input =
  | { kind: 'start-height'; height: number; validators: Validator[]; resume?: PersistRecord | null }
  | { kind: 'value-ready'; height: number; value: Uint8Array }
  | { kind: 'message'; msg: ConsensusMessage }
  | { kind: 'timeout'; timer: TimerKind; height: number; round: number }
  | { kind: 'decision'; decision: Decision };

export interface Output {
  state: CoreState;
  messages: ConsensusMessage[];
  toPersist: PersistRecord | null;
  decisions: Decision[];
  timers: TimerRequest[];
  evidence: Equivocation[];
  /** Height for which the proposer needs a value from the app, or null. */
  wantValue: number | null;
  /** Messages from a height above ours arrived, or a round timed out: fetch decisions. */
  catchUp: boolean;
}

export interface CoreState extends SharedCollections {
  readonly config: CoreConfig;
  readonly timeouts: Timeouts;
  height: number;
  validators: Validator[];
  /** The ids of `validators`, for membership checks. */
  validatorIds: ReadonlySet<string>;
  quorum: number;
  /** f + 1: the number of validators that must be seen in a higher round before we skip to it. */
  skip: number;
  active: boolean;
  decided: boolean;
  round: number;
  step: Step;
  lockedValue: Uint8Array | null;
  lockedRound: number;
  validValue: Uint8Array | null;
  validRound: number;
  ownValue: Uint8Array | null;
  lastSigned: { round: number; step: number } | null;
  /** Replaced, never changed in place: states share it. */
  ownVotes: SignedVote[];
  ownProposal: SignedProposal | null;
}

/** Votes of one type in one round: how many, and how many per value (null: nil). Never changed in place. */
export interface Counts {
  readonly all: number;
  readonly byValue: ReadonlyMap<string | null, number>;
}

export interface RoundCounts {
  readonly prevote: Counts;
  readonly precommit: Counts;
}

const NO_COUNTS: Counts = { all: 0, byValue: new Map() };
const NO_ROUND_COUNTS: RoundCounts = { prevote: NO_COUNTS, precommit: NO_COUNTS };

/** The state's collections as a step writes them: each copied on the step's first write (writable). */
interface Collections {
  proposals: Map<number, SignedProposal>;
  /** The verified proof-of-lock prevotes that came with each round's proposal. */
  pols: Map<number, SignedVote[]>;
  /** Verified votes, one per (round, type, validator) slot. */
  votes: Map<string, SignedVote>;
  /** Verified votes counted per round, type and value. */
  tally: Map<number, RoundCounts>;
  /**
   * Peers' votes of our round not verified yet: at most one per slot, and never in a slot `votes`
   * holds, so both together stay within the bound of one vote per slot. They count toward nothing
   * until verified.
   */
  unverified: Map<string, SignedVote>;
  /** `unverified` counted like `tally`: whether verifying them could complete a quorum. */
  unverifiedTally: Map<number, RoundCounts>;
  highestRound: Map<string, number>;
  flags: Set<string>;
  validity: Map<string, boolean>;
  evidenced: Set<string>;
  nextHeight: Map<string, ConsensusMessage>;
}

/** The collections as a state holds them: read-only, shared between states until a step copies one. */
type SharedCollections = {
  [K in keyof Collections]: Collections[K] extends Map<infer Key, infer Value>
    ? ReadonlyMap<Key, Value>
    : Collections[K] extends Set<infer Item>
      ? ReadonlySet<Item>
      : never;
};

function emptyCollections(): Collections {
  return {
    proposals: new Map(),
    pols: new Map(),
    votes: new Map(),
    tally: new Map(),
    unverified: new Map(),
    unverifiedTally: new Map(),
    highestRound: new Map(),
    flags: new Set(),
    validity: new Map(),
    evidenced: new Set(),
    nextHeight: new Map(),
  };
}

const STEP_ORDER: Record<Step, number> = { propose: 0, prevote: 1, precommit: 2 };
const RULE_PASSES_MAX = 64;
/** Rounds below ours whose votes retransmission repeats. */
const RESEND_ROUNDS_MAX = 3;

export function initState(config: CoreConfig): CoreState {
  if (typeof config.federation !== 'string' || config.federation.length === 0) {
    throw new ConsensusError('BAD_CONFIG', 'config.federation must be the federation name');
  }
  const timeouts: Timeouts = {
    proposeMs: config.timeouts?.proposeMs ?? DEFAULT_TIMEOUT_PROPOSE_MS,
    prevoteMs: config.timeouts?.prevoteMs ?? DEFAULT_TIMEOUT_PREVOTE_MS,
    precommitMs: config.timeouts?.precommitMs ?? DEFAULT_TIMEOUT_PRECOMMIT_MS,
    deltaMs: config.timeouts?.deltaMs ?? DEFAULT_TIMEOUT_DELTA_MS,
  };
  for (const [k, v] of Object.entries(timeouts)) {
    if (!Number.isFinite(v) || v < 0) throw new ConsensusError('BAD_CONFIG', `timeouts.${k} must be ≥ 0 ms`);
  }
  return {
    config,
    timeouts,
    height: 0,
    validators: [],
    validatorIds: new Set(),
    quorum: 1,
    skip: 1,
    active: false,
    decided: true,
    round: 0,
    step: 'propose',
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    ownValue: null,
    ...emptyCollections(),
    lastSigned: null,
    ownVotes: [],
    ownProposal: null,
  };
}

/** The proposer of (height, round): round-robin over the validators in the caller's order. */
export function proposerOf(validators: readonly Validator[], height: number, round: number): Validator {
  return validators[(height + round) % validators.length]!;
}

interface Work {
  s: CoreState;
  out: Output;
  dirty: boolean;
  /** The collections this step copied already: written in place from then on. */
  owned: Partial<Collections>;
}

export function step(state: CoreState, input: Input): Output {
  const s: CoreState = { ...state };
  const out: Output = {
    state: s,
    messages: [],
    toPersist: null,
    decisions: [],
    timers: [],
    evidence: [],
    wantValue: null,
    catchUp: false,
  };
  const w: Work = { s, out, dirty: false, owned: {} };
  switch (input.kind) {
    case 'start-height':
      startHeight(w, input.height, input.validators, input.resume ?? null);
      break;
    case 'value-ready':
      onValueReady(w, input.height, input.value);
      break;
    case 'message':
      onMessage(w, input.msg, 'peer');
      break;
    case 'timeout':
      onTimeout(w, input.timer, input.height, input.round);
      break;
    case 'decision':
      onCatchUpDecision(w, input.decision);
      break;
  }
  applyRules(w);
  if (w.dirty) out.toPersist = persistRecord(s);
  return out;
}

/**
 * The collection `name` of the step's state, ready to write: copied on the step's first write, so
 * the input state — which the caller may keep — never changes.
 */
function writable<K extends keyof Collections>(w: Work, name: K): Collections[K] {
  const owned = w.owned[name];
  if (owned !== undefined) return owned;
  const current: ReadonlyMap<unknown, unknown> | ReadonlySet<unknown> = w.s[name];
  const copy = (
    current instanceof Set ? new Set(current) : new Map(current as ReadonlyMap<unknown, unknown>)
  ) as Collections[K];
  w.owned[name] = copy;
  (w.s as unknown as Collections)[name] = copy;
  return copy;
}

export function persistRecord(s: CoreState): PersistRecord {
  return {
    height: s.height,
    active: s.active,
    round: s.round,
    step: s.step,
    lockedRound: s.lockedRound,
    lockedValue: s.lockedValue === null ? null : toBase64(s.lockedValue),
    validRound: s.validRound,
    validValue: s.validValue === null ? null : toBase64(s.validValue),
    validPol: s.validValue === null ? [] : proofOf(s, s.validRound, valueIdOf(s.validValue)),
    lastSigned: s.lastSigned === null ? null : { ...s.lastSigned },
    ownVotes: [...s.ownVotes],
    ownProposal: s.ownProposal,
  };
}

// ——— inputs ———

function startHeight(w: Work, height: number, validators: Validator[], resume: PersistRecord | null): void {
  const { s } = w;
  if (!Number.isSafeInteger(height) || height < 1)
    throw new ConsensusError('BAD_CONFIG', 'height must be ≥ 1');
  if (validators.length === 0 || validators.length > VALIDATORS_MAX) {
    throw new ConsensusError('BAD_CONFIG', `a height needs 1..${VALIDATORS_MAX} validators`);
  }
  if (height <= s.height) return;
  const buffered = s.height === height - 1 ? [...s.nextHeight.values()] : [];
  const n = validators.length;
  s.height = height;
  s.validators = [...validators];
  s.validatorIds = new Set(validators.map((v) => v.id));
  s.quorum = quorumSize(n) - (s.config.unsafeMutationForSimulation === 'quorum-minus-one' ? 1 : 0);
  s.skip = n - quorumSize(n) + 1;
  s.active = false;
  s.decided = false;
  s.round = 0;
  s.step = 'propose';
  s.lockedValue = null;
  s.lockedRound = -1;
  s.validValue = null;
  s.validRound = -1;
  s.ownValue = null;
  const fresh = emptyCollections();
  Object.assign(s, fresh);
  w.owned = fresh;
  s.lastSigned = null;
  s.ownVotes = [];
  s.ownProposal = null;
  if (resume !== null && resume.height === height) {
    // Whatever we signed at this height stays signed, even if the crash came after a decision
    // was persisted but before the app applied it.
    s.lockedRound = resume.lockedRound;
    s.lockedValue = resume.lockedValue === null ? null : fromBase64(resume.lockedValue);
    s.validRound = resume.validRound;
    s.validValue = resume.validValue === null ? null : fromBase64(resume.validValue);
    s.lastSigned = resume.lastSigned === null ? null : { ...resume.lastSigned };
    s.ownVotes = [...resume.ownVotes];
    s.ownProposal = resume.ownProposal;
    if (resume.active || resume.lastSigned !== null) {
      // We were active: resume the round we were in. The signing guard re-sends our old votes.
      // Our earlier rounds' votes go back among the votes we hold (set the round first: votes
      // above round + FUTURE_ROUNDS_MAX are not kept), so that retransmission re-sends them: a peer
      // still in such a round may need our vote, lost before the crash, to leave it.
      s.active = true;
      s.round = resume.round;
      for (const v of [...(resume.validPol ?? []), ...resume.ownVotes]) onVote(w, v, 'now');
      startRound(w, resume.round);
    }
  }
  w.dirty = true;
  for (const m of buffered) onMessage(w, m, 'buffered');
}

function onValueReady(w: Work, height: number, value: Uint8Array): void {
  const { s } = w;
  if (height !== s.height || s.decided) return;
  s.ownValue = value;
  if (!s.active) {
    activate(w);
    return;
  }
  // The proposer of the current round was waiting for a value (L14–L19).
  if (s.step === 'propose' && isProposer(s, s.round) && !s.proposals.has(s.round)) propose(w);
}

function onTimeout(w: Work, timer: TimerKind, height: number, round: number): void {
  const { s } = w;
  if (height !== s.height || round !== s.round || s.decided || !s.active) return;
  if (timer === 'propose' && s.step === 'propose') {
    // L57–L60
    broadcastVote(w, 'prevote', null);
    s.step = 'prevote';
    w.dirty = true;
  } else if (timer === 'prevote' && s.step === 'prevote') {
    // L61–L64
    broadcastVote(w, 'precommit', null);
    s.step = 'precommit';
    w.dirty = true;
  } else if (timer === 'precommit') {
    // L65–L67; a round that ends without a decision may mean we missed one: look it up.
    w.out.catchUp = true;
    startRound(w, s.round + 1);
  }
}

function onCatchUpDecision(w: Work, d: Decision): void {
  const { s } = w;
  if (d.height !== s.height || s.decided) return;
  const quorum = quorumSize(s.validators.length);
  if (!certificateValid(d, s.validators, s.config.federation, quorum, verifierOf(s))) return;
  decide(w, d.round, d.value, d.valueId, d.certificate);
}

// ——— messages ———

function verifierOf(s: CoreState): Verifier {
  return s.config.verifier ?? { vote: verifyVote, proposal: verifyProposal };
}

/**
 * Where a message comes from: a peer (signatures not checked yet), or the buffer of next-height
 * messages, whose vote or proposal signature bufferNext checked already.
 */
type Source = 'peer' | 'buffered';

function onMessage(w: Work, m: ConsensusMessage, source: Source): void {
  const { s } = w;
  const height = m.kind === 'vote' ? m.vote.height : m.proposal.height;
  if (height === s.height + 1) {
    if (source === 'peer') bufferNext(w, m);
    if (!s.decided) w.out.catchUp = true;
    return;
  }
  if (height > s.height + 1) {
    w.out.catchUp = true;
    return;
  }
  if (height !== s.height || s.decided) return;
  if (m.kind === 'vote') {
    onVote(w, m.vote, source === 'buffered' ? 'checked' : 'deferrable');
    return;
  }
  for (const v of m.pol) onVote(w, v, 'deferrable');
  onProposal(w, m.proposal, m.pol, source === 'buffered' ? 'checked' : 'now');
}

/** h+1 messages wait (signature checked now, membership at start-height) within a fixed bound. */
function bufferNext(w: Work, m: ConsensusMessage): void {
  const { s } = w;
  if (s.nextHeight.size >= NEXT_HEIGHT_MESSAGES_MAX) return;
  const key =
    m.kind === 'vote'
      ? `v/${m.vote.round}/${m.vote.type}/${m.vote.validator}/${m.vote.valueId}`
      : `p/${m.proposal.round}/${m.proposal.proposer}/${m.proposal.valueId}`;
  if (s.nextHeight.has(key)) return;
  const ok = m.kind === 'vote' ? verifierOf(s).vote(m.vote) : verifierOf(s).proposal(m.proposal);
  if (ok) writable(w, 'nextHeight').set(key, m);
}

function isValidator(s: CoreState, id: string): boolean {
  return s.validatorIds.has(id);
}

function voteKey(round: number, type: VoteType, validator: string): string {
  return `${round}/${type}/${validator}`;
}

/** The vote the core stored (verified) for (round, type, validator) at its current height, if any. */
export function storedVote(
  s: CoreState,
  round: number,
  type: VoteType,
  validator: string,
): SignedVote | undefined {
  return s.votes.get(voteKey(round, type, validator));
}

/** The vote waiting unverified for (round, type, validator) at the core's current height, if any. */
export function unverifiedVote(
  s: CoreState,
  round: number,
  type: VoteType,
  validator: string,
): SignedVote | undefined {
  return s.unverified.get(voteKey(round, type, validator));
}

/** One vote: same slot, same value, same signature. */
function sameVote(a: SignedVote, b: SignedVote): boolean {
  return a.valueId === b.valueId && a.signature === b.signature;
}

/**
 * How a vote's signature is checked: 'checked' — signed by this core in this step, or checked
 * already (a buffered next-height vote); 'now' — verify before anything else (a restart's record);
 * 'deferrable' — a peer's vote, which may wait unverified when it is of our round (mayWait).
 */
type VoteCheck = 'checked' | 'now' | 'deferrable';

function onVote(w: Work, v: SignedVote, check: VoteCheck): void {
  const { s } = w;
  if (v.federation !== s.config.federation || v.height !== s.height || !isValidator(s, v.validator)) return;
  if (v.round > VOTE_ROUND_MAX) return;
  const key = voteKey(v.round, v.type, v.validator);
  const known = s.votes.get(key);
  if (known !== undefined) {
    // A different vote for a stored slot is only ever evidence: verified once per slot at most.
    if (sameVote(known, v) || s.evidenced.has(key)) return;
    if (check !== 'checked' && !verifierOf(s).vote(v)) return;
    if (votesConflict(known, v)) {
      writable(w, 'evidenced').add(key);
      w.out.evidence.push({ kind: 'equivocation', a: known, b: v });
    }
    return;
  }
  const waiting = s.unverified.get(key);
  if (waiting !== undefined) {
    if (check === 'deferrable' && sameVote(waiting, v)) return;
    // Two different votes for one slot, or one that may not wait: the waiting one is verified now.
    // A forgery leaves the slot to v; a real one is stored and v, if different and verified too, is
    // evidence. Either way the slot is no longer waiting, so this recursion is one level deep.
    settle(w, key);
    onVote(w, v, check);
    return;
  }
  if (check === 'deferrable' && mayWait(s, v)) {
    writable(w, 'unverified').set(key, v);
    add(w, 'unverifiedTally', v, 1);
    return;
  }
  if (check !== 'checked' && !verifierOf(s).vote(v)) return;
  store(w, key, v);
}

/**
 * Whether a peer's vote may wait unverified: a vote of our round, while the height is active. A
 * vote of a later round feeds the round skip (L55) and one that wakes an idle height must be
 * verified at once; votes of earlier rounds are verified on arrival as they were before we left
 * them (startRound), so a proof of lock, the relayed precommits and evidence about an earlier
 * round hold every vote we received for it. A vote in our own name that this core did not sign
 * (an earlier life's) is verified at once too: retransmission re-sends our votes.
 */
function mayWait(s: CoreState, v: SignedVote): boolean {
  return s.active && v.round === s.round && v.validator !== s.config.self;
}

/** A verified vote for an empty slot: seen in its round, and counted unless too far ahead. */
function store(w: Work, key: string, v: SignedVote): void {
  const { s } = w;
  noteRound(w, v.validator, v.round);
  if (v.round > s.round + FUTURE_ROUNDS_MAX) return;
  writable(w, 'votes').set(key, v);
  add(w, 'tally', v, 1);
}

/** Verifies the vote waiting in a slot: stored if it holds, dropped if it does not. */
function settle(w: Work, key: string): void {
  const v = w.s.unverified.get(key);
  if (v === undefined) return;
  writable(w, 'unverified').delete(key);
  add(w, 'unverifiedTally', v, -1);
  if (verifierOf(w.s).vote(v)) store(w, key, v);
}

/** Counts v (by = 1) or takes it back (by = -1), replacing the round's counts: states share them. */
function add(w: Work, name: 'tally' | 'unverifiedTally', v: SignedVote, by: 1 | -1): void {
  const rounds = writable(w, name);
  const round = rounds.get(v.round) ?? NO_ROUND_COUNTS;
  const before = round[v.type];
  const byValue = new Map(before.byValue);
  const n = (byValue.get(v.valueId) ?? 0) + by;
  if (n === 0) byValue.delete(v.valueId);
  else byValue.set(v.valueId, n);
  const after: Counts = { all: before.all + by, byValue };
  const next: RoundCounts =
    v.type === 'prevote' ? { ...round, prevote: after } : { ...round, precommit: after };
  if (next.prevote.all === 0 && next.precommit.all === 0) rounds.delete(v.round);
  else rounds.set(v.round, next);
}

function countIn(
  rounds: ReadonlyMap<number, RoundCounts>,
  round: number,
  type: VoteType,
  valueId: string | null | '*',
): number {
  const c = rounds.get(round)?.[type];
  if (c === undefined) return 0;
  return valueId === '*' ? c.all : (c.byValue.get(valueId) ?? 0);
}

/** Verified votes of (round, type) for valueId ('*': for anything) at the core's current height. */
export function voteCount(s: CoreState, round: number, type: VoteType, valueId: string | null | '*'): number {
  return countIn(s.tally, round, type, valueId);
}

/**
 * Whether a quorum of verified votes of (round, type) is for valueId ('*': for anything). Verifies
 * waiting votes only when together with the verified ones they could make the quorum, and stops
 * as soon as it is made: a vote no rule needs is never verified.
 */
function hasQuorum(w: Work, round: number, type: VoteType, valueId: string | null | '*'): boolean {
  const { s } = w;
  const have = countIn(s.tally, round, type, valueId);
  if (have >= s.quorum) return true;
  if (have + countIn(s.unverifiedTally, round, type, valueId) < s.quorum) return false;
  for (const [slot, v] of s.unverified) {
    if (v.round !== round || v.type !== type || (valueId !== '*' && v.valueId !== valueId)) continue;
    settle(w, slot);
    if (countIn(s.tally, round, type, valueId) >= s.quorum) return true;
  }
  return false;
}

/** Whether v verifies, without verifying again a vote the core verified or verifying it twice. */
function voteHolds(w: Work, v: SignedVote): boolean {
  const key = voteKey(v.round, v.type, v.validator);
  const waiting = w.s.unverified.get(key);
  if (waiting !== undefined && sameVote(waiting, v)) {
    settle(w, key);
    return w.s.votes.get(key) === waiting;
  }
  const known = w.s.votes.get(key);
  if (known !== undefined && sameVote(known, v)) return true;
  return verifierOf(w.s).vote(v);
}

function onProposal(w: Work, p: SignedProposal, pol: SignedVote[], check: 'checked' | 'now'): void {
  const { s } = w;
  if (p.federation !== s.config.federation || p.height !== s.height) return;
  if (proposerOf(s.validators, p.height, p.round).id !== p.proposer) return;
  const known = s.proposals.get(p.round);
  if (known !== undefined) return; // first proposal per round wins; a second one is the proposer's equivocation
  if (check === 'now' && !verifierOf(s).proposal(p)) return;
  noteRound(w, p.proposer, p.round);
  if (p.round > s.round + FUTURE_ROUNDS_MAX) return;
  writable(w, 'proposals').set(p.round, p);
  const proof = pol.filter(
    (v) =>
      v.type === 'prevote' &&
      v.height === s.height &&
      v.round === p.validRound &&
      v.valueId === p.valueId &&
      v.federation === s.config.federation &&
      isValidator(s, v.validator) &&
      voteHolds(w, v),
  );
  if (proof.length > 0) writable(w, 'pols').set(p.round, proof);
}

/** Distinct validators' prevotes for valueId at round, from stored votes and received proofs of lock. */
function proofOf(s: CoreState, round: number, valueId: string): SignedVote[] {
  const byValidator = new Map<string, SignedVote>();
  for (const v of s.votes.values()) {
    if (v.round === round && v.type === 'prevote' && v.valueId === valueId) byValidator.set(v.validator, v);
  }
  for (const pol of s.pols.values()) {
    for (const v of pol) {
      if (v.round === round && v.valueId === valueId && !byValidator.has(v.validator))
        byValidator.set(v.validator, v);
    }
  }
  return [...byValidator.values()];
}

/**
 * Validators known to have prevoted the proposal's value in its validRound: stored votes plus the
 * proposal's proof of lock. An equivocating validator may have reached us with another vote for
 * that slot; its signed prevote for this value still counts, as it would in the paper's model.
 * No vote of a round before ours waits unverified (mayWait), so none is missing here.
 */
function polCount(s: CoreState, p: SignedProposal): number {
  const ids = new Set<string>();
  for (const v of s.votes.values()) {
    if (v.round === p.validRound && v.type === 'prevote' && v.valueId === p.valueId) ids.add(v.validator);
  }
  for (const v of s.pols.get(p.round) ?? []) ids.add(v.validator);
  return ids.size;
}

/** Any verified message at the current height wakes an idle node and feeds the round-skip count. */
function noteRound(w: Work, validator: string, round: number): void {
  const { s } = w;
  if (round > (s.highestRound.get(validator) ?? -1)) writable(w, 'highestRound').set(validator, round);
  if (!s.active) activate(w);
}

function activate(w: Work): void {
  w.s.active = true;
  startRound(w, 0);
}

// ——— the upon rules ———

function applyRules(w: Work): void {
  const { s } = w;
  for (let pass = 0; pass < RULE_PASSES_MAX; pass++) {
    if (s.decided || !s.active || s.height === 0) return;
    if (!fireOne(w)) return;
  }
}

/** Fires the first applicable rule; true when one fired (state changed). */
function fireOne(w: Work): boolean {
  const { s } = w;
  const r = s.round;
  const p = s.proposals.get(r);
  const noLocking = s.config.unsafeMutationForSimulation === 'no-locking';
  // L49: a decision can come from any round.
  for (const [round, prop] of s.proposals) {
    if (hasQuorum(w, round, 'precommit', prop.valueId) && valid(w, prop)) {
      const certificate = [...s.votes.values()].filter(
        (v) => v.round === round && v.type === 'precommit' && v.valueId === prop.valueId,
      );
      decide(w, round, proposalValue(prop), prop.valueId, certificate);
      return true;
    }
  }
  // L55: skip to the highest round that f+1 validators have reached.
  const target = skipTarget(s);
  if (target > r) {
    startRound(w, target);
    return true;
  }
  if (s.step === 'propose' && p !== undefined) {
    if (p.validRound === -1) {
      // L22–L27
      const v = proposalValue(p);
      const timely = s.config.isTimely?.(s.height, v) ?? true;
      const ok = valid(w, p) && timely && (noLocking || s.lockedRound === -1 || sameValue(s.lockedValue, v));
      broadcastVote(w, 'prevote', ok ? p.valueId : null);
      s.step = 'prevote';
      w.dirty = true;
      return true;
    }
    if (p.validRound < r && polCount(s, p) >= s.quorum) {
      // L28–L33
      const v = proposalValue(p);
      const ok = valid(w, p) && (noLocking || s.lockedRound <= p.validRound || sameValue(s.lockedValue, v));
      broadcastVote(w, 'prevote', ok ? p.valueId : null);
      s.step = 'prevote';
      w.dirty = true;
      return true;
    }
  }
  if (s.step === 'prevote' && !s.flags.has(`prevote-timer/${r}`) && hasQuorum(w, r, 'prevote', '*')) {
    // L34–L35
    writable(w, 'flags').add(`prevote-timer/${r}`);
    schedule(w, 'prevote');
    return true;
  }
  if (
    s.step !== 'propose' &&
    p !== undefined &&
    !s.flags.has(`valid/${r}`) &&
    hasQuorum(w, r, 'prevote', p.valueId) &&
    valid(w, p)
  ) {
    // L36–L43
    writable(w, 'flags').add(`valid/${r}`);
    const v = proposalValue(p);
    if (s.step === 'prevote') {
      if (!noLocking) {
        s.lockedValue = v;
        s.lockedRound = r;
      }
      broadcastVote(w, 'precommit', p.valueId);
      s.step = 'precommit';
    }
    if (!noLocking) {
      s.validValue = v;
      s.validRound = r;
    }
    w.dirty = true;
    return true;
  }
  if (s.step === 'prevote' && hasQuorum(w, r, 'prevote', null)) {
    // L44–L46
    broadcastVote(w, 'precommit', null);
    s.step = 'precommit';
    w.dirty = true;
    return true;
  }
  if (!s.flags.has(`precommit-timer/${r}`) && hasQuorum(w, r, 'precommit', '*')) {
    // L47–L48
    writable(w, 'flags').add(`precommit-timer/${r}`);
    schedule(w, 'precommit');
    return true;
  }
  return false;
}

/** The highest round that f+1 validators have reached, when above ours; else -1. */
function skipTarget(s: CoreState): number {
  const ahead: number[] = [];
  for (const round of s.highestRound.values()) if (round > s.round) ahead.push(round);
  if (ahead.length < s.skip) return -1;
  ahead.sort((a, b) => b - a);
  return Math.min(ahead[s.skip - 1]!, VOTE_ROUND_MAX);
}

function sameValue(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && valueIdOf(a) === valueIdOf(b);
}

function valid(w: Work, p: SignedProposal): boolean {
  const { s } = w;
  const cached = s.validity.get(p.valueId);
  if (cached !== undefined) return cached;
  const ok = s.config.isValid(s.height, proposalValue(p));
  writable(w, 'validity').set(p.valueId, ok);
  return ok;
}

function isProposer(s: CoreState, round: number): boolean {
  return proposerOf(s.validators, s.height, round).id === s.config.self;
}

// ——— actions ———

/** L11–L21 */
function startRound(w: Work, round: number): void {
  const { s } = w;
  s.round = round;
  s.step = 'propose';
  w.dirty = true;
  // Only votes of the current round wait (mayWait): leaving it, verify those still waiting.
  for (const slot of s.unverified.keys()) settle(w, slot);
  // A fresh proposal (no valid value) in a later round of ours takes a fresh value: the one held
  // may be as old as the rounds before it, and validators prevote nil on a value whose batch time
  // has fallen behind their clock (isTimely, L22). The app builds it now (wantValue): the core
  // would use it at once.
  if (isProposer(s, round) && round > 0 && s.validValue === null) s.ownValue = null;
  if (isProposer(s, round) && !propose(w)) w.out.wantValue = s.height;
  // The paper schedules timeoutPropose only on non-proposers; we schedule it for the proposer too
  // (as CometBFT does), so a proposer whose proposal cannot be acted on — e.g. re-sent after a
  // restart without its proof of lock — still moves on. OnTimeoutPropose is a no-op once we prevoted.
  schedule(w, 'propose');
}

/** Sends our proposal for the current round; false when we have no value to propose. */
function propose(w: Work): boolean {
  const { s } = w;
  const noLocking = s.config.unsafeMutationForSimulation === 'no-locking';
  const useValid = !noLocking && s.validValue !== null;
  const value = useValid ? s.validValue : s.ownValue;
  if (value === null) return false;
  const validRound = useValid ? s.validRound : -1;
  const proposal = signProposalGuarded(w, value, validRound);
  if (proposal === null) return false;
  const pol = proposal.validRound >= 0 ? proofOf(s, proposal.validRound, proposal.valueId) : [];
  w.out.messages.push({ kind: 'proposal', proposal, pol });
  onProposal(w, proposal, pol, 'checked');
  return true;
}

function signProposalGuarded(w: Work, value: Uint8Array, validRound: number): SignedProposal | null {
  const { s } = w;
  const r = s.round;
  if (s.ownProposal !== null && s.ownProposal.round === r) return s.ownProposal;
  if (s.lastSigned !== null && r <= s.lastSigned.round) return null;
  const proposal = s.config.signer.proposal(
    { federation: s.config.federation, height: s.height, round: r, validRound, proposer: s.config.self },
    value,
  );
  s.ownProposal = proposal;
  s.ownVotes = recentOwnVotes(s, r);
  s.lastSigned = { round: r, step: 0 };
  w.dirty = true;
  return proposal;
}

function broadcastVote(w: Work, type: VoteType, valueId: string | null): void {
  const { s } = w;
  if (!isValidator(s, s.config.self)) return;
  const vote = signVoteGuarded(w, type, valueId);
  if (vote === null) return;
  w.out.messages.push({ kind: 'vote', vote });
  onVote(w, vote, 'checked');
}

/** Never two different votes for one (height, round, type); never below the last signed round/step. */
function signVoteGuarded(w: Work, type: VoteType, valueId: string | null): SignedVote | null {
  const { s } = w;
  const r = s.round;
  const stepNo = STEP_ORDER[type];
  const mine = s.ownVotes.find((v) => v.round === r && v.type === type);
  if (mine !== undefined) return mine;
  const last = s.lastSigned;
  if (last !== null && (r < last.round || (r === last.round && stepNo <= last.step))) return null;
  const vote = s.config.signer.vote({
    federation: s.config.federation,
    height: s.height,
    round: r,
    type,
    valueId,
    validator: s.config.self,
  });
  s.ownVotes = [...recentOwnVotes(s, r), vote];
  if (s.ownProposal !== null && s.ownProposal.round !== r) s.ownProposal = null;
  s.lastSigned = { round: r, step: stepNo };
  w.dirty = true;
  return vote;
}

/** Our votes that stay persisted once we sign in round r: those of the rounds retransmission repeats. */
function recentOwnVotes(s: CoreState, r: number): SignedVote[] {
  return s.ownVotes.filter((v) => v.round >= r - RESEND_ROUNDS_MAX);
}

function schedule(w: Work, kind: TimerKind): void {
  const { s } = w;
  const t = s.timeouts;
  const base = kind === 'propose' ? t.proposeMs : kind === 'prevote' ? t.prevoteMs : t.precommitMs;
  w.out.timers.push({ kind, height: s.height, round: s.round, delayMs: base + s.round * t.deltaMs });
}

/** L49–L54: the caller appends the value, then starts the next height (with its validators). */
function decide(w: Work, round: number, value: Uint8Array, valueId: string, certificate: SignedVote[]): void {
  const { s } = w;
  s.decided = true;
  w.dirty = true;
  w.out.decisions.push({ height: s.height, round, value, valueId, certificate });
}

// ——— certificates ———

/**
 * A commit certificate is valid when it holds precommits for valueId at one round from at least
 * `quorum` distinct validators of the height, each correctly signed, and valueId hashes the value.
 */
export function certificateValid(
  d: Decision,
  validators: readonly Validator[],
  federation: string,
  quorum: number = quorumSize(validators.length),
  verifier: Verifier = { vote: verifyVote, proposal: verifyProposal },
): boolean {
  if (valueIdOf(d.value) !== d.valueId) return false;
  const ids = new Set(validators.map((v) => v.id));
  const seen = new Set<string>();
  for (const v of d.certificate) {
    if (
      v.federation !== federation ||
      v.height !== d.height ||
      v.round !== d.round ||
      v.type !== 'precommit' ||
      v.valueId !== d.valueId ||
      !ids.has(v.validator) ||
      seen.has(v.validator) ||
      !verifier.vote(v)
    ) {
      continue;
    }
    seen.add(v.validator);
  }
  return seen.size >= quorum;
}

/**
 * Whether a value handed over now (`value-ready`) would be used at once: the height is not
 * active yet (a value starts it), or this root proposes the current round and has not proposed
 * yet. Otherwise it would only wait for a later round of ours, which asks for one then
 * (`wantValue`): building a value is the app's dearest step, so the caller waits for that.
 */
export function wantsValue(s: CoreState): boolean {
  if (s.decided || s.height === 0) return false;
  if (!s.active) return true;
  return s.step === 'propose' && isProposer(s, s.round) && !s.proposals.has(s.round);
}

/**
 * What the gossip layer sends again while the height is undecided: our own signed messages of the
 * current round (proposal with its proof of lock, votes) and of a few rounds before, and the
 * precommits we hold for the round before ours, whoever signed them. The paper assumes every message
 * a correct process sent — or received — eventually reaches every correct process; a lossy link
 * gives that only with retransmission, and a network that does not relay only if we relay. The
 * precommits that moved us into our round are what a peer left in that round needs to leave it too
 * (2f+1 precommits time it out, f+1 validators of a later round let it skip), even when the
 * validators that signed them have gone quiet or moved on to the next height.
 * Re-sending never signs anything new; the set is bounded: one proposal, our votes of
 * RESEND_ROUNDS_MAX + 1 rounds, one precommit per validator.
 */
export function retransmission(s: CoreState): ConsensusMessage[] {
  if (!s.active || s.decided) return [];
  const out: ConsensusMessage[] = [];
  const p = s.ownProposal;
  if (p !== null && p.round === s.round) {
    const pol = p.validRound >= 0 ? proofOf(s, p.validRound, p.valueId) : [];
    out.push({ kind: 'proposal', proposal: p, pol });
  }
  // Votes of a few earlier rounds too: a peer still in round r-1 needs our r-1 votes to time out
  // and follow us (Tendermint's gossip sends a peer the votes of the peer's round).
  for (const v of s.votes.values()) {
    const own = v.validator === s.config.self;
    if (own ? v.round >= s.round - RESEND_ROUNDS_MAX : v.round === s.round - 1 && v.type === 'precommit')
      out.push({ kind: 'vote', vote: v });
  }
  return out;
}
