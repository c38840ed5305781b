// Federation key (src/frost):
// 1. DKG time for 4, 7, 16 and 31 members, threshold = the BFT quorum floor(2n/3) + 1. Every
//    member's three rounds run one after the other in this process, so the total is the CPU
//    of the whole federation; a member's own share is total / n (members run in parallel, and
//    the network adds two message delays). Baseline: a trusted dealer making the same shares
//    (noble's trustedDealer), which is what the distribution costs on top. A process checks
//    each point once (src/frost/suite.ts): the memo is emptied before each member's round, so
//    that no member profits from points another member read (a root also keeps what it read in
//    round 2 for round 3: the figure is an upper bound).
// 2. One threshold signature with nonce commitments prepared ahead, 7 and 31 members: one
//    signer's share (the signers work in parallel) and the coordinator's aggregateSignature
//    (src/frost: the shares summed, the sum checked against the group key by noble, RFC 9591
//    §5.3, and once more by src/crypto verifySignature), against one node:crypto Ed25519
//    signature. That is all the federation's coordinator (src/node/federation/signer.ts) does
//    when every signer is honest: it checks the shares one by one (verifyShare, §5.4) only
//    when the sum does not verify, so that a wrong one names its signer and is never used.
//    Each member is measured as its own process: a process checks each point once and
//    remembers it (src/frost/suite.ts), so before each share the memo is emptied and given back
//    only what that member's root would hold — the group key, read in earlier signatures, and
//    its own nonce commitments. The coordinator is measured as one of the signers (the
//    federation's coordinator signs too when it can: every point of the request was read for
//    its own share) and as no signer.

import { loadavg } from 'node:os';
import { ed25519_FROST } from '@noble/curves/ed25519.js';
import { quorumSize } from '../src/base/index.ts';
import { fromHex, utf8Bytes } from '../src/codec/index.ts';
import { keyPairFromSeed, sign } from '../src/crypto/index.ts';
import {
  aggregateSignature,
  CommitmentPool,
  type DkgConfig,
  DkgParticipant,
  type GroupKey,
  identifierOf,
  type KeyShare,
  NonceBook,
  type NonceCommitment,
} from '../src/frost/index.ts';
import { checkedPoints, FROST, rememberNonceCommitments } from '../src/frost/suite.ts';
import { type BenchResult, type Figure, ratioFigure } from './lib/harness.ts';
import type { BenchOptions } from './run.ts';

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `member-${i + 1}.example`);
}

function dkg(n: number): { ms: number; group: GroupKey; shares: KeyShare[] } {
  const config: DkgConfig = { sessionId: '5e'.repeat(32), participants: names(n), threshold: quorumSize(n) };
  const start = performance.now();
  const participants = config.participants.map((p) => new DkgParticipant(config, p));
  const broadcasts = participants.map((p) => p.broadcast);
  const sealed = participants.flatMap((p) => {
    checkedPoints.forget();
    return p.round2(broadcasts);
  });
  const results = participants.map((p) => {
    checkedPoints.forget();
    return p.round3(sealed.filter((s) => s.to === p.self));
  });
  return { ms: performance.now() - start, group: results[0]!.group, shares: results.map((r) => r.share) };
}

function dealerMs(n: number): number {
  const ids = names(n).map(identifierOf);
  const start = performance.now();
  ed25519_FROST.trustedDealer({ min: quorumSize(n), max: n }, ids);
  return performance.now() - start;
}

/**
 * The point memo as a member's own process holds it: the group key (the root verified the
 * federation's signatures before) and, for a signer, its own nonce commitments.
 */
function asOwnProcess(
  group: GroupKey,
  seen: { signature: Uint8Array; message: Uint8Array },
  own?: NonceCommitment,
) {
  checkedPoints.forget();
  FROST.verify(seen.signature, seen.message, fromHex(group.publicKey));
  if (own !== undefined)
    rememberNonceCommitments({ hiding: fromHex(own.hiding), binding: fromHex(own.binding) });
}

/**
 * One threshold signature by the first `threshold` members, nonces prepared beforehand, each
 * member as its own process (asOwnProcess): the mean time of one signer's share (members sign
 * in parallel) and of aggregateSignature (the sum and its two checks), which is what the
 * federation's coordinator runs, as one of the signers and as no signer. The first round only
 * warms up.
 */
