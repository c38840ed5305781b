import { fromHex } from '../../src/codec/index.ts';
import {
  aggregateSignature,
  CommitmentPool,
  type DkgConfig,
  DkgParticipant,
  FrostError,
  type FrostErrorCode,
  type GroupKey,
  type KeyShare,
  NonceBook,
  type Round1Broadcast,
  type SealedShare,
} from '../../src/frost/index.ts';
import { nodeVerifies as plainVerifies } from '../crypto/plain-ed25519.ts';

export const SESSION = 'aa'.repeat(32);

export function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `member-${i + 1}.example`);
}

export type Ceremony = {
  config: DkgConfig;
  participants: DkgParticipant[];
  broadcasts: Round1Broadcast[];
  sealed: SealedShare[];
};

/** Rounds 1 and 2 for every participant. */
export function startCeremony(n: number, threshold: number): Ceremony {
  const config = { sessionId: SESSION, participants: names(n), threshold };
  const participants = config.participants.map((p) => new DkgParticipant(config, p));
  const broadcasts = participants.map((p) => p.broadcast);
  const sealed = participants.flatMap((p) => p.round2(broadcasts));
  return { config, participants, broadcasts, sealed };
}

export function sealedTo(c: Ceremony, name: string): SealedShare[] {
  return c.sealed.filter((s) => s.to === name);
}

/** A full DKG: every participant's share and the (common) group key. */
export function runDkg(
  n: number,
  threshold: number,
): { group: GroupKey; shares: KeyShare[]; ceremony: Ceremony } {
  const ceremony = startCeremony(n, threshold);
  const results = ceremony.participants.map((p) => p.round3(sealedTo(ceremony, p.self)));
  return { group: results[0]!.group, shares: results.map((r) => r.share), ceremony };
}

/** Signs message with every share given (at least the threshold), through a commitment pool. */
export function thresholdSign(group: GroupKey, shares: KeyShare[], message: Uint8Array): Uint8Array {
  const books = shares.map((s) => new NonceBook(s, group));
  const pool = new CommitmentPool(group);
  for (const b of books) pool.add(b.prepare(1));
  const request = pool.take(
    books.map((b) => b.share.participant),
    message,
  );
  return aggregateSignature(
    group,
    request,
    books.map((b) => b.signShare(request)),
  );
}

/** Plain node:crypto Ed25519 verification of a group key given in hex, nothing of ours in the way. */
export function nodeVerifies(publicKeyHex: string, message: Uint8Array, signature: Uint8Array): boolean {
  return plainVerifies(fromHex(publicKeyHex), message, signature);
}

export function frostCode(fn: () => unknown): {
  code: FrostErrorCode | 'accepted';
  participant?: string | undefined;
} {
  try {
    fn();
  } catch (error) {
    if (error instanceof FrostError) return { code: error.code, participant: error.participant };
    throw error;
  }
  return { code: 'accepted' };
}
