// Comparing one root's data with the tree the audit recomputed (docs/auditing.md §"Every
// root's data"): every hash tile covering the root's checkpoint — levels ≥ 1 hash by hash, full
// level-0 tiles by the height-8 hash they fold to, the partial level-0 tile hash by hash — and
// the entry bundles the policy asks for (all, or a seeded sample), each entry against its leaf
// hash in that (now checked) tile. The comparison stops at the first disagreement, which is
// what the evidence is built from.

import { bytesEqual } from '../codec/index.ts';
import { TILE_HEIGHT, TILE_WIDTH, tileHashes, tileWidthAt } from '../ledger/index.ts';
import { DEFAULT_FETCH_CONCURRENCY } from './constants.ts';
import type { RootReader } from './root-reader.ts';
import { detectionProbability, sampleIndexes } from './sample.ts';
import { bundleEntries, compareBundle, type EntryMismatch } from './tree.ts';
import { foldPerfect, type VerifiedTree } from './verified-tree.ts';
import { inOrder } from './window.ts';

/** What of one root's data was compared with the verified tree (docs/auditing.md). */
export type RootData = {
  /** Hash tiles covering the root's checkpoint, compared (in this run); agree: null when not all were. */
  tiles: { checked: number; agree: boolean | null };
  bundles: {
    /** Bundles covering the root's checkpoint. */
    total: number;
    /** Read and compared in this run (during the download of the tree, for the root it came from). */
    verified: number;
    sampled: boolean;
    agree: boolean | null;
    /** Probability that this run caught the root had it altered at least one bundle. */
    detectionProbability: number;
  };
  /** Why the data was not compared. */
  skipped?: string;
  /** What stopped the comparison (the root did not answer, a malformed answer). */
  error?: string;
};

/** Which bundles of each root are read: all, or a sample of `perRoot` per root. */
export type BundlePolicy = { mode: 'all' } | { mode: 'sample'; perRoot: number };

/** A served hash tile with a hash that is not the verified tree's. */
export type TileDisagreement = {
  kind: 'tile';
  level: number;
  index: number;
  width: number;
  bytes: Uint8Array;
  /**
   * Position in the tile of the first wrong hash, and the hash the verified tree has there;
   * absent when a full tile folds to another hash but no root serves that tile's leaves as the
   * verified tree has them (the tile is wrong, but no single position can be shown).
   */
  at?: { position: number; committed: Uint8Array };
};

/** A served entry bundle whose entries do not hash to the verified tree's leaves. */
export type BundleDisagreement = {
  kind: 'bundle';
  index: number;
  width: number;
  bytes: Uint8Array;
  mismatch: EntryMismatch;
};

export type Disagreement = TileDisagreement | BundleDisagreement;

/** One root to compare, and what of it was already read. */
export type RootDataPlan = {
  client: RootReader;
  /** The root's checkpoint size. */
  size: number;
  tree: VerifiedTree;
  policy: BundlePolicy;
  /** Draws the sample (mixed with the root's URL). */
  seed: Uint8Array;
  /** Why the root's data is not compared (its checkpoint is not one of the verified tree). */
  skip?: string;
  /** The root the tree was downloaded from: bundles and tiles from this size on were read whole. */
  downloadedFrom?: number;
  /** Level-0 tiles [0, rebuiltTiles) of this root were read to rebuild the remembered tree. */
  rebuiltTiles?: number;
  /** A bundle known to disagree with the root's own tile: read whatever the sample. */
  forced?: number | undefined;
  concurrency?: number;
};

/**
 * Compares one root's data with the verified tree as the policy says. Never throws for what the
 * root does: a failed request is `data.error`, a disagreement is returned for the evidence.
 */
export async function compareRootData(
  plan: RootDataPlan,
): Promise<{ data: RootData; disagreement?: Disagreement }> {
  const total = Math.ceil(plan.size / TILE_WIDTH);
  if (plan.skip !== undefined) {
    return {
      data: {
        tiles: { checked: 0, agree: null },
        bundles: { total, verified: 0, sampled: false, agree: null, detectionProbability: 0 },
        skipped: plan.skip,
      },
    };
  }
  const from = plan.downloadedFrom;
  const downloaded = (n: number) => from !== undefined && n * TILE_WIDTH >= from; // read whole
  const rebuilt = plan.rebuiltTiles ?? 0;
  const eligible = Array.from({ length: total }, (_, n) => n).filter((n) => !downloaded(n));
  const chosen =
    plan.policy.mode === 'all'
      ? eligible
      : sampleIndexes(eligible.length, plan.policy.perRoot, plan.seed, plan.client.url).map(
          (i) => eligible[i]!,
        );
  const forced = plan.forced;
  const bundles =
    forced === undefined || chosen.includes(forced) ? chosen : [...chosen, forced].sort((a, b) => a - b);
  const data: RootData = {
    tiles: { checked: total - eligible.length + rebuilt, agree: null },
    bundles: {
      total,
      verified: total - eligible.length,
      sampled: chosen.length < eligible.length,
      agree: null,
      detectionProbability: eligible.length === 0 ? 1 : detectionProbability(eligible.length, chosen.length),
    },
  };
  let outcome: RootDataOutcome;
  try {
    outcome = await checkRootData({
      client: plan.client,
      size: plan.size,
      tree: plan.tree,
      tileVerified: (n) => downloaded(n) || n < rebuilt,
      bundles,
      ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
    });
  } catch (error) {
    data.error = (error as Error).message;
    return { data };
  }
  data.tiles.checked += outcome.tilesChecked;
  data.bundles.verified += outcome.bundlesChecked;
  const d = outcome.disagreement;
  data.tiles.agree = d === undefined ? true : d.kind === 'tile' ? false : null;
  data.bundles.agree = d === undefined ? true : d.kind === 'bundle' ? false : null;
  return d === undefined ? { data } : { data, disagreement: d };
}