function signingMs(
  group: GroupKey,
  shares: KeyShare[],
  rounds: number,
): { shareMs: number; aggregateMs: number; aggregateAloneMs: number } {
  const signers = shares.slice(0, group.threshold).map((s) => new NonceBook(s, group));
  const pool = new CommitmentPool(group);
  for (const b of signers) pool.add(b.prepare(rounds + 1));
  let shareMs = 0;
  let aggregateMs = 0;
  let aggregateAloneMs = 0;
  let seen: { signature: Uint8Array; message: Uint8Array } | undefined;
  for (let r = -1; r < rounds; r++) {
    const message = utf8Bytes(`example.org/witan\n${r}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`);
    const request = pool.take(
      signers.map((b) => b.share.participant),
      message,
    );
    let share = 0;
    const answers = signers.map((b) => {
      if (seen !== undefined) {
        asOwnProcess(
          group,
          seen,
          request.commitments.find((c) => c.participant === b.share.participant),
        );
      }
      const start = performance.now();
      const answer = b.signShare(request);
      share += performance.now() - start;
      return answer;
    });
    // The last signer coordinates: its memo holds every point of the request.
    let start = performance.now();
    const signature = aggregateSignature(group, request, answers);
    const aggregate = performance.now() - start;
    if (seen !== undefined) asOwnProcess(group, seen);
    start = performance.now();
    aggregateSignature(group, request, answers);
    const alone = performance.now() - start;
    if (r >= 0) {
      shareMs += share / signers.length;
      aggregateMs += aggregate;
      aggregateAloneMs += alone;
    }
    seen = { signature, message };
  }
  return {
    shareMs: shareMs / rounds,
    aggregateMs: aggregateMs / rounds,
    aggregateAloneMs: aggregateAloneMs / rounds,
  };
}

function ed25519SignMs(): number {
  const { secretKey } = keyPairFromSeed(new Uint8Array(32).fill(3));
  const message = utf8Bytes('example.org/witan\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  const count = 2000;
  const start = performance.now();
  for (let i = 0; i < count; i++) sign(secretKey, message);
  return (performance.now() - start) / count;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  const sizes = options.quick ? [4, 7] : [4, 7, 16, 31];
  const figures: Figure[] = [];
  const notes: string[] = [];
  const keys = new Map<number, { group: GroupKey; shares: KeyShare[] }>();
  for (const n of sizes) {
    const baseline = dealerMs(n);
    const { ms, group, shares } = dkg(n);
    keys.set(n, { group, shares });
    const t = quorumSize(n);
    figures.push(
      ratioFigure(
        `DKG ${t}-of-${n}, whole federation, one process`,
        ms,
        'ms',
        `trusted dealer, ${t}-of-${n}`,
        baseline,
      ),
    );
    notes.push(
      `DKG ${t}-of-${n}: ${(ms / 1000).toFixed(1)} s of CPU in all, ≈ ${(ms / n / 1000).toFixed(2)} s per member`,
    );
  }
  const edMs = ed25519SignMs();
  for (const n of options.quick ? [7] : [7, 31]) {
    const key = keys.get(n);
    if (key === undefined) continue;
    const { shareMs, aggregateMs, aggregateAloneMs } = signingMs(
      key.group,
      key.shares,
      options.quick ? 3 : 10,
    );
    const label = `${key.group.threshold}-of-${n}`;
    const baseline = 'one node:crypto Ed25519 signature';
    figures.push(
      ratioFigure(`threshold signature ${label}: one signer's share`, shareMs, 'ms', baseline, edMs),
    );
    figures.push(
      ratioFigure(
        `threshold signature ${label}: aggregation + check, by one of the signers`,
        aggregateMs,
        'ms',
        baseline,
        edMs,
      ),
    );
    figures.push(
      ratioFigure(
        `threshold signature ${label}: aggregation + check, by no signer`,
        aggregateAloneMs,
        'ms',
        baseline,
        edMs,
      ),
    );
    figures.push(
      ratioFigure(
        `threshold signature ${label}: latency after commit (share + aggregation)`,
        shareMs + aggregateMs,
        'ms',
        baseline,
        edMs,
      ),
    );
  }
  notes.push(
    'threshold = floor(2n/3) + 1; all members run in this one process, one after the other (wall-clock time); ratio = ours / baseline (lower is better); the dealer baseline is one run, so its ratio is rough',
    `1-minute load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end, while other work may share the cores: the times are upper bounds`,
    "signers work in parallel, so the latency after a commit is one share, one network round trip (not measured here) and aggregateSignature by one of the signers (measured: the sum, noble's check of it and a strict Ed25519 check), which is what the coordinator runs (src/node/federation/signer.ts); the shares are checked one by one only when the sum does not verify, and a wrong one then names its signer and is never used",
    "each member is measured as its own process: a process checks each point once (src/frost/suite.ts), so the memo is emptied before each member's DKG round, and before each share it holds only the group key and the signer's own nonce commitments; a coordinator that signed a share has read every point of the request, one that did not has read only the group key",
  );
  return { id: 'frost', title: 'Federation key: FROST DKG and threshold signatures', figures, notes };
}
