// The world an overlay peer trusts, and the three refusals no verification can spare it
// (ledger/LEDGER.md §5.2, docs/overlay-client.md "The world"):
//
// - STALE: the freshest quorum of cosignatures is older than the world's checkpointFreshnessMs
//   by the peer's own clock (roots re-cosign every few seconds, so an old one means the roots
//   shown to us are cut off, or someone replays old answers);
// - ROLLBACK: a version older than one the peer already verified (a root that is behind, or one
//   replaying an old chain to put back a removed root);
// - FORK: a different world of a version the peer already verified. Both verify, so a quorum
//   signed both: that is evidence, and the peer keeps what it had.
//
// Pure: the answer, the trusted world and the clock come in as arguments. The chain is walked
// by governance's verifyWorldChain; how its codes become these errors is here.

import { fromBase64 } from '../codec/index.ts';
import { PUBLIC_KEY_BYTES } from '../crypto/index.ts';
import {
  type ChainHead,
  parseWorld,
  type SignedGenesis,
  verifyWorldChain,
  type World,
  type WorldStep,
  worldHash,
} from '../governance/index.ts';
import { WorldError, type WorldId } from './errors.ts';

/** A world the client accepted, and when a quorum last vouched for it. */
export type VerifiedWorld = {
  world: World;
  worldHash: string;
  /** When a quorum of the world's validators had last cosigned it (ms since the epoch). */
  freshAtMs: number;
};

/** GET /world/chain[?since=v], as LEDGER.md §5.2 defines it (the genesis field is not used). */
export type ChainAnswer = { steps: WorldStep[]; head: ChainHead | null };

const idOf = (w: VerifiedWorld): WorldId => ({ version: w.world.version, hash: w.worldHash });

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isProof(x: unknown): boolean {
  return (
    isObject(x) &&
    typeof x.checkpointNote === 'string' &&
    Array.isArray(x.inclusionProof) &&
    x.inclusionProof.every((h) => typeof h === 'string') &&
    Number.isSafeInteger(x.entryIndex) &&
    Number.isSafeInteger(x.treeSize)
  );
}

/** The shape of a chain answer, before any of it is believed; throws WORLD_BAD_ANSWER. */
export function parseChainAnswer(x: unknown, root: string): ChainAnswer {
  const bad = (why: string) =>
    new WorldError('WORLD_BAD_ANSWER', `${root} answered /world/chain with ${why}; ask another root`, {
      root,
    });
  if (!isObject(x) || !Array.isArray(x.steps)) throw bad('no list of steps');
  for (const s of x.steps) {
    if (!isObject(s) || !isObject(s.world) || !Array.isArray(s.causes) || !isProof(s.proof))
      throw bad('a step that is not {world, causes, proof}');
    if (!s.causes.every((c) => typeof c === 'string')) throw bad('causes that are not statement ids');
  }
  if (x.head !== null && x.head !== undefined && !isProof(x.head)) throw bad('a head that is not a proof');
  return { steps: x.steps as WorldStep[], head: (x.head ?? null) as ChainHead | null };
}

/** The version and hash a step claims, for naming it in an error (undefined if it does not parse). */
function claimedId(step: WorldStep | undefined): WorldId | undefined {
  if (step === undefined) return undefined;
  try {
    const w = parseWorld(step.world);
    return { version: w.version, hash: worldHash(w) };
  } catch {
    return undefined;
  }
}

/**
 * Verifies a chain answer from the pinned genesis — or, when the client trusts a world and the
 * answer walks on from it (`?since=`), from that world — and judges the result against the
 * trusted world and the clock. Throws WorldError; returns the newly verified world.
 */
