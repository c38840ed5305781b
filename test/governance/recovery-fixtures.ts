// Fixtures for recovery (charter §20): a policy with outside witnesses, a ledger with a batch
// and its tree, and a recovery signed by whoever a test says.

import { toBase64, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { type KeyPair, keyPairFromSeed, sha256 } from '../../src/crypto/index.ts';
import {
  DEFAULT_POLICY,
  encodeEntry,
  type GovernanceState,
  type Policy,
  type Recovery,
  type SignedGenesis,
  type SignedRecovery,
  signRecovery,
} from '../../src/governance/index.ts';
import { CompactRange, leafHash } from '../../src/ledger/index.ts';
import { DAY_MS, FEDERATION, keysFor, type TestLedger } from './fixtures.ts';

export const WITNESS_NAMES = ['w1.example.org', 'w2.example.org', 'w3.example.org'];

export function witnessKey(name: string): KeyPair {
  return keyPairFromSeed(sha256(utf8Bytes(`witan-test/witness/${name}`)));
}

/** The default policy with three witnesses, two of whom make a quorum. */
export const WITNESSED_POLICY: Policy = {
  ...structuredClone(DEFAULT_POLICY),
  recovery: {
    silenceMs: 30 * DAY_MS,
    timeLockMs: 7 * DAY_MS,
    witnesses: WITNESS_NAMES.map((name) => ({ name, key: toBase64(witnessKey(name).publicKey) })),
    witnessQuorum: 2,
  },
};

export const SILENCE_MS = WITNESSED_POLICY.recovery!.silenceMs;
export const TIME_LOCK_MS = WITNESSED_POLICY.recovery!.timeLockMs;

/** The ledger's size and root hash, computed from its entries (genesis first). */
export function ledgerHead(
  genesis: SignedGenesis,
  entries: readonly Uint8Array[],
): { size: number; rootHash: string } {
  const tree = new CompactRange();
  tree.append(leafHash(encodeEntry({ kind: 'genesis', genesis })));
  for (const e of entries) tree.append(leafHash(e));
  return { size: tree.size, rootHash: toHex(tree.root()) };
}

/** The recovery a test ledger's members would sign now: the base is its head. */
export function recoveryOf(ledger: TestLedger, remove: string[], timeMs: number): Recovery {
  const head = ledgerHead(ledger.genesis, ledger.entries);
  return {
    federation: FEDERATION,
    height: ledger.state.height + 1,
    timeMs,
    base: { ...head, worldHash: ledger.state.worldHash },
    remove: [...remove].sort(),
  };
}

/** Signed by `members` (default: every voting member it keeps) and `witnesses` (default: the first two). */
export function signed(
  state: GovernanceState,
  recovery: Recovery,
  options: { members?: string[]; witnesses?: string[] } = {},
): SignedRecovery {
  const kept = state.world.members
    .filter((m) => m.status === 'voting' && !recovery.remove.includes(m.name))
    .map((m) => m.name);
  const members = (options.members ?? kept).slice().sort();
  const witnesses = (options.witnesses ?? WITNESS_NAMES.slice(0, 2)).slice().sort();
  return {
    recovery,
    members: members.map((member) => ({
      member,
      signature: signRecovery(recovery, keysFor(member).gov.secretKey),
    })),
    witnesses: witnesses.map((witness) => ({
      witness,
      signature: signRecovery(recovery, witnessKey(witness).secretKey),
    })),
  };
}
