// The world chain a root serves to clients (governance verifyWorldChain): the genesis and
// every later world, each with an inclusion proof under a quorum-cosigned checkpoint — the one
// published right after its batch when this root kept it, else the first kept while the
// world's validators still committed, else the latest — plus a `head`: the latest checkpoint
// with a proof of the last world, so clients can check freshness.
//
// What never changes is read once per world: the world entry's causes and the recovery that
// made it, and the whole step once it is proven under a note of a size the tree has grown past
// (a root saves a note only for the size it is cosigning now, so that note is no longer
// re-cosigned, and no note can appear at a smaller size). A world with no note of its own
// kept, once the next world's batch is past too, is known to be proven under the latest note:
// only its inclusion proof is read again, because a proof is under one tree size and the
// latest size is new with every checkpoint. All of it is made again only when the latest
// checkpoint changes; between two checkpoints every request gets the same answer without a
// read. The caches hold one entry per world at most: the worlds themselves bound them.

import { toBase64 } from '../codec/index.ts';
import { parseNote } from '../crypto/index.ts';
import { type ChainHead, decodeEntry, type WorldStep } from '../governance/index.ts';
import { parseCheckpoint } from '../ledger/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import type { LedgerIndex, WorldRecord } from './ledger-index.ts';

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

/** A world's step but its proof: what the world entry says, which never changes. */
type StepBody = Omit<WorldStep, 'proof'>;

export class WorldChainCache {
  readonly #store: ChainStore;
  readonly #index: LedgerIndex;
  /** By position in index.worlds: each world's causes and recovery, read once. */
  readonly #bodies = new Map<number, StepBody>();
  /** Steps that will never change, by position in index.worlds. */
  readonly #frozen = new Map<number, WorldStep>();
  /** Positions of worlds known to have no note but the latest: only their proof is read again. */
  readonly #underLatest = new Set<number>();
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
      const body = await this.#body(i, w);
      const proven = this.#underLatest.has(i) ? undefined : await this.#ownNote(i, latestSize);
      const [note, treeSize] = proven === undefined ? [latest, latestSize] : [proven.note, proven.size];
      const proof = await inclusion(this.#store, note, w.index, treeSize);
      const step: WorldStep = { world: body.world, causes: body.causes, proof };
      if (body.recovery !== undefined) step.recovery = body.recovery;
      if (treeSize < latestSize) {
        this.#frozen.set(i, step);
        this.#bodies.delete(i); // the frozen step holds it
      } else if (proven === undefined && this.#pastNextBatch(i, latestSize)) this.#underLatest.add(i);
      steps.push(step);
    }
    const last = steps.at(-1);
    const head =
      last === undefined ? null : await inclusion(this.#store, latest, last.proof.entryIndex, latestSize);
    return { steps, head };
  }

  /**
   * The note of world i's own batch; without it (a root saves a note only once a quorum
   * cosigned it before the next commit), the first saved note while this world's validators
   * still commit — up to the end of the batch that makes the next world (ledger/LEDGER.md
   * §3.4) — rather than the latest, which validators of later worlds may have cosigned.
   * Undefined when neither is kept.
   */
  async #ownNote(i: number, latestSize: number): Promise<{ note: string; size: number } | undefined> {
    const w = this.#index.worlds[i]!;
    const exact = await this.#store.checkpointNote(w.index + 1);
    if (exact !== undefined) return { note: exact, size: w.index + 1 };
    const next = this.#index.worlds[i + 1];
    const end = Math.min(latestSize, next === undefined ? latestSize : next.index + 1);
    return this.#store.firstCheckpointNote(w.index + 2, end + 1);
  }

  /** Whether the tree is past the batch that made the world after world i: no note can come within it. */
  #pastNextBatch(i: number, latestSize: number): boolean {
    const next = this.#index.worlds[i + 1];
    return next !== undefined && next.index + 1 < latestSize;
  }

  async #body(i: number, w: WorldRecord): Promise<StepBody> {
    const known = this.#bodies.get(i);
    if (known !== undefined) return known;
    const entry = decodeEntry(await this.#store.entry(w.index));
    const causes = entry.kind === 'world' ? entry.causes : [];
    const body: StepBody = { world: w.world, causes };
    // A world a recovery made travels with the signed recovery (charter §20).
    const opened = causes.length === 1 ? this.#index.recoveries.get(causes[0]!) : undefined;
    if (opened !== undefined) {
      const r = decodeEntry(await this.#store.entry(opened));
      if (r.kind === 'recovery') body.recovery = r.recovery;
    }
    this.#bodies.set(i, body);
    return body;
  }
}
