// Signed block proposals: <PROPOSAL, h, r, v, vr> of Algorithm 1 in "The latest gossip on BFT
// consensus" (Buchman, Kwon, Milosevic 2018), signed by the round's proposer with its node key.
//
// Signed bytes: signingBytes('witan/v1/consensus/proposal', body) where body is
// { federation, height, round, validRound, valueId, value, proposer }: value is the base64 value
// bytes, valueId the lowercase hex SHA-256 of those bytes, validRound -1 or a round < round.

import { CodecError, fromBase64, type Json, signingBytes, toBase64, toHex } from '../codec/index.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sha256, sign, verifySignature } from '../crypto/index.ts';
import { consensusPositionProblem } from '../wire/index.ts';
import { VALUE_BYTES_MAX } from './constants.ts';

export const CONSENSUS_PROPOSAL_DOMAIN = 'witan/v1/consensus/proposal';

export interface ProposalBody {
  federation: string;
  height: number;
  round: number;
  /** -1, or the round in which a quorum prevoted this value (the proposer's validRound). */
  validRound: number;
  valueId: string;
  /** The value bytes, base64. */
  value: string;
  /** The proposer's node key, base64 (32 bytes). */
  proposer: string;
}

export interface SignedProposal extends ProposalBody {
  signature: string;
}

const KEYS = 'federation,height,proposer,round,signature,validRound,value,valueId';

function bodyOf(p: ProposalBody): ProposalBody {
  return {
    federation: p.federation,
    height: p.height,
    round: p.round,
    validRound: p.validRound,
    valueId: p.valueId,
    value: p.value,
    proposer: p.proposer,
  };
}

/** Lowercase hex SHA-256 of a value: the id prevotes and precommits name. */
export function valueIdOf(value: Uint8Array): string {
  return toHex(sha256(value));
}

export function proposalSigningBytes(p: ProposalBody): Uint8Array {
  return signingBytes(CONSENSUS_PROPOSAL_DOMAIN, bodyOf(p) as unknown as Json);
}

/** Builds and signs a proposal for value bytes. */
export function signProposal(
  fields: { federation: string; height: number; round: number; validRound: number; proposer: string },
  value: Uint8Array,
  nodeSecretKey: Uint8Array,
): SignedProposal {
  const body: ProposalBody = { ...fields, valueId: valueIdOf(value), value: toBase64(value) };
  checkProposalBody(body);
  return { ...bodyOf(body), signature: toBase64(sign(nodeSecretKey, proposalSigningBytes(body))) };
}

/** True when the signature is the proposer's and the value id matches the value. Never throws. */
export function verifyProposal(p: SignedProposal): boolean {
  try {
    checkProposalBody(p);
    if (valueIdOf(proposalValue(p)) !== p.valueId) return false;
    const sig = fromBase64(p.signature, SIGNATURE_BYTES);
    return verifySignature(fromBase64(p.proposer, PUBLIC_KEY_BYTES), proposalSigningBytes(p), sig);
  } catch {
    return false;
  }
}

/** Checks the shape of an untrusted object and returns it as a SignedProposal, or throws CodecError. */
export function parseSignedProposal(x: unknown): SignedProposal {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad('a proposal is an object');
  const keys = Object.keys(x).sort().join(',');
  if (keys !== KEYS) throw bad(`a proposal has exactly ${KEYS}; got ${keys}`);
  const p = x as SignedProposal;
  checkProposalBody(p);
  if (typeof p.signature !== 'string') throw bad('signature must be base64');
  fromBase64(p.signature, SIGNATURE_BYTES);
  return p;
}

// Proposals are immutable once built or parsed; their values are large (a whole batch), so the
// base64 decoding is done once per proposal object.
const decodedValues = new WeakMap<SignedProposal, Uint8Array>();

/** The value bytes of a (checked) proposal. */
export function proposalValue(p: SignedProposal): Uint8Array {
  let v = decodedValues.get(p);
  if (v === undefined) {
    v = fromBase64(p.value);
    decodedValues.set(p, v);
  }
  return v;
}

function checkProposalBody(p: ProposalBody): void {
  const problem = consensusPositionProblem(p);
  if (problem !== null) throw bad(problem);
  if (!Number.isSafeInteger(p.validRound) || p.validRound < -1 || p.validRound >= p.round) {
    throw bad('validRound must be -1 or a round below round');
  }
  if (typeof p.valueId !== 'string' || !/^[0-9a-f]{64}$/.test(p.valueId)) throw bad('valueId must be 64 hex');
  if (typeof p.value !== 'string' || p.value.length > Math.ceil(VALUE_BYTES_MAX / 3) * 4) {
    throw bad(`value must be base64 of at most ${VALUE_BYTES_MAX} bytes`);
  }
  fromBase64(p.value);
  if (typeof p.proposer !== 'string') throw bad('proposer must be a base64 public key');
  fromBase64(p.proposer, PUBLIC_KEY_BYTES);
}

function bad(message: string): CodecError {
  return new CodecError('UNSUPPORTED_VALUE', message);
}
