// The simulated roots' keys (derived from their index) and a verifier shared by all roots that
// remembers what it checked: verification is a pure function of the signed message, so caching it
// changes no outcome, only the cost of N roots verifying the same message.

import { canonicalBytes, toBase64 } from '../codec/index.ts';
import { type SignedProposal, type Verifier, verifyProposal } from '../consensus/index.ts';
import { keyPairFromSeed, sha256 } from '../crypto/index.ts';
import { type SignedVote, verifyVote } from '../wire/index.ts';

export interface SimKeys {
  id: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const keyCache = new Map<number, SimKeys>();

export function keysOf(i: number): SimKeys {
  let k = keyCache.get(i);
  if (k === undefined) {
    const seed = sha256(canonicalBytes({ sim: 'witan', node: i }));
    const kp = keyPairFromSeed(seed);
    k = { id: toBase64(kp.publicKey), publicKey: kp.publicKey, secretKey: kp.secretKey };
    keyCache.set(i, k);
  }
  return k;
}

/** Verdicts remembered by content, across runs; cleared whole when full. */
const MEMO_MAX = 200_000;
/** Proposals with a longer (base64) value are remembered by object only: their content is too large a key. */
const MEMO_VALUE_CHARS_MAX = 4096;

const memo = new Map<string, boolean>();
/** Verdicts per message object: a simulated message is one immutable object delivered to every peer. */
const byObject = new WeakMap<object, boolean>();

function memoised(message: object, key: string | null, check: () => boolean): boolean {
  const seen = byObject.get(message);
  if (seen !== undefined) return seen;
  let ok = key === null ? undefined : memo.get(key);
  if (ok === undefined) {
    ok = check();
    if (key !== null) {
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(key, ok);
    }
  }
  byObject.set(message, ok);
  return ok;
}

export const memoVerifier: Verifier = {
  vote: (v: SignedVote) =>
    memoised(
      v,
      `v|${v.signature}|${v.federation}|${v.height}|${v.round}|${v.type}|${v.valueId}|${v.validator}`,
      () => verifyVote(v),
    ),
  proposal: (p: SignedProposal) =>
    memoised(
      p,
      p.value.length > MEMO_VALUE_CHARS_MAX
        ? null
        : `p|${p.signature}|${p.federation}|${p.height}|${p.round}|${p.validRound}|${p.valueId}|${p.proposer}|${p.value}`,
      () => verifyProposal(p),
    ),
};
