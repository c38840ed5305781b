// chain.json of the governance vectors: GET /world/chain as a root answers it for the scenario
// ledger, and the verdicts a client reaches walking it from the pinned genesis (charter §19,
// ledger/LEDGER.md §5.2). Each world entry is proven in the checkpoint of the tree that ends
// with its batch, cosigned by the validators in force before and after that batch; the head is
// the latest checkpoint, cosigned by the validators of the last world.

import { type Json, toBase64 } from '../../src/codec/index.ts';
import { cosignatureSigner, ed25519NoteSigner, signNote } from '../../src/crypto/index.ts';
import {
  type ChainErrorCode,
  type ChainHead,
  type ChainResult,
  decodeEntry,
  type SignedGenesis,
  verifyWorldChain,
  type World,
  type WorldStep,
} from '../../src/governance/index.ts';
import { formatCheckpoint, inclusionProofRanges, leafHash, rootOf } from '../../src/ledger/index.ts';
import { FEDERATION, MINUTE_MS, node, secretOf } from './identities.ts';

const voting = (w: World) => w.members.filter((m) => m.status === 'voting');

/** A checkpoint of the first `size` entries, log-signed by alder and cosigned at `timeS`. */
function note(leaves: Uint8Array[], size: number, cosigners: World['members'], timeS: number): string {
  const text = formatCheckpoint({
    origin: FEDERATION,
    size,
    rootHash: rootOf(leaves.slice(0, size)),
    extensions: [],
  });
  return signNote(text, [
    ed25519NoteSigner(FEDERATION, node('alder').secretKey),
    ...cosigners.map((m) => cosignatureSigner(m.name, secretOf(m.nodeKey), timeS)),
  ]);
}

function proof(
  leaves: Uint8Array[],
  index: number,
  size: number,
  cosigners: World['members'],
  timeS: number,
): ChainHead {
  return {
    checkpointNote: note(leaves, size, cosigners, timeS),
    inclusionProof: inclusionProofRanges(index, size).map((r) =>
      toBase64(rootOf(leaves.slice(r.start, r.end))),
    ),
    entryIndex: index,
    treeSize: size,
  };
}

type Case = {
  name: string;
  note: string;
  /** The verdict the generator requires before it writes the case. */
  want: 'ok' | ChainErrorCode;
  /** Indexes into response.steps, in order. */
  steps: number[];
  head: boolean;
  nowMs: number;
  knownVersion?: number;
  /** Replaces the proof of one of the chosen steps (by its position in `steps`). */
  replaceProof?: { at: number; proof: ChainHead };
  /** The request was GET /world/chain?since=<since>: the steps are the answer's. */
  since?: number;
  /** The client walks on from the world of this version, which it verified before. */
  trusted?: number;
};

/**
 * `entries`: the whole ledger (entry 0 the genesis); `batchTimes`: batch time by entry index
 * of each world entry (its batch's header time).
 */
