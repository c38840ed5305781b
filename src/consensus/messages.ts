// Wire messages of the consensus core: a block proposal (with the prevotes that justify its
// validRound, so a node that missed them can still apply line 28 of Algorithm 1) or a vote.
// Encoded as canonical JSON (src/codec), decoded with a size and depth bound.

import { CodedError } from '../base/index.ts';
import { canonicalBytes, decodeCanonical, type Json } from '../codec/index.ts';
import { parseSignedVote, type SignedVote } from '../wire/index.ts';
import { MESSAGE_BYTES_MAX, VALIDATORS_MAX } from './constants.ts';
import { ConsensusError } from './errors.ts';
import { parseSignedProposal, type SignedProposal } from './proposal.ts';

export type ConsensusMessage =
  | { kind: 'proposal'; proposal: SignedProposal; pol: SignedVote[] }
  | { kind: 'vote'; vote: SignedVote };

export function encodeConsensusMessage(m: ConsensusMessage): Uint8Array {
  return canonicalBytes(m as unknown as Json);
}

/** Decodes untrusted bytes into a message with checked shapes (signatures are NOT verified here). */
export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  try {
    const x = decodeCanonical(bytes, { bytesMax: MESSAGE_BYTES_MAX, depthMax: 8 });
    return parseConsensusMessage(x);
  } catch (e) {
    if (e instanceof ConsensusError) throw e;
    const why = e instanceof CodedError ? e.message : String(e);
    throw new ConsensusError('BAD_MESSAGE', `consensus message refused: ${why}`);
  }
}

export function parseConsensusMessage(x: unknown): ConsensusMessage {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new ConsensusError('BAD_MESSAGE', 'a consensus message is an object');
  }
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (o.kind === 'vote' && keys === 'kind,vote') return { kind: 'vote', vote: parseSignedVote(o.vote) };
  if (o.kind === 'proposal' && keys === 'kind,pol,proposal') {
    if (!Array.isArray(o.pol) || o.pol.length > VALIDATORS_MAX) {
      throw new ConsensusError('BAD_MESSAGE', `pol must be an array of at most ${VALIDATORS_MAX} votes`);
    }
    const proposal = parseSignedProposal(o.proposal);
    const pol = o.pol.map(parseSignedVote);
    for (const v of pol) {
      if (v.type !== 'prevote' || v.height !== proposal.height || v.round !== proposal.validRound) {
        throw new ConsensusError('BAD_MESSAGE', 'pol holds only prevotes of the proposal validRound');
      }
    }
    return { kind: 'proposal', proposal, pol };
  }
  throw new ConsensusError('BAD_MESSAGE', `unknown consensus message with keys ${keys}`);
}

/** Height, round and sender of a message, for routing and bounds. */
export function messageInfo(m: ConsensusMessage): { height: number; round: number; sender: string } {
  if (m.kind === 'vote') return { height: m.vote.height, round: m.vote.round, sender: m.vote.validator };
  return { height: m.proposal.height, round: m.proposal.round, sender: m.proposal.proposer };
}