type RootDataCheck = {
  client: RootReader;
  /** The root's checkpoint size: its root hash is the verified tree's at that size. */
  size: number;
  tree: VerifiedTree;
  /** Level-0 tiles already compared (read during the download or the rebuild of the tree). */
  tileVerified?: (index: number) => boolean;
  /** Entry bundles to read, in increasing order. */
  bundles: readonly number[];
  concurrency?: number;
};

type RootDataOutcome = { tilesChecked: number; bundlesChecked: number; disagreement?: Disagreement };

/** First position where a served tile differs from the verified hashes. */
function firstDifference(served: readonly Uint8Array[], committed: readonly Uint8Array[]): number {
  for (let k = 0; k < served.length; k++) if (!bytesEqual(served[k]!, committed[k]!)) return k;
  return -1;
}

/** Reads and compares; a failed request rejects (NetError, AuditError BAD_RESPONSE). */
async function checkRootData(check: RootDataCheck): Promise<RootDataOutcome> {
  const { client, size, tree } = check;
  const window = check.concurrency ?? DEFAULT_FETCH_CONCURRENCY;
  const outcome: RootDataOutcome = { tilesChecked: 0, bundlesChecked: 0 };

  // Levels ≥ 1: few tiles (one per 65,536 entries at level 1), each hash against the tree.
  for (let level = 1; Math.floor(size / TILE_WIDTH ** level) >= 1; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    const indexes = Array.from({ length: Math.ceil(hashes / TILE_WIDTH) }, (_, i) => i);
    await inOrder(
      indexes,
      window,
      (n) => client.tile(level, n, tileWidthAt(level, n, size)),
      (n, bytes) => {
        outcome.tilesChecked++;
        const served = tileHashes(bytes);
        const committed = served.map((_, k) =>
          tree.node({ height: level * TILE_HEIGHT, index: n * TILE_WIDTH + k }),
        );
        const position = firstDifference(served, committed);
        if (position >= 0) {
          const width = served.length;
          outcome.disagreement = {
            kind: 'tile',
            level,
            index: n,
            width,
            bytes,
            at: { position, committed: committed[position]! },
          };
        }
        return outcome.disagreement === undefined;
      },
    );
    if (outcome.disagreement !== undefined) return outcome;
  }

  // Level 0, with the bundles asked for: each tile checked first, then its bundle against it.
  const wanted = new Set(check.bundles);
  const indexes = Array.from({ length: Math.ceil(size / TILE_WIDTH) }, (_, i) => i).filter(
    (n) => wanted.has(n) || check.tileVerified?.(n) !== true,
  );
  await inOrder(
    indexes,
    window,
    (n) => {
      const width = tileWidthAt(0, n, size);
      return Promise.all([client.tile(0, n, width), wanted.has(n) ? client.bundle(n, width) : undefined]);
    },
    async (n, [tileBytes, bundleBytes]) => {
      outcome.tilesChecked++;
      const served = tileHashes(tileBytes);
      const width = served.length;
      const agrees =
        width === TILE_WIDTH
          ? bytesEqual(foldPerfect(served), tree.node({ height: TILE_HEIGHT, index: n }))
          : false;
      if (!agrees) {
        // A partial tile, or a full one that folds to another hash: compare leaf by leaf.
        const tile = { kind: 'tile', level: 0, index: n, width, bytes: tileBytes } as const;
        let committed: Uint8Array[];
        try {
          committed = await tree.leafTile(n);
        } catch (error) {
          if (width < TILE_WIDTH) throw error;
          outcome.disagreement = tile;
          return false;
        }
        const position = firstDifference(served, committed);
        if (position >= 0) {
          outcome.disagreement = { ...tile, at: { position, committed: committed[position]! } };
          return false;
        }
      }
      if (bundleBytes === undefined) return true;
      outcome.bundlesChecked++;
      const mismatch = compareBundle(n, bundleEntries(client, n, width, bundleBytes), served);
      if (mismatch !== undefined)
        outcome.disagreement = { kind: 'bundle', index: n, width, bytes: bundleBytes, mismatch };
      return mismatch === undefined;
    },
  );
  return outcome;
}
