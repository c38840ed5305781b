// The value the roots agree on at each height (docs/architecture.md "Consensus"): a batch of statements
// plus what it produces — the tree size, root hash and world hash after appending it. Every
// validator re-executes the batch with the governance rules and recomputes the tree before it
// prevotes, so a proposer cannot slip in a statement the rules reject or a wrong root.
//
// Bytes: canonical JSON of the fields below (see ledger/LEDGER.md); valueId = SHA-256 hex.

import { CodedError } from '../base/index.ts';
import { canonicalBytes, decodeCanonical, type Json, toBase64 } from '../codec/index.ts';
import {
  encodeConsensusMessage,
  VALUE_BYTES_MAX,
  VOTE_HEIGHT_MAX,
  VOTE_ROUND_MAX,
} from '../consensus/index.ts';
import { MEMBERS_MAX, parseSignedStatement, type SignedStatement } from '../governance/index.ts';
import { GOSSIP_MESSAGE_BYTES_MAX } from './p2p/constants.ts';

export const VALUE_STATEMENTS_MAX = 256;

// A block proposal travels as one gossip message: the proposal (its fields, signature and the
// value in base64) and its proof of lock (at most one prevote per validator, and validators are
// members). The largest value is what leaves room for the rest; proposalMessageBytesMax()
// builds the largest such message, and the root checks the relation when it starts.

/** One signed prevote in canonical JSON: federation ≤ 64 characters, ≈ 400 bytes in all. */
export const PROPOSAL_VOTE_BYTES_MAX = 512;
/** The proposal's own fields and the message's envelope, besides the value. */
export const PROPOSAL_FIXED_BYTES_MAX = 1024;
export const PROPOSAL_OVERHEAD_BYTES_MAX = PROPOSAL_FIXED_BYTES_MAX + MEMBERS_MAX * PROPOSAL_VOTE_BYTES_MAX;
/** The largest batch value a root proposes or accepts: its base64 and the overhead fit one gossip message. */
export const BATCH_VALUE_BYTES_MAX =
  Math.floor((GOSSIP_MESSAGE_BYTES_MAX - PROPOSAL_OVERHEAD_BYTES_MAX) / 4) * 3;

/**
 * Bytes of the largest proposal message of a federation: a value of BATCH_VALUE_BYTES_MAX, the
 * largest height and rounds, and a proof of lock from MEMBERS_MAX validators.
 */
export function proposalMessageBytesMax(federation: string): number {
  const key = toBase64(new Uint8Array(32));
  const signature = toBase64(new Uint8Array(64));
  const valueId = 'f'.repeat(64);
  const height = VOTE_HEIGHT_MAX;
  const round = VOTE_ROUND_MAX;
  const vote = { federation, height, round: round - 1, type: 'prevote', valueId, validator: key, signature };
  const message = {
    kind: 'proposal',
    proposal: {
      federation,
      height,
      round,
      validRound: round - 1,
      valueId,
      value: toBase64(new Uint8Array(BATCH_VALUE_BYTES_MAX)),
      proposer: key,
      signature,
    },
    pol: Array.from({ length: MEMBERS_MAX }, () => vote),
  };
  return encodeConsensusMessage(message as Parameters<typeof encodeConsensusMessage>[0]).length;
}

/** Bytes of a value besides its statements' own bytes and the commas between them (at most). */
export const VALUE_FIXED_BYTES_MAX = canonicalBytes({
  height: VOTE_HEIGHT_MAX,
  proposer: 'x'.repeat(32),
  rootHash: 'f'.repeat(64),
  size: Number.MAX_SAFE_INTEGER,
  statements: [],
  timeMs: Number.MAX_SAFE_INTEGER,
  worldHash: 'f'.repeat(64),
}).length;

export interface BatchValue {
  height: number;
  timeMs: number;
  /** Member name of the root that proposed it. */
  proposer: string;
  statements: SignedStatement[];
  size: number;
  /** Lowercase hex of the RFC 6962 root after the batch. */
  rootHash: string;
  worldHash: string;
}

export function encodeValue(v: BatchValue): Uint8Array {
  return canonicalBytes(v as unknown as Json);
}

export class ValueError extends CodedError<'BAD_VALUE'> {
  constructor(message: string) {
    super('BAD_VALUE', message);
  }
}

const KEYS = 'height,proposer,rootHash,size,statements,timeMs,worldHash';
const HEX64 = /^[0-9a-f]{64}$/;

/** Strict decode of untrusted value bytes; throws ValueError. */
export function decodeValue(bytes: Uint8Array): BatchValue {
  if (bytes.length > VALUE_BYTES_MAX) throw new ValueError(`value exceeds ${VALUE_BYTES_MAX} bytes`);
  let x: unknown;
  try {
    x = decodeCanonical(bytes, { bytesMax: VALUE_BYTES_MAX, depthMax: 40 });
  } catch (err) {
    throw new ValueError(`value is not canonical JSON: ${(err as Error).message}`);
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x) || Object.keys(x).sort().join(',') !== KEYS) {
    throw new ValueError(`a batch value has exactly ${KEYS}`);
  }
  const o = x as Record<string, unknown>;
  const int = (k: string): number => {
    const n = o[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      throw new ValueError(`${k} must be an integer ≥ 0`);
    return n;
  };
  const hex = (k: string): string => {
    const s = o[k];
    if (typeof s !== 'string' || !HEX64.test(s)) throw new ValueError(`${k} must be 64 lowercase hex`);
    return s;
  };
  if (typeof o.proposer !== 'string' || o.proposer.length === 0 || o.proposer.length > 64) {
    throw new ValueError('proposer must be a member name');
  }
  if (!Array.isArray(o.statements) || o.statements.length > VALUE_STATEMENTS_MAX) {
    throw new ValueError(`a batch holds at most ${VALUE_STATEMENTS_MAX} statements`);
  }
  const statements = o.statements.map((s, i) => {
    try {
      return parseSignedStatement(s);
    } catch (err) {
      throw new ValueError(`statement ${i}: ${(err as Error).message}`);
    }
  });
  return {
    height: int('height'),
    timeMs: int('timeMs'),
    proposer: o.proposer,
    statements,
    size: int('size'),
    rootHash: hex('rootHash'),
    worldHash: hex('worldHash'),
  };
}
