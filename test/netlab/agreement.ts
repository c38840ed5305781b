// Whether roots agree on the ledger, checked after every observation of a partition test: no two
// roots hold different entries at one index, no two serve different checkpoints of one size, and
// every checkpoint a root serves is the Merkle root of the entries it serves. Entries are
// append-only, so each root's are read once, as its committed tree grows; the first root to
// serve an index names the entry every other root must serve there.

import { fromBase64, toBase64 } from '../../src/codec/index.ts';
import { ENTRIES_RANGE_MAX, leafHash, rootOf } from '../../src/ledger/index.ts';

/** Reads entries [start, end) of one root's committed tree, base64, at most ENTRIES_RANGE_MAX. */
export type EntryReader = (start: number, end: number) => Promise<string[]>;

export class LedgerAgreement {
  /** The entry at each index, as the first root to serve it served it (base64). */
  readonly #entries: string[] = [];
  readonly #leafHashes: Uint8Array[] = [];
  /** Root hash of each checkpoint size seen, and who served it first. */
  readonly #checkpoints = new Map<number, { rootHash: string; root: string }>();
  /** How many entries of each root have been read and compared. */
  readonly #read = new Map<string, number>();
  /** What broke agreement, in the order it was seen. */
  readonly divergences: string[] = [];

  /**
   * Checks one root's committed checkpoint (size, root hash) against every other root's, reads
   * the entries it has added since the last look and compares them, then checks that the
   * checkpoint commits to exactly those entries. Records a divergence rather than throwing, so
   * a run reports every one it saw.
   */
  async observe(root: string, size: number, rootHash: string, read: EntryReader): Promise<void> {
    const seen = this.#checkpoints.get(size);
    if (seen === undefined) this.#checkpoints.set(size, { rootHash, root });
    else if (seen.rootHash !== rootHash)
      this.divergences.push(
        `${root} serves a checkpoint of size ${size} with root ${rootHash}, ${seen.root} one with root ${seen.rootHash}`,
      );
    for (let start = this.#read.get(root) ?? 0; start < size; ) {
      const end = Math.min(size, start + ENTRIES_RANGE_MAX);
      const page = await read(start, end);
      if (page.length !== end - start)
        throw new Error(`${root} served ${page.length} entries for [${start}, ${end})`);
      for (const [i, entry] of page.entries()) {
        const index = start + i;
        const known = this.#entries[index];
        if (known === undefined) {
          this.#entries[index] = entry;
          this.#leafHashes[index] = leafHash(fromBase64(entry));
        } else if (known !== entry)
          this.divergences.push(`${root} holds a different entry at index ${index}`);
      }
      start = end;
      this.#read.set(root, start);
    }
    const computed = toBase64(rootOf(this.#leafHashes.slice(0, size)));
    if (computed !== rootHash)
      this.divergences.push(
        `${root}'s checkpoint of size ${size} (root ${rootHash}) is not the root of its entries (${computed})`,
      );
  }

  /** Checkpoint sizes seen so far (for a report). */
  get sizes(): number[] {
    return [...this.#checkpoints.keys()].sort((a, b) => a - b);
  }
}
