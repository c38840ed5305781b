// What Byzantine roots send besides their own core's messages: the twin of a message (a conflicting
// vote, a second proposal), a forged catch-up answer, and the flood of a flooding root. Everything is
// signed with the Byzantine root's own key, so it looks valid; honest roots must refuse it on content.

import { canonicalBytes, toHex } from '../codec/index.ts';
import {
  type ConsensusMessage,
  type Decision,
  FUTURE_ROUNDS_MAX,
  nodeKeySigner,
  proposerOf,
  type Validator,
  VOTE_ROUND_MAX,
} from '../consensus/index.ts';
import { sha256 } from '../crypto/index.ts';
import { signVote, type VoteType } from '../wire/index.ts';
import { invalidValue, type SimApp } from './app.ts';
import type { Behaviour } from './plan.ts';
import type { Prng } from './prng.ts';

export interface ByzantineRoot {
  index: number;
  id: string;
  secretKey: Uint8Array;
  byz: Behaviour;
  app: SimApp;
}

/** The Byzantine counterpart of one of the root's own messages, sent to part of the peers, or null. */
export function twinOf(
  root: ByzantineRoot,
  m: ConsensusMessage,
  rng: Prng,
  nowMs: number,
): ConsensusMessage | null {
  if (m.kind === 'vote' && root.byz === 'double-voter') {
    const v = m.vote;
    const valueId = v.valueId === null ? junkValueId(rng) : null;
    return { kind: 'vote', vote: signVote({ ...v, valueId }, root.secretKey) };
  }
  if (m.kind === 'proposal' && m.proposal.proposer === root.id) {
    const p = m.proposal;
    const signer = nodeKeySigner(root.secretKey);
    if (root.byz === 'equivocating-proposer') {
      const value =
        root.app.proposeValue(p.height, root.index, nowMs + 1 + rng.int(1000)) ??
        invalidValue(p.height, root.index, nowMs);
      return { kind: 'proposal', proposal: signer.proposal({ ...p }, value), pol: m.pol };
    }
    if (root.byz === 'invalid-values') {
      const value = invalidValue(p.height, root.index, nowMs);
      return { kind: 'proposal', proposal: signer.proposal({ ...p, validRound: -1 }, value), pol: [] };
    }
  }
  return null;
}

/** A Byzantine peer's made-up catch-up answer: its own precommit only, far short of a quorum. */
export function forgedDecision(
  root: ByzantineRoot,
  federation: string,
  height: number,
  nowMs: number,
): Decision {
  const value = invalidValue(height, root.index, nowMs);
  const valueId = toHex(sha256(value));
  const vote = signVote(
    { federation, height, round: 0, type: 'precommit', valueId, validator: root.id },
    root.secretKey,
  );
  return { height, round: 0, value, valueId, certificate: [vote, vote] };
}

function junkValueId(rng: Prng): string {
  return toHex(sha256(canonicalBytes({ junk: rng.u32() })));
}

// ——— flooding ———

/** A flooding root sends a burst this often, for as long as the run lasts (GST does not stop it). */
export const FLOOD_PERIOD_MS = 10;
/** Messages per burst: one freshly signed, the others duplicates of its own or replays of others'. */
export const FLOOD_BURST = 4;
/** Its own flood messages kept for sending again. */
const FLOOD_POOL_MAX = 64;
/** A large value: far above a real batch, above what the simulated app decodes, below the wire bound. */
export const FLOOD_VALUE_BYTES = 256 * 1024;
/** Large proposals kept per height (one per round it proposes). */
const FLOOD_LARGE_MAX = 16;
/** Heights ahead of ours that a flooded vote may name (the core buffers h+1 and asks to catch up beyond). */
const FLOOD_HEIGHTS_AHEAD_MAX = 1000;

const VOTE_TYPES: readonly VoteType[] = ['prevote', 'precommit'];

/**
 * A Byzantine root that floods valid-looking messages signed with its key at a fixed rate: votes
 * for old heights, for rounds far ahead, for heights ahead; large-valued proposals for the rounds it
 * proposes; duplicates of all that; and replays of what others sent it. The rate is its own, not a
 * function of what it receives, as a real sender's bandwidth would be.
 */
export class Flooder {
  readonly #root: ByzantineRoot;
  readonly #federation: string;
  readonly #validators: readonly Validator[];
  readonly #pool: ConsensusMessage[] = [];
  /** One large proposal per height and round, re-sent as is (a proposer signs one per round). */
  #large = new Map<string, ConsensusMessage>();
  #largeHeight = 0;

  constructor(root: ByzantineRoot, federation: string, validators: readonly Validator[]) {
    this.#root = root;
    this.#federation = federation;
    this.#validators = validators;
  }

  /** One burst, at the height and round the flooder's own core is in. */
  burst(rng: Prng, height: number, round: number, seen: readonly ConsensusMessage[]): ConsensusMessage[] {
    const out = [this.#fresh(rng, Math.max(1, height), round)];
    for (let i = 1; i < FLOOD_BURST; i++) {
      out.push(seen.length > 0 && rng.chance(0.5) ? rng.pick(seen) : rng.pick(this.#pool));
    }
    return out;
  }

  #fresh(rng: Prng, height: number, round: number): ConsensusMessage {
    const kind = rng.int(4);
    let m: ConsensusMessage;
    if (kind === 0 && height > 1) {
      m = this.#vote(rng, rng.range(1, height - 1), rng.int(round + 2));
    } else if (kind === 1) {
      // Some within the rounds the core keeps, most far beyond.
      const ahead = rng.chance(0.5)
        ? rng.range(1, FUTURE_ROUNDS_MAX)
        : rng.range(FUTURE_ROUNDS_MAX + 1, VOTE_ROUND_MAX);
      m = this.#vote(rng, height, Math.min(VOTE_ROUND_MAX, round + ahead));
    } else if (kind === 2) {
      m = this.#vote(rng, height + (rng.chance(0.5) ? 1 : rng.range(2, FLOOD_HEIGHTS_AHEAD_MAX)), rng.int(4));
    } else {
      m = this.#largeProposal(height, round);
    }
    if (this.#pool.length < FLOOD_POOL_MAX) this.#pool.push(m);
    else this.#pool[rng.int(FLOOD_POOL_MAX)] = m;
    return m;
  }

  #vote(rng: Prng, height: number, round: number): ConsensusMessage {
    const type = rng.pick(VOTE_TYPES);
    const valueId = rng.chance(0.5) ? null : junkValueId(rng);
    const body = { federation: this.#federation, height, round, type, valueId, validator: this.#root.id };
    return { kind: 'vote', vote: signVote(body, this.#root.secretKey) };
  }

  /** A proposal with a large value for the next round (from ours) that this root proposes. */
  #largeProposal(height: number, round: number): ConsensusMessage {
    let r = round;
    while (proposerOf(this.#validators, height, r).id !== this.#root.id) r++;
    if (height !== this.#largeHeight || this.#large.size >= FLOOD_LARGE_MAX) {
      this.#large = new Map();
      this.#largeHeight = height;
    }
    const key = `${height}/${r}`;
    let m = this.#large.get(key);
    if (m === undefined) {
      const value = canonicalBytes({
        height,
        proposer: this.#root.index,
        timeMs: 0,
        statements: ['x'.repeat(FLOOD_VALUE_BYTES)],
      });
      const proposal = nodeKeySigner(this.#root.secretKey).proposal(
        { federation: this.#federation, height, round: r, validRound: -1, proposer: this.#root.id },
        value,
      );
      m = { kind: 'proposal', proposal, pol: [] };
      this.#large.set(key, m);
    }
    return m;
  }
}
