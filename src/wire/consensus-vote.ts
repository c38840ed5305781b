// Signed consensus votes (prevotes and precommits): a wire format below both modules that
// need the exact same bytes — the consensus state machine signs and counts them, and the
// governance rules verify two conflicting ones as evidence of equivocation.
//
// Signed bytes: signingBytes('witan/v1/consensus/vote', body) — see ledger/LEDGER.md.
// A vote for "nil" (no value this round) has valueId null.

import { Lru } from '../base/index.ts';
import { canonicalBytes, fromBase64, type Json, signingBytes, toBase64, utf8Bytes } from '../codec/index.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, sign, verifySignature } from '../crypto/index.ts';
import { WireError } from './errors.ts';

export const CONSENSUS_VOTE_DOMAIN = 'witan/v1/consensus/vote';
/** Heights and rounds are bounded so that every field stays a safe integer on every platform. */
export const VOTE_HEIGHT_MAX = 2 ** 48;
export const VOTE_ROUND_MAX = 2 ** 20;
export const FEDERATION_CHARS_MAX = 128;
/**
 * Validator keys remembered decoded by their base64 (a root verifies every peer's votes): far
 * above any federation's validators; the least recently used is dropped when full.
 */
const VALIDATOR_KEYS_MAX = 1024;

export type VoteType = 'prevote' | 'precommit';

export interface VoteBody {
  federation: string;
  height: number;
  round: number;
  type: VoteType;
  /** Lowercase hex SHA-256 of the block proposal's value bytes, or null for nil. */
  valueId: string | null;
  /** The validator's node key, base64 (32 bytes). */
  validator: string;
}

export interface SignedVote extends VoteBody {
  /** Ed25519 signature by the node key over the vote's signing bytes, base64 (64 bytes). */
  signature: string;
}

function bodyOf(v: VoteBody): VoteBody {
  return {
    federation: v.federation,
    height: v.height,
    round: v.round,
    type: v.type,
    valueId: v.valueId,
    validator: v.validator,
  };
}

const VOTE_SIGNING_PREFIX = `${CONSENSUS_VOTE_DOMAIN}\n`;

export function voteSigningBytes(v: VoteBody): Uint8Array {
  // Every root builds these for every vote it verifies: a well-typed body's canonical JSON is
  // written out directly (its keys in RFC 8785 order, strings escaped by JSON.stringify as the
  // generic encoder does; test/wire/consensus-vote.test.ts checks the two agree). Anything else
  // takes the generic encoder, which refuses it as before.
  if (
    typeof v.federation === 'string' &&
    Number.isSafeInteger(v.height) &&
    Number.isSafeInteger(v.round) &&
    typeof v.type === 'string' &&
    typeof v.validator === 'string' &&
    (v.valueId === null || typeof v.valueId === 'string')
  ) {
    const valueId = v.valueId === null ? 'null' : JSON.stringify(v.valueId);
    return utf8Bytes(
      `${VOTE_SIGNING_PREFIX}{"federation":${JSON.stringify(v.federation)},"height":${v.height},"round":${v.round},"type":${JSON.stringify(v.type)},"validator":${JSON.stringify(v.validator)},"valueId":${valueId}}`,
    );
  }
  return signingBytes(CONSENSUS_VOTE_DOMAIN, bodyOf(v) as unknown as Json);
}

export function signVote(body: VoteBody, nodeSecretKey: Uint8Array): SignedVote {
  checkVoteBody(body);
  return { ...bodyOf(body), signature: toBase64(sign(nodeSecretKey, voteSigningBytes(body))) };
}

/** True when the signature is the validator's over exactly this body. Never throws. */
export function verifyVote(v: SignedVote): boolean {
  try {
    const key = checkVoteBody(v);
    const sig = fromBase64(v.signature, SIGNATURE_BYTES);
    return verifySignature(key, voteSigningBytes(v), sig);
  } catch {
    return false;
  }
}

/** Checks the shape of an untrusted object and returns it as a SignedVote, or throws WireError BAD_VOTE. */
export function parseSignedVote(x: unknown): SignedVote {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad('a vote is an object');
  const keys = Object.keys(x).sort().join(',');
  if (keys !== 'federation,height,round,signature,type,validator,valueId') {
    throw bad(
      `a vote has exactly federation, height, round, type, valueId, validator, signature; got ${keys}`,
    );
  }
  const v = x as SignedVote;
  checkVoteBody(v);
  checkBase64(v.signature, SIGNATURE_BYTES, 'signature');
  return v;
}

/** Same validator, height, round and type, different values: proof of equivocation. */
export function votesConflict(a: VoteBody, b: VoteBody): boolean {
  return (
    a.federation === b.federation &&
    a.validator === b.validator &&
    a.height === b.height &&
    a.round === b.round &&
    a.type === b.type &&
    a.valueId !== b.valueId
  );
}

export function voteBytes(v: SignedVote): Uint8Array {
  return canonicalBytes(v as unknown as Json);
}

/**
 * What is wrong with the federation, height and round that every consensus message (vote or
 * block proposal) carries, or null: one set of bounds for both.
 */
export function consensusPositionProblem(m: {
  federation: unknown;
  height: unknown;
  round: unknown;
}): string | null {
  if (
    typeof m.federation !== 'string' ||
    m.federation.length === 0 ||
    m.federation.length > FEDERATION_CHARS_MAX
  )
    return `federation must be 1..${FEDERATION_CHARS_MAX} characters`;
  if (!Number.isSafeInteger(m.height) || (m.height as number) < 1 || (m.height as number) > VOTE_HEIGHT_MAX)
    return `height must be an integer in 1..${VOTE_HEIGHT_MAX}`;
  if (!Number.isSafeInteger(m.round) || (m.round as number) < 0 || (m.round as number) > VOTE_ROUND_MAX)
    return `round must be an integer in 0..${VOTE_ROUND_MAX}`;
  return null;
}

/** Throws BAD_VOTE unless the body is well-formed; returns the validator's key, decoded. */
function checkVoteBody(v: VoteBody): Uint8Array {
  const problem = consensusPositionProblem(v);
  if (problem !== null) throw bad(problem);
  if (v.type !== 'prevote' && v.type !== 'precommit') throw bad('type must be prevote or precommit');
  if (v.valueId !== null) {
    if (typeof v.valueId !== 'string' || !/^[0-9a-f]{64}$/.test(v.valueId))
      throw bad('valueId must be 64 lowercase hex or null');
  }
  try {
    return validatorKey(v.validator);
  } catch {
    throw bad(`validator (a node key) must be the canonical base64 of ${PUBLIC_KEY_BYTES} bytes`);
  }
}

const validatorKeys = new Lru<string, Uint8Array>(VALIDATOR_KEYS_MAX);

/** The validator's key decoded (strictly, by fromBase64), once per distinct key. Never mutated. */
function validatorKey(validator: string): Uint8Array {
  let key = validatorKeys.get(validator);
  if (key === undefined) {
    key = fromBase64(validator, PUBLIC_KEY_BYTES);
    validatorKeys.set(validator, key);
  }
  return key;
}

function checkBase64(value: unknown, bytes: number, what: string): void {
  try {
    if (typeof value !== 'string') throw new TypeError();
    fromBase64(value, bytes);
  } catch {
    throw bad(`${what} must be the canonical base64 of ${bytes} bytes`);
  }
}

function bad(message: string): WireError {
  return new WireError('BAD_VOTE', `consensus vote: ${message}`);
}
