// The value the roots agree on at each height (docs/architecture.md "Consensus"): a batch of statements
// plus what it produces — the tree size, root hash and world hash after appending it. Every
// validator re-executes the batch with the governance rules and recomputes the tree before it
// prevotes, so a proposer cannot slip in a statement the rules reject or a wrong root.
//
// Bytes: canonical JSON of the fields below (see ledger/LEDGER.md); valueId = SHA-256 hex.

import { CodedError } from '../base/index.ts';
import { canonicalBytes, decodeCanonical, type Json } from '../codec/index.ts';
import { VALUE_BYTES_MAX } from '../consensus/index.ts';
import { parseSignedStatement, type SignedStatement } from '../governance/index.ts';

export const VALUE_STATEMENTS_MAX = 256;

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
