// The world chain a root serves to clients (governance verifyWorldChain): the genesis and
// every later world, each with an inclusion proof under a quorum-cosigned checkpoint — the one
// published right after its batch when this root kept it, else the latest — plus a `head`:
// the latest checkpoint with a proof of the last world, so clients can check freshness.
//
// Cached per world: a step proven under the checkpoint of its own batch, once the tree has grown
// past it, never changes again (that note is no longer re-cosigned), so it is made once. The rest
// — steps proven under the latest checkpoint, and the head — is made again only when the latest
// checkpoint changes; between two checkpoints every request gets the same answer without a read.

import { toBase64 } from '../codec/index.ts';
import { parseNote } from '../crypto/index.ts';
import { type ChainHead, decodeEntry, type WorldStep } from '../governance/index.ts';
import { parseCheckpoint } from '../ledger/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import type { LedgerIndex } from './ledger-index.ts';

export interface ChainAnswer {
  steps: WorldStep[];
  head: ChainHead | null;
}

/** What the chain reads from the store. */
export type ChainStore = Pick<
  LedgerStore,
  'checkpointNote' | 'firstCheckpointNote' | 'entry' | 'inclusionProof'
>;

async function inclusion(
  store: ChainStore,
  note: string,
  entryIndex: number,
  treeSize: number,
): Promise<ChainHead> {
  const inclusionProof = (await store.inclusionProof(entryIndex, treeSize)).map(toBase64);
  return { checkpointNote: note, inclusionProof, entryIndex, treeSize };
}

export class WorldChainCache {
  readonly #store: ChainStore;
  readonly #index: LedgerIndex;
  /** Steps that will never change, by position in index.worlds (bounded by the worlds themselves). */
  readonly #frozen = new Map<number, WorldStep>();
  #answer: { note: string; worlds: number; chain: Promise<ChainAnswer> } | undefined;

  constructor(store: ChainStore, index: LedgerIndex) {
    this.#store = store;
    this.#index = index;
  }

  /** The chain under the latest published checkpoint; the same object until that changes. */
  async chain(): Promise<ChainAnswer> {
    const latest = await this.#store.checkpointNote();
    if (latest === undefined) return { steps: [], head: null };
    const worlds = this.#index.worlds.length;
    if (this.#answer?.note !== latest || this.#answer.worlds !== worlds) {
      const chain = this.#build(latest);
      this.#answer = { note: latest, worlds, chain };
      chain.catch(() => {
        if (this.#answer?.chain === chain) this.#answer = undefined; // a failed read is not kept
      });
    }
    return this.#answer.chain;
  }

  async #build(latest: string): Promise<ChainAnswer> {
    const latestSize = parseCheckpoint(parseNote(latest).text).size;
    const steps: WorldStep[] = [];
    for (const [i, w] of this.#index.worlds.entries()) {
      if (w.index >= latestSize) break;
      const frozen = this.#frozen.get(i);
      if (frozen !== undefined) {
        steps.push(frozen);
        continue;
      }
      const exact = await this.#store.checkpointNote(w.index + 1);
      // Without the note of its own batch (a root saves a note only once a quorum cosigned it
      // before the next commit), the first saved note while this world's validators still
      // commit — up to the end of the batch that makes the next world (ledger/LEDGER.md §3.4) —
      // rather than the latest, which validators of later worlds may have cosigned.
      const next = this.#index.worlds[i + 1];
      const within =
        exact !== undefined
          ? undefined
          : await this.#store.firstCheckpointNote(
              w.index + 2,
              Math.min(latestSize, next === undefined ? latestSize : next.index + 1) + 1,
            );
      const [note, treeSize] =
        exact !== undefined
          ? [exact, w.index + 1]
          : within !== undefined
            ? [within.note, within.size]
            : [latest, latestSize];
      const entry = decodeEntry(await this.#store.entry(w.index));
      const causes = entry.kind === 'world' ? entry.causes : [];
      const step: WorldStep = {
        world: w.world,
        causes,
        proof: await inclusion(this.#store, note, w.index, treeSize),
      };
      // A world a recovery made travels with the signed recovery (charter §20).
      const opened = causes.length === 1 ? this.#index.recoveries.get(causes[0]!) : undefined;
      if (opened !== undefined) {
        const r = decodeEntry(await this.#store.entry(opened));
        if (r.kind === 'recovery') step.recovery = r.recovery;
      }
      // Its own batch's checkpoint, with the tree already past it: that note is final.
      if (exact !== undefined && treeSize < latestSize) this.#frozen.set(i, step);
      steps.push(step);
    }
    const last = steps.at(-1);
    const head =
      last === undefined ? null : await inclusion(this.#store, latest, last.proof.entryIndex, latestSize);
    return { steps, head };
  }
}
