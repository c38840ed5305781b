// Shared fixtures for consensus tests: four (or n) validators with fixed keys, and signers for
// scripting their messages by hand.
import { canonicalBytes, toBase64 } from '../../src/codec/index.ts';
import {
  type ConsensusMessage,
  type CoreConfig,
  type CoreState,
  initState,
  nodeKeySigner,
  type Output,
  type SignedProposal,
  step,
  type Validator,
  valueIdOf,
} from '../../src/consensus/index.ts';
import { keyPairFromSeed } from '../../src/crypto/index.ts';
import { type SignedVote, signVote, type VoteType } from '../../src/wire/index.ts';

export const FED = 'devnet.witan.test';

export interface Keyed extends Validator {
  secretKey: Uint8Array;
}

export function makeValidators(n: number): Keyed[] {
  const out: Keyed[] = [];
  for (let i = 0; i < n; i++) {
    const seed = new Uint8Array(32).fill(i + 1);
    const kp = keyPairFromSeed(seed);
    out.push({ id: toBase64(kp.publicKey), publicKey: kp.publicKey, secretKey: kp.secretKey });
  }
  return out;
}

export function value(tag: string): Uint8Array {
  return canonicalBytes({ tag });
}

export const INVALID = value('invalid');

export function config(me: Keyed, extra: Partial<CoreConfig> = {}): CoreConfig {
  return {
    federation: FED,
    self: me.id,
    isValid: (_h, v) => valueIdOf(v) !== valueIdOf(INVALID),
    signer: nodeKeySigner(me.secretKey),
    timeouts: { proposeMs: 100, prevoteMs: 50, precommitMs: 50, deltaMs: 10 },
    ...extra,
  };
}

export function vote(
  by: Keyed,
  height: number,
  round: number,
  type: VoteType,
  v: Uint8Array | null,
): ConsensusMessage {
  const valueId = v === null ? null : valueIdOf(v);
  return {
    kind: 'vote',
    vote: signVote({ federation: FED, height, round, type, valueId, validator: by.id }, by.secretKey),
  };
}

export function proposal(
  by: Keyed,
  height: number,
  round: number,
  v: Uint8Array,
  validRound = -1,
  pol: SignedVote[] = [],
): ConsensusMessage {
  const p: SignedProposal = nodeKeySigner(by.secretKey).proposal(
    { federation: FED, height, round, validRound, proposer: by.id },
    v,
  );
  return { kind: 'proposal', proposal: p, pol };
}

/** Runs inputs in order, collecting every output. */
export class Harness {
  state: CoreState;
  outputs: Output[] = [];
  constructor(cfg: CoreConfig) {
    this.state = initState(cfg);
  }
  feed(...inputs: Parameters<typeof step>[1][]): Output {
    let last: Output | undefined;
    for (const input of inputs) {
      last = step(this.state, input);
      this.state = last.state;
      this.outputs.push(last);
    }
    return last!;
  }
  msg(...ms: ConsensusMessage[]): Output {
    return this.feed(...ms.map((msg) => ({ kind: 'message' as const, msg })));
  }
  sentVotes(): SignedVote[] {
    return this.outputs.flatMap((o) => o.messages.flatMap((m) => (m.kind === 'vote' ? [m.vote] : [])));
  }
}