export function verifyChainAnswer(
  genesis: SignedGenesis,
  answer: ChainAnswer,
  trusted: VerifiedWorld | undefined,
  nowMs: number,
  root: string,
): VerifiedWorld {
  const claims = answer.steps.map(claimedId);
  const first = claims[0];
  const walksOn = trusted !== undefined && first !== undefined && first.version === trusted.world.version;
  const walk = (withHead: boolean) =>
    verifyWorldChain(genesis, answer.steps, {
      nowMs,
      ...(answer.head === null || !withHead ? {} : { head: answer.head }),
      ...(walksOn ? { trusted: trusted.world } : {}),
    });
  let result = walk(true);
  // The head only brings freshness. Right after a world change a root's latest checkpoint may be
  // cosigned by a quorum of the previous world's validators only (ledger/LEDGER.md §3.4); the
  // chain accepts that when it walks through the previous world, but a walk that starts at the
  // trusted world has no world before it to check against. A head that does not verify while
  // every step does is passed over: the steps' own proofs stand, and freshness comes from them.
  if (!result.ok && result.step === -1 && answer.head !== null && answer.steps.length > 0)
    result = walk(false);
  if (!result.ok) {
    if (walksOn && result.code === 'BROKEN_LINK' && result.step === 0) throw forkError(trusted, first, root);
    if (result.code === 'STALE') {
      // Verified but old: a replayed chain is refused for what it replays, not only for its age.
      compareWithTrusted(trusted, claims, root);
      const last = claims.at(-1);
      throw new WorldError(
        'WORLD_STALE',
        `${root} offers a stale world: ${result.message}. Its roots may be cut off from each other or your clock may be wrong; ask another root`,
        {
          root,
          ...(trusted === undefined ? {} : { trusted: idOf(trusted) }),
          ...(last === undefined ? {} : { offered: last }),
        },
      );
    }
    throw new WorldError(
      'WORLD_UNVERIFIED',
      `the world chain from ${root} does not verify from the pinned genesis: ${result.code} at step ${result.step}: ${result.message}`,
      { root, chainCode: result.code, ...(trusted === undefined ? {} : { trusted: idOf(trusted) }) },
    );
  }
  compareWithTrusted(trusted, claims, root);
  const verified: VerifiedWorld = {
    world: result.world,
    worldHash: result.worldHash,
    freshAtMs: result.quorumTimeMs,
  };
  judgeWorld(trusted, verified, nowMs, root);
  return verified;
}

/** A chain that verifies must still pass through the trusted world and not end before it. */
function compareWithTrusted(
  trusted: VerifiedWorld | undefined,
  claims: readonly (WorldId | undefined)[],
  root: string,
): void {
  if (trusted === undefined) return;
  const same = claims.find((id) => id?.version === trusted.world.version);
  if (same !== undefined && same.hash !== trusted.worldHash) throw forkError(trusted, same, root);
  const last = claims.at(-1);
  if (last !== undefined && last.version < trusted.world.version) throw rollbackError(trusted, last, root);
}

/**
 * The three refusals, for a world verified by any means (the chain today; a federation-key
 * signature later): throws WORLD_STALE, WORLD_ROLLBACK or WORLD_FORK.
 */
export function judgeWorld(
  trusted: VerifiedWorld | undefined,
  offered: VerifiedWorld,
  nowMs: number,
  root: string,
): void {
  const ageMs = nowMs - offered.freshAtMs;
  const limitMs = offered.world.policy.checkpointFreshnessMs;
  if (ageMs > limitMs)
    throw new WorldError(
      'WORLD_STALE',
      `${root} offers world v${offered.world.version} last cosigned by a quorum ${ageMs} ms ago; the policy allows ${limitMs} ms. Its roots may be cut off or your clock may be wrong; ask another root`,
      { root, offered: idOf(offered), ...(trusted === undefined ? {} : { trusted: idOf(trusted) }) },
    );
  if (trusted === undefined) return;
  if (offered.world.version < trusted.world.version) throw rollbackError(trusted, idOf(offered), root);
  if (offered.world.version === trusted.world.version && offered.worldHash !== trusted.worldHash)
    throw forkError(trusted, idOf(offered), root);
}

function rollbackError(trusted: VerifiedWorld, offered: WorldId | undefined, root: string): WorldError {
  return new WorldError(
    'WORLD_ROLLBACK',
    `${root} offers world v${offered?.version ?? '?'}, older than v${trusted.world.version} which you verified before: the root is behind or replays an old world; keep v${trusted.world.version} and ask another root`,
    { root, trusted: idOf(trusted), ...(offered === undefined ? {} : { offered }) },
  );
}

function forkError(trusted: VerifiedWorld, offered: WorldId, root: string): WorldError {
  return new WorldError(
    'WORLD_FORK',
    `${root} offers a world v${offered.version} (${offered.hash.slice(0, 16)}…) different from the v${trusted.world.version} you verified (${trusted.worldHash.slice(0, 16)}…): a quorum signed two worlds of one version. Keep both answers as evidence, keep your world, and tell the federation's members`,
    { root, trusted: idOf(trusted), offered },
  );
}

/** A root's HTTP base URLs and libp2p contact, as the world lists it. */
export type WorldRoot = {
  name: string;
  jurisdiction: string;
  /** Raw Ed25519 node key: the root's libp2p identity. */
  nodeKey: Uint8Array;
  p2p: string[];
  http: string[];
};

/** The world's roots a peer may use: every member not suspended (probation members relay too). */
export function rootsOfWorld(world: World): WorldRoot[] {
  return world.members
    .filter((m) => m.status !== 'suspended')
    .map((m) => ({
      name: m.name,
      jurisdiction: m.jurisdiction,
      nodeKey: fromBase64(m.nodeKey, PUBLIC_KEY_BYTES),
      p2p: [...m.endpoints.p2p],
      http: [...m.endpoints.http],
    }));
}