export function chainVectors(
  genesis: SignedGenesis,
  entries: Uint8Array[],
  worldTimes: Map<number, number>,
): Json {
  const leaves = entries.map(leafHash);
  const steps: WorldStep[] = [];
  let prev: World = genesis.world;
  entries.forEach((bytes, i) => {
    const e = decodeEntry(bytes);
    if (e.kind !== 'genesis' && e.kind !== 'world') return;
    const world = e.kind === 'genesis' ? e.genesis.world : e.world;
    // A root's checkpoint after the batch: cosigned by who committed it and who is in force after.
    const names = new Set(voting(prev).map((m) => m.name));
    const cosigners = [...voting(prev), ...voting(world).filter((m) => !names.has(m.name))];
    const timeS = Math.floor((worldTimes.get(i) ?? 0) / 1000) + 2;
    steps.push({
      world,
      causes: e.kind === 'world' ? e.causes : [],
      proof: proof(leaves, i, i + 1, cosigners, timeS),
    });
    prev = world;
  });
  const lastTimeMs = Math.max(...worldTimes.values());
  const headTimeS = Math.floor(lastTimeMs / 1000) + 600;
  const last = steps.at(-1)!;
  const head = proof(leaves, last.proof.entryIndex, leaves.length, voting(last.world), headTimeS);
  const nowMs = headTimeS * 1000 + MINUTE_MS;
  const freshness = last.world.policy.checkpointFreshnessMs;
  const all = steps.map((_, i) => i);
  const few = steps[2]!;
  const fewCosigners = voting(steps[1]!.world).slice(0, 2);
  /** The steps GET /world/chain?since=<version> answers: from that version on. */
  const since = (version: number) => all.filter((i) => steps[i]!.world.version >= version);
  const cases: Case[] = [
    {
      name: 'verified',
      want: 'ok',
      note: 'the whole chain and the head, a minute after the head was cosigned',
      steps: all,
      head: true,
      nowMs,
    },
    {
      name: 'verified-without-genesis-step',
      want: 'ok',
      note: 'the genesis step is optional: the walk starts at the pinned genesis',
      steps: all.slice(1),
      head: true,
      nowMs,
    },
    {
      name: 'verified-without-head',
      want: 'ok',
      note: 'without the head, freshness comes from the last step’s checkpoint',
      steps: all,
      head: false,
      nowMs,
    },
    {
      name: 'stale',
      want: 'STALE',
      note: 'the freshest quorum is older than the last world’s checkpointFreshnessMs',
      steps: all,
      head: true,
      nowMs: headTimeS * 1000 + freshness + 1,
    },
    {
      name: 'gap',
      want: 'CHAIN_GAP',
      note: 'a world is left out',
      steps: all.filter((i) => i !== 3),
      head: true,
      nowMs,
    },
    {
      name: 'rollback',
      want: 'ROLLBACK',
      note: 'the client already knows a later version',
      steps: all,
      head: true,
      nowMs,
      knownVersion: last.world.version + 1,
    },
    {
      name: 'no-quorum',
      want: 'NO_QUORUM',
      note: 'world 3 proven under a checkpoint cosigned by only two of world 2’s four validators',
      steps: all,
      head: true,
      nowMs,
      replaceProof: {
        at: 2,
        proof: proof(leaves, few.proof.entryIndex, few.proof.treeSize, fewCosigners, few.proof.treeSize),
      },
    },
    {
      name: 'not-included',
      want: 'NOT_INCLUDED',
      note: 'world 3’s proof names the entry before it',
      steps: all,
      head: true,
      nowMs,
      replaceProof: { at: 2, proof: { ...few.proof, entryIndex: few.proof.entryIndex - 1 } },
    },
    {
      name: 'since',
      want: 'ok',
      note: 'GET /world/chain?since=5: the steps from world 5 on, walked from world 5, which the client verified before',
      steps: since(5),
      head: true,
      nowMs,
      since: 5,
      trusted: 5,
    },
    {
      name: 'since-up-to-date',
      want: 'ok',
      note: 'since the last version: its one step and the head prove it is still the world, and fresh',
      steps: since(last.world.version),
      head: true,
      nowMs,
      since: last.world.version,
      trusted: last.world.version,
    },
    {
      name: 'since-not-trusted',
      want: 'BROKEN_LINK',
      note: 'the answer for since=5 walked from world 4: it does not start at the world the client trusts',
      steps: since(5),
      head: true,
      nowMs,
      since: 5,
      trusted: 4,
    },
  ];
  const verdicts = cases.map((c) => {
    const chosen = c.steps.map((i, at) =>
      c.replaceProof?.at === at ? { ...steps[i]!, proof: c.replaceProof.proof } : steps[i]!,
    );
    const r: ChainResult = verifyWorldChain(genesis, chosen, {
      nowMs: c.nowMs,
      ...(c.head ? { head } : {}),
      ...(c.knownVersion !== undefined ? { knownVersion: c.knownVersion } : {}),
      ...(c.trusted !== undefined ? { trusted: steps[c.trusted - 1]!.world } : {}),
    });
    const expect = r.ok
      ? { ok: true, version: r.world.version, worldHash: r.worldHash, quorumTimeMs: r.quorumTimeMs }
      : { ok: false, code: r.code, step: r.step };
    return { ...c, expect };
  });
  for (const v of verdicts) {
    const got = v.expect.ok ? 'ok' : (v.expect as { code: string }).code;
    if (got !== v.want) throw new Error(`chain case ${v.name}: ${JSON.stringify(v.expect)}`);
  }
  return {
    description:
      'GET /world/chain for the scenario ledger (response), and verifyWorldChain verdicts: each case takes response.steps at the given indexes (one proof replaced if stated), the head if `head`, the client clock nowMs and knownVersion. A case with `since` is the answer to GET /world/chain?since=<since> (the steps of versions ≥ since, the same head, no genesis); with `trusted` the client walks on from the world of that version (response.steps[trusted − 1].world), verified before, instead of from the genesis. step is the index in the chosen steps of the failing one, −1 for the head or the whole chain.',
    response: { genesis, steps, head },
    cases: verdicts.map(({ want: _want, ...shown }) => shown),
  } as unknown as Json;
}
