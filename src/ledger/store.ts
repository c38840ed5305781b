// The ledger on LevelDB: entries, C2SP tlog-tiles hash tiles, checkpoint notes and the caller's
// meta records, all moved together by one synced batch per append. The Merkle math is in
// merkle.ts, the tile layout in tiles.ts, the key layout in keys.ts.
//
// Write cost (bench/ledger-append.ts compares it with raw LevelDB writes of the same entries):
// entries of a full bundle are one record in C2SP entry-bundle form, so an append writes about
// the entry bytes plus 32 bytes of hash per entry (full level-0 tiles) and a few small records;
// the partial level-0 tile is never written (it is recomputed from the partial bundle's
// entries), and the leaf-hash index lives in memory, rebuilt from level-0 tiles on first use.
// The Merkle hashing of an append runs while its synced write is on its way to the disk: the
// write holds the entries and the new size (what must be durable), and the hash tiles, which
// follow from the entries, go to disk with the next append.

import { Level } from 'level';
import { invariant } from '../base/index.ts';
import { bytesEqual, utf8Bytes } from '../codec/index.ts';
import { parseCheckpoint } from './checkpoint.ts';
import {
  BATCH_BYTES_MAX,
  BATCH_ENTRIES_MAX,
  ENTRIES_RANGE_MAX,
  ENTRY_BYTES_MAX,
  FULL_TILE_CACHE_ENTRIES,
  HASH_BYTES,
  META_KEY_CHARS_MAX,
  META_KEY_PATTERN,
  META_KEYS_MAX,
  META_VALUE_BYTES_MAX,
  NOTE_BYTES_MAX,
  ORIGIN_CHARS_MAX,
  TILE_BYTES_FULL,
  TILE_HEIGHT,
  TILE_WIDTH,
  TREE_SIZE_MAX,
} from './constants.ts';
import { LedgerError } from './errors.ts';
import {
  bundleKey,
  CHECKPOINT_KEYS,
  checkpointKey,
  checkpointSizeOfKey,
  decodeSize,
  encodeSize,
  entryKey,
  FORMAT_KEY,
  FORMAT_VALUE,
  metaKey,
  ORIGIN_KEY,
  SIZE_KEY,
  TILED_KEY,
  tileKey,
} from './keys.ts';
import {
  CompactRange,
  consistencyProof,
  inclusionProof,
  leafHashesInto,
  perfectRoot,
  rootAtSize,
  type SubtreeId,
} from './merkle.ts';
import { decodeEntryBundle, encodeEntryBundle, leavesPerHash, tileWidthAt } from './tiles.ts';

type Db = Level<string, Uint8Array>;
type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };
/** Leaf-hash index: 30 leading bits of a leaf hash → the indexes of leaves starting so (ascending). */
type LeafIndex = Map<number, number | number[]>;
/** The rightmost, partial tile of a level (1..255 hashes). */
type EdgeTile = { index: number; bytes: Uint8Array };
type Plan = {
  /** The leaf hashes of the appended entries, packed (32 bytes each). */
  leafHashes: Uint8Array;
  size: number;
  rootHash: Uint8Array;
  frontier: CompactRange;
  tiles: Map<string, Uint8Array>;
  edges: Map<number, EdgeTile | undefined>;
  /** Entries of the partial entry bundle after the append (0..255 of them). */
  edgeEntries: Uint8Array[];
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const ORIGIN_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * An append-only RFC 6962 Merkle log of entries, stored in one LevelDB directory.
 *
 * Storage contract:
 * - Durability: when `append` or `saveCheckpoint` resolves, what it wrote is on disk (LevelDB
 *   batch with `sync: true`, i.e. fsync of the log) and survives a process or machine crash.
 * - Atomicity: one `append` is one LevelDB batch holding its entries (and the entry bundles it
 *   completed), the new tree size and the caller's meta records. After a crash the ledger holds
 *   either all of a batch or none of it; sizes land only on batch boundaries.
 * - Hash tiles follow from the entries, so they are not on the durability path: an append
 *   hashes while its write syncs, and the tiles it completed or extended (level 0: completed
 *   only) are written in the next append's batch, or when the ledger is closed, with the
 *   `tiled` size they bring the tiles to. Until then reads take them from memory. Opening a
 *   ledger whose tiles stop short of its size (a crash after an append) recomputes the missing
 *   tiles from the stored entries — at most one append's — and writes them before anything else.
 * - Concurrency: appends and checkpoint saves are serialized (a queue inside the store); reads
 *   may run at any time, concurrently with an append, and see the tree as of some committed
 *   size. `size()`, `rootHash()` and `rootAfter()` reflect the last committed append. One
 *   process opens a directory at a time (LevelDB's lock enforces it).
 * - Immutability: entries and full tiles never change once written. A partial tile of width W
 *   is the first W hashes of the same tile at any later size, so the store keeps one record per
 *   tile that only grows, and serves every partial tile of every size it ever had — in
 *   particular of every checkpoint ever saved — as a prefix of it.
 * - Memory: the partial entry bundle (≤ 255 entries), the edge tiles, the tiles of the last
 *   append until they are written (32 bytes per entry), an LRU of full tiles and, once
 *   `indexOfLeafHash` has been called, a leaf-hash index (tens of bytes per entry).
 * - Bad input (oversize entries, indexes past the tree, a note for another tree) throws a
 *   LedgerError before anything is written.
 * - Callers must not modify entry or meta bytes until `append` resolves.
 */
export class LedgerStore {
  readonly origin: string;
  readonly #db: Db;
  /** The LevelDB folder, named in CORRUPT errors so the operator knows what to restore. */
  readonly #dir: string;
  #size: number;
  #frontier: CompactRange;
  #edges: Map<number, EdgeTile>; // level → its partial right-edge tile, when it has one
  #edgeEntries: readonly Uint8Array[]; // entries of the partial entry bundle, committed
  #leafIndex: LeafIndex | undefined; // built on first indexOfLeafHash, then kept up to date
  // The note with the largest size: served on every GET /checkpoint and tile request of a root.
  #latestNote: { size: number; note: string } | undefined;
  // The largest size with a note on disk: a note is never served for a size none is stored for.
  #writtenSize = -1;
  readonly #fullTiles = new Map<string, Uint8Array>(); // LRU of immutable full tiles
  // Tiles of the last append, by key, not yet on disk: they bring the stored tiles to #size.
  #pendingTiles: Map<string, Uint8Array> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    db: Db,
    dir: string,
    origin: string,
    size: number,
    frontier: CompactRange,
    edges: Map<number, EdgeTile>,
    edgeEntries: Uint8Array[],
  ) {
    this.#db = db;
    this.#dir = dir;
    this.#edgeEntries = edgeEntries;
    this.origin = origin;
    this.#size = size;
    this.#frontier = frontier;
    this.#edges = edges;
  }

  /**
   * Opens (or creates) the ledger in `dir`. A new directory is bound to `origin`; reopening it
   * with another origin throws ORIGIN_MISMATCH. Size, frontier and edge tiles are read back
   * from disk and checked against each other (CORRUPT if they disagree).
   */
  static async open(dir: string, options: { origin: string }): Promise<LedgerStore> {
    const origin = options?.origin;
    if (
      typeof origin !== 'string' ||
      origin.length === 0 ||
      origin.length > ORIGIN_CHARS_MAX ||
      ORIGIN_FORBIDDEN.test(origin)
    ) {
      throw new LedgerError('BAD_ARGUMENT', `origin must be 1..${ORIGIN_CHARS_MAX} printable characters`);
    }
    const db: Db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    try {
      const storedOrigin = await db.get(ORIGIN_KEY);
      if (storedOrigin === undefined) {
        if ((await db.get(SIZE_KEY)) !== undefined) throw corrupt(dir, 'size record without an origin');
        await db.batch(
          [
            { type: 'put', key: FORMAT_KEY, value: utf8Bytes(FORMAT_VALUE) },
            { type: 'put', key: ORIGIN_KEY, value: utf8Bytes(origin) },
            { type: 'put', key: SIZE_KEY, value: encodeSize(0) },
          ],
          { sync: true },
        );
      } else {
        const format = await db.get(FORMAT_KEY);
        if (format === undefined || Buffer.from(format).toString('utf8') !== FORMAT_VALUE) {
          throw corrupt(dir, `unknown ledger format (expected ${FORMAT_VALUE})`);
        }
        const existing = Buffer.from(storedOrigin).toString('utf8');
        if (existing !== origin) {
          throw new LedgerError('ORIGIN_MISMATCH', `this ledger's origin is "${existing}", not "${origin}"`);
        }
      }
      const sizeRecord = await db.get(SIZE_KEY);
      if (sizeRecord === undefined) throw corrupt(dir, 'missing size record');
      const size = decodeSize(sizeRecord);
      if (size === undefined) throw corrupt(dir, 'the size record is not an 8-byte tree size');
      const tiledRecord = await db.get(TILED_KEY);
      const tiled = tiledRecord === undefined ? size : decodeSize(tiledRecord);
      if (tiled === undefined || tiled > size)
        throw corrupt(dir, `the tiled record is not a tree size of at most ${size}`);
      // The tree as far as its tiles are stored, then the tiles of the rest from its entries.
      const edgeEntries = await readStoredEntries(db, dir, tiled - (tiled % TILE_WIDTH), tiled, size);
      const edges = await readEdges(db, dir, tiled, edgeEntries);
      const store = new LedgerStore(db, dir, origin, tiled, new CompactRange(), edges, edgeEntries);
      const ids = CompactRange.frontierIds(tiled);
      store.#frontier = new CompactRange(tiled, await store.#readHashes(ids, tiled));
      if (tiled < size) await store.#recoverTiles(size);
      const [latest] = await db.iterator({ ...CHECKPOINT_KEYS, reverse: true, limit: 1 }).all();
      if (latest !== undefined) {
        store.#latestNote = {
          size: checkpointSizeOfKey(latest[0]),
          note: Buffer.from(latest[1]).toString('utf8'),
        };
        store.#writtenSize = store.#latestNote.size;
      }
      return store;
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /** Tree size as of the last committed append. */
  size(): number {
    return this.#size;
  }

  /** Root hash of the tree of the current size. */
  rootHash(): Uint8Array {
    return this.#frontier.root();
  }

  /** What `append(entries)` would give now, computed without writing anything. */
  rootAfter(entries: Uint8Array[]): { size: number; rootHash: Uint8Array } {
    this.#checkOpen();
    checkEntries(entries, this.#size);
    const leafHashes = new Uint8Array(entries.length * HASH_BYTES);
    leafHashesInto(entries, leafHashes, 0);
    const frontier = this.#frontier.clone();
    frontier.extend(leafHashes);
    return { size: frontier.size, rootHash: frontier.root() };
  }

  /**
   * Appends `entries` and writes `meta` (caller records under their own keys, read back with
   * getMeta) in one atomic, synced batch. Resolves with the new size and root once durable.
   * An empty `entries` writes only the meta records.
   */
  async append(
    entries: Uint8Array[],
    meta: Record<string, Uint8Array> = {},
  ): Promise<{ size: number; rootHash: Uint8Array }> {
    this.#checkOpen();
    checkEntries(entries, this.#size);
    const metaOps = checkMeta(meta);
    return this.#exclusive(async () => {
      this.#checkOpen();
      checkEntries(entries, this.#size); // again: an append queued before us may have grown the tree
      const { ops, edgeEntries } = this.#entryOps(entries);
      ops.push(...this.#pendingTileOps());
      ops.push({ type: 'put', key: SIZE_KEY, value: encodeSize(this.#size + entries.length) });
      ops.push(...metaOps);
      // The synced write is on its way; the tree is hashed meanwhile. Nothing in the write
      // depends on the hashes: this append's tiles go with the next one (storage contract).
      const written = this.#db.batch(ops, { sync: true });
      let plan: Plan;
      try {
        plan = this.#plan(entries);
      } catch (err) {
        // Only a broken invariant gets here: the disk may now be ahead of this object, so it
        // stops; opening the ledger again recomputes the tiles from the entries.
        await written.catch(() => undefined);
        this.#closed = true;
        await this.#db.close();
        throw err;
      }
      await written;
      plan.edgeEntries = edgeEntries;
      this.#commit(plan);
      this.#pendingTiles = plan.tiles;
      return { size: plan.size, rootHash: plan.rootHash };
    });
  }

  /** The puts that store the last append's tiles, with the `tiled` size they reach (#size). */
  #pendingTileOps(): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const [key, value] of this.#pendingTiles ?? []) ops.push({ type: 'put', key, value });
    ops.push({ type: 'put', key: TILED_KEY, value: encodeSize(this.#size) });
    return ops;
  }

  /** Writes the last append's tiles on their own (before reading tiles from disk, and on close). */
  async #flushTiles(sync: boolean): Promise<void> {
    if (this.#pendingTiles === undefined) return;
    await this.#db.batch(this.#pendingTileOps(), { sync });
    this.#pendingTiles = undefined;
  }

  /**
   * Opening after a crash: the stored tiles reach #size (< size); recomputes the tiles of the
   * entries [#size, size) — one append's at most — and writes them (synced) before any read.
   */
  async #recoverTiles(size: number): Promise<void> {
    const entries = await readStoredEntries(this.#db, this.#dir, this.#size, size, size);
    const plan = this.#plan(entries);
    plan.edgeEntries = await readStoredEntries(this.#db, this.#dir, size - (size % TILE_WIDTH), size, size);
    this.#pendingTiles = plan.tiles;
    this.#commit(plan);
    await this.#flushTiles(true);
  }

  /**
   * The records holding `entries`: one b/ record per bundle they complete (which replaces the
   * e/ records of that bundle's earlier entries), e/ records for the rest; and the entries of
   * the partial bundle once they are appended.
   */
  #entryOps(entries: Uint8Array[]): { ops: BatchOp[]; edgeEntries: Uint8Array[] } {
    const ops: BatchOp[] = [];
    const size = this.#size;
    const edgeStart = size - this.#edgeEntries.length;
    let bundleStart = edgeStart;
    let current: Uint8Array[] = this.#edgeEntries.slice();
    for (const e of entries) {
      current.push(e);
      if (current.length === TILE_WIDTH) {
        ops.push({
          type: 'put',
          key: bundleKey(bundleStart / TILE_WIDTH),
          value: encodeEntryBundle(current),
        });
        current = [];
        bundleStart += TILE_WIDTH;
      }
    }
    if (bundleStart > edgeStart) {
      for (let i = edgeStart; i < size; i++) ops.push({ type: 'del', key: entryKey(i) });
    }
    const firstNew = Math.max(bundleStart, size);
    for (let i = firstNew; i < size + entries.length; i++) {
      ops.push({ type: 'put', key: entryKey(i), value: entries[i - size]! });
    }
    // The caller may reuse its buffers once append resolves: keep our own copies in memory.
    for (let j = firstNew - bundleStart; j < current.length; j++) current[j] = current[j]!.slice();
    return { ops, edgeEntries: current };
  }

  /**
   * Computes the new frontier and every tile the batch completes or extends. Pure. The leaf
   * hashes are computed into one buffer and the tree above them one height at a time
   * (CompactRange.extend); the hashes of heights 8·L are level L's new tile hashes.
   */
  #plan(entries: Uint8Array[]): Plan {
    const size = this.#size;
    const leafHashes = new Uint8Array(entries.length * HASH_BYTES);
    leafHashesInto(entries, leafHashes, 0);
    const frontier = this.#frontier.clone();
    const rows = frontier.extend(leafHashes);
    const tiles = new Map<string, Uint8Array>();
    const edges = new Map<number, EdgeTile | undefined>();
    for (let level = 0; level * TILE_HEIGHT < rows.length; level++) {
      const row = rows[level * TILE_HEIGHT]!; // new hashes of this level, from index `first`
      if (row.length === 0) break; // no entries: rows[0] is empty and there are no others
      const first = Math.floor(size / leavesPerHash(level));
      let tileIndex = Math.floor(first / TILE_WIDTH);
      const offset = first % TILE_WIDTH;
      const edge = this.#edges.get(level);
      // The edge tiles were checked against the size on open and only move with it.
      invariant(
        offset === 0 || (edge?.index === tileIndex && edge.bytes.length === offset * HASH_BYTES),
        `edge tile of level ${level} matches size ${size}`,
      );
      let taken = 0; // bytes of row placed in tiles
      let last: EdgeTile | undefined;
      for (let prefix = offset * HASH_BYTES; taken < row.length; prefix = 0, tileIndex++) {
        const take = Math.min(TILE_BYTES_FULL - prefix, row.length - taken);
        const bytes = new Uint8Array(prefix + take);
        if (prefix > 0) bytes.set(edge!.bytes, 0);
        bytes.set(row.subarray(taken, taken + take), prefix);
        // A partial level-0 tile is the leaf hashes of the e/ entries: not stored (see keys.ts).
        if (level > 0 || bytes.length === TILE_BYTES_FULL) tiles.set(tileKey(level, tileIndex), bytes);
        last = { index: tileIndex, bytes };
        taken += take;
      }
      edges.set(level, last !== undefined && last.bytes.length < TILE_BYTES_FULL ? last : undefined);
    }
    return {
      size: frontier.size,
      rootHash: frontier.root(),
      frontier,
      tiles,
      edges,
      leafHashes,
      edgeEntries: [],
    };
  }

  #commit(plan: Plan): void {
    for (const [level, edge] of plan.edges) {
      if (edge === undefined) this.#edges.delete(level);
      else this.#edges.set(level, edge);
    }
    const index = this.#leafIndex;
    if (index !== undefined) {
      const hashes = plan.leafHashes;
      for (let i = 0; i * HASH_BYTES < hashes.length; i++) {
        addLeaf(index, hashes, i * HASH_BYTES, this.#size + i);
      }
    }
    this.#edgeEntries = plan.edgeEntries;
    this.#frontier = plan.frontier;
    this.#size = plan.size;
  }

  /**
   * The index of a leaf with this RFC 6962 leaf hash, or undefined if no entry has it. When
   * the same entry was appended more than once, the latest index is returned.
   */
  async indexOfLeafHash(hash: Uint8Array): Promise<number | undefined> {
    this.#checkOpen();
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_BYTES) {
      throw new LedgerError('BAD_ARGUMENT', 'a leaf hash is 32 bytes');
    }
    if (this.#leafIndex === undefined) await this.#exclusive(() => this.#buildLeafIndex());
    const found = this.#leafIndex!.get(leafKey(hash));
    if (found === undefined) return undefined;
    const size = this.#size;
    const candidates = typeof found === 'number' ? [found] : found;
    for (let j = candidates.length - 1; j >= 0; j--) {
      const index = candidates[j]!;
      if (index >= size) continue;
      const [h] = await this.#readHashes([{ height: 0, index }], size);
      if (bytesEqual(h!, hash)) return index;
    }
    return undefined;
  }

  /** Reads every leaf hash from the level-0 tiles; runs between appends (#exclusive). */
  async #buildLeafIndex(): Promise<void> {
    if (this.#leafIndex !== undefined) return;
    await this.#flushTiles(false); // the level-0 tiles are read from disk below
    const size = this.#size;
    const full = Math.floor(size / TILE_WIDTH);
    const index: LeafIndex = new Map();
    let tile = 0;
    for await (const [key, value] of this.#db.iterator({ gte: tileKey(0, 0), lt: tileKey(0, full) })) {
      if (key !== tileKey(0, tile) || value.length !== TILE_BYTES_FULL)
        throw corrupt(this.#dir, `level-0 tile ${tile} is not a full tile in its place`);
      for (let j = 0; j < TILE_WIDTH; j++) {
        addLeaf(index, value, j * HASH_BYTES, tile * TILE_WIDTH + j);
      }
      tile++;
    }
    if (tile !== full) throw corrupt(this.#dir, `level-0 tile ${tile} is missing`);
    const edge = this.#edges.get(0);
    const partial = size % TILE_WIDTH;
    for (let j = 0; j < partial; j++) {
      addLeaf(index, edge!.bytes, j * HASH_BYTES, full * TILE_WIDTH + j);
    }
    this.#leafIndex = index;
  }

  /** A caller meta record written by append, or undefined. */
  async getMeta(key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    checkMetaKey(key);
    const value = await this.#db.get(metaKey(key));
    return value === undefined ? undefined : plain(value);
  }

  /** The entry at `index` (< size). */
  async entry(index: number): Promise<Uint8Array> {
    const [e] = await this.entries(index, index + 1);
    return e!;
  }

  /** Entries [start, end), at most ENTRIES_RANGE_MAX of them, end ≤ size. */
  async entries(start: number, end: number): Promise<Uint8Array[]> {
    this.#checkOpen();
    const size = this.#size;
    checkIndex('start', start, size);
    if (!Number.isSafeInteger(end) || end <= start || end > size) {
      throw new LedgerError('INDEX_OUT_OF_RANGE', `end must be in ${start + 1}..${size}, got ${end}`);
    }
    if (end - start > ENTRIES_RANGE_MAX) {
      throw new LedgerError('BAD_ARGUMENT', `at most ${ENTRIES_RANGE_MAX} entries per call`);
    }
    const edge = this.#edgeEntries; // with `size`: one committed state
    const fullBundles = Math.floor(size / TILE_WIDTH);
    const first = Math.floor(start / TILE_WIDTH);
    const last = Math.floor((end - 1) / TILE_WIDTH);
    const keys: string[] = [];
    for (let k = first; k <= Math.min(last, fullBundles - 1); k++) keys.push(bundleKey(k));
    const stored = keys.length > 0 ? await this.#db.getMany(keys) : [];
    const out: Uint8Array[] = [];
    for (let k = first; k <= last; k++) {
      const from = Math.max(start, k * TILE_WIDTH);
      const to = Math.min(end, (k + 1) * TILE_WIDTH);
      if (k === fullBundles) {
        for (let i = from; i < to; i++) out.push(edge[i - k * TILE_WIDTH]!.slice()); // ours stay ours
        continue;
      }
      const bundle = stored[k - first];
      if (bundle === undefined) {
        out.push(...(await this.#legacyEntries(from, to))); // a bundle filled before b/ records
        continue;
      }
      const all = decodeEntryBundle(plain(bundle));
      if (all.length !== TILE_WIDTH)
        throw corrupt(this.#dir, `entry bundle ${k} does not hold ${TILE_WIDTH} entries`);
      out.push(...all.slice(from - k * TILE_WIDTH, to - k * TILE_WIDTH));
    }
    return out;
  }

  /** Entries [start, end) of a full bundle stored as e/ records (ledgers from before b/ records). */
  async #legacyEntries(start: number, end: number): Promise<Uint8Array[]> {
    const values = await this.#db.values({ gte: entryKey(start), lt: entryKey(end) }).all();
    if (values.length !== end - start) throw corrupt(this.#dir, `entries ${start}..${end} are missing`);
    return values.map(plain);
  }

  /** RFC 6962 leaf hash of the entry at `index`, from the level-0 tile. */
  async leafHashAt(index: number): Promise<Uint8Array> {
    this.#checkOpen();
    const size = this.#size;
    checkIndex('index', index, size);
    const [h] = await this.#readHashes([{ height: 0, index }], size);
    return h!;
  }

  /** Root hash of the tree of `size` (≤ current size). */
  async rootAt(size: number): Promise<Uint8Array> {
    this.#checkOpen();
    const current = this.#size;
    checkSizeArg('size', size, current);
    if (size === current) return this.#frontier.root();
    return rootAtSize(size, this.#reader(current));
  }

  /** RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of `size` (≤ current size). */
  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    this.#checkOpen();
    const current = this.#size;
    checkSizeArg('size', size, current);
    checkIndex('index', index, size);
    return inclusionProof(index, size, this.#reader(current));
  }

  /** RFC 9162 §2.1.4 consistency proof from size1 to size2 (size1 ≤ size2 ≤ current size). */
  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    this.#checkOpen();
    const current = this.#size;
    checkSizeArg('size2', size2, current);
    checkSizeArg('size1', size1, size2);
    return consistencyProof(size1, size2, this.#reader(current));
  }

  /**
   * C2SP tlog-tiles hash tile bytes: `width` 256 (default) for a full tile, 1..255 for a partial
   * tile. NOT_FOUND when the tree does not (yet) have that many hashes in the tile.
   */
  async tile(level: number, index: number, width = TILE_WIDTH): Promise<Uint8Array> {
    this.#checkOpen();
    checkTileArgs(level, index, width);
    const size = this.#size;
    if (tileWidthAt(level, index, size) < width) {
      throw new LedgerError('NOT_FOUND', `tile ${level}/${index} has no ${width} hashes at size ${size}`);
    }
    const bytes = await this.#tileBytes(level, index);
    return bytes.length === width * HASH_BYTES ? bytes : bytes.slice(0, width * HASH_BYTES);
  }

  /** C2SP tlog-tiles entry bundle `index` of `width` entries (256 default, 1..255 partial). */
  async entryBundle(index: number, width = TILE_WIDTH): Promise<Uint8Array> {
    this.#checkOpen();
    checkTileArgs(0, index, width);
    const size = this.#size;
    if (tileWidthAt(0, index, size) < width) {
      throw new LedgerError('NOT_FOUND', `entry bundle ${index} has no ${width} entries at size ${size}`);
    }
    if (width === TILE_WIDTH) {
      const stored = await this.#db.get(bundleKey(index));
      if (stored !== undefined) return plain(stored);
    }
    const start = index * TILE_WIDTH;
    return encodeEntryBundle(await this.entries(start, start + width));
  }

  /**
   * Stores the signed checkpoint note published for `size` (durable when resolved). The note's
   * text must be a checkpoint of this ledger: same origin, that size, and its root at that size.
   * Saving again for the same size replaces the note (e.g. with more cosignatures).
   * `durable: false` checks the note and serves it (latestCheckpointNote) without writing it:
   * for a note that differs from the one stored at its size only in fresher cosignature
   * timestamps, which a restart would renew within seconds anyway. A note for a size with no
   * note on disk yet is written all the same: what is served for a size survives a crash.
   * Resolves with whether the note was written.
   */
  async saveCheckpoint(size: number, note: string, options: { durable?: boolean } = {}): Promise<boolean> {
    this.#checkOpen();
    checkSizeArg('size', size, this.#size);
    const text = checkpointText(note);
    const checkpoint = parseCheckpoint(text);
    if (checkpoint.origin !== this.origin || checkpoint.size !== size) {
      throw new LedgerError(
        'CHECKPOINT_MISMATCH',
        `the note is for ${checkpoint.origin} at size ${checkpoint.size}, not ${this.origin} at ${size}`,
      );
    }
    return this.#exclusive(async () => {
      this.#checkOpen();
      const root = await this.rootAt(size);
      if (!bytesEqual(root, checkpoint.rootHash)) {
        throw new LedgerError(
          'CHECKPOINT_MISMATCH',
          `the note's root hash is not this ledger's root at ${size}`,
        );
      }
      const write = options.durable !== false || size > this.#writtenSize;
      if (write) {
        await this.#db.put(checkpointKey(size), utf8Bytes(note), { sync: true });
        this.#writtenSize = Math.max(this.#writtenSize, size);
      }
      if (this.#latestNote === undefined || size >= this.#latestNote.size) this.#latestNote = { size, note };
      return write;
    });
  }

  /**
   * The note with the largest size saved so far, from memory: what a root serves on every GET
   * /checkpoint and tile request, read there without a promise. Undefined before the first.
   */
  latestCheckpointNote(): string | undefined {
    this.#checkOpen();
    return this.#latestNote?.note;
  }

  /** The note saved for `size`, or the one with the largest size when `size` is omitted. */
  async checkpointNote(size?: number): Promise<string | undefined> {
    this.#checkOpen();
    if (size === undefined) return this.#latestNote?.note;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new LedgerError('BAD_ARGUMENT', `size must be a non-negative integer, got ${size}`);
    }
    const bytes = await this.#db.get(checkpointKey(size));
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
  }

  /** The saved note of the smallest size in [from, to), with its size; undefined when none is. */
  async firstCheckpointNote(from: number, to: number): Promise<{ size: number; note: string } | undefined> {
    this.#checkOpen();
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
      throw new LedgerError(
        'BAD_ARGUMENT',
        `from and to must be integers with 0 <= from <= to, got ${from}, ${to}`,
      );
    }
    const [found] = await this.#db
      .iterator({ gte: checkpointKey(from), lt: checkpointKey(to), limit: 1 })
      .all();
    if (found === undefined) return undefined;
    const [key, value] = found;
    return { size: Number.parseInt(String(key).slice(2), 16), note: Buffer.from(value).toString('utf8') };
  }

  /** Waits for queued writes, writes the last append's tiles, then closes the database. Further calls throw CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    try {
      await this.#flushTiles(true);
    } finally {
      await this.#db.close();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new LedgerError('CLOSED', 'the ledger store is closed');
  }

  /** Runs fn after every write queued before it; a failure does not block later writes. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #reader(size: number): { readHashes: (ids: readonly SubtreeId[]) => Promise<Uint8Array[]> } {
    return { readHashes: (ids) => this.#readHashes(ids, size) };
  }

  /**
   * Hashes of perfect subtrees, from tiles: a subtree of height 8·L + r is the perfect root of
   * 2^r consecutive hashes in one tile of level L (2^r ≤ 128 divides 256).
   */
  async #readHashes(ids: readonly SubtreeId[], size: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (const { height, index } of ids) {
      invariant((index + 1) * 2 ** height <= size, `subtree ${height}/${index} lies within size ${size}`);
      const level = Math.floor(height / TILE_HEIGHT);
      const span = 2 ** (height % TILE_HEIGHT);
      const first = index * span;
      const tile = await this.#tileBytes(level, Math.floor(first / TILE_WIDTH));
      const offset = (first % TILE_WIDTH) * HASH_BYTES;
      if (tile.length < offset + span * HASH_BYTES)
        throw corrupt(this.#dir, `tile ${level}/${first} is too short`);
      const hashes: Uint8Array[] = [];
      for (let j = 0; j < span; j++)
        hashes.push(tile.subarray(offset + j * HASH_BYTES, offset + (j + 1) * HASH_BYTES));
      out.push(span === 1 ? hashes[0]!.slice() : perfectRoot(hashes));
    }
    return out;
  }

  /** The stored bytes of a tile (full or the current partial one). */
  async #tileBytes(level: number, index: number): Promise<Uint8Array> {
    const edge = this.#edges.get(level);
    if (edge !== undefined && edge.index === index) return edge.bytes;
    const key = tileKey(level, index);
    const pending = this.#pendingTiles?.get(key);
    if (pending !== undefined) return pending;
    const cached = this.#fullTiles.get(key);
    if (cached !== undefined) {
      this.#fullTiles.delete(key); // refresh its LRU position
      this.#fullTiles.set(key, cached);
      return cached;
    }
    const stored = await this.#db.get(key);
    if (stored === undefined) throw corrupt(this.#dir, `tile ${level}/${index} is missing`);
    const bytes = plain(stored);
    if (bytes.length === TILE_BYTES_FULL) {
      if (this.#fullTiles.size >= FULL_TILE_CACHE_ENTRIES) {
        this.#fullTiles.delete(this.#fullTiles.keys().next().value!);
      }
      this.#fullTiles.set(key, bytes);
    }
    return bytes;
  }
}

/**
 * Files leaf `leaf`, whose hash is at bytes[offset ..], under the leading 30 bits of its hash
 * (a small integer key, cheap in a Map).
 */
function addLeaf(index: LeafIndex, bytes: Uint8Array, offset: number, leaf: number): void {
  const key = leafKey(bytes, offset);
  const found = index.get(key);
  if (found === undefined) index.set(key, leaf);
  else if (typeof found === 'number') index.set(key, [found, leaf]);
  else found.push(leaf);
}

function leafKey(hash: Uint8Array, offset = 0): number {
  const o = offset;
  return (hash[o]! << 22) | (hash[o + 1]! << 14) | (hash[o + 2]! << 6) | (hash[o + 3]! >>> 2);
}

/** classic-level hands back Buffers; callers get plain Uint8Array views of the same memory. */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** What is on disk contradicts itself: say where, and how to get a good ledger back. */
function corrupt(dir: string, message: string): LedgerError {
  return new LedgerError(
    'CORRUPT',
    `the ledger in ${dir} is damaged (${message}). Stop the root, then restore this folder from a backup, or delete it and start the root again: it rebuilds the ledger from its peers, checking every batch's certificate.`,
  );
}

/**
 * Entries [start, end) of the ledger stored at `size`, read back when opening: from the b/
 * records of the bundles full at that size (e/ records in ledgers from before b/ records),
 * from the e/ records of the partial bundle.
 */
async function readStoredEntries(
  db: Db,
  dir: string,
  start: number,
  end: number,
  size: number,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const full = Math.floor(size / TILE_WIDTH);
  for (let k = Math.floor(start / TILE_WIDTH); k * TILE_WIDTH < end; k++) {
    const from = Math.max(start, k * TILE_WIDTH);
    const to = Math.min(end, (k + 1) * TILE_WIDTH);
    const bundle = k < full ? await db.get(bundleKey(k)) : undefined;
    if (bundle !== undefined) {
      const all = decodeEntryBundle(plain(bundle));
      if (all.length !== TILE_WIDTH)
        throw corrupt(dir, `entry bundle ${k} does not hold ${TILE_WIDTH} entries`);
      out.push(...all.slice(from - k * TILE_WIDTH, to - k * TILE_WIDTH));
      continue;
    }
    const values = await db.values({ gte: entryKey(from), lt: entryKey(to) }).all();
    if (values.length !== to - from) throw corrupt(dir, `entries ${from}..${to} are missing at size ${size}`);
    out.push(...values.map(plain));
  }
  return out;
}

/**
 * The partial right-edge tile of each level at `size`, read back when opening; level 0's is
 * recomputed from the partial bundle's entries.
 */
async function readEdges(
  db: Db,
  dir: string,
  size: number,
  edgeEntries: Uint8Array[],
): Promise<Map<number, EdgeTile>> {
  const edges = new Map<number, EdgeTile>();
  if (edgeEntries.length > 0) {
    const bytes = new Uint8Array(edgeEntries.length * HASH_BYTES);
    leafHashesInto(edgeEntries, bytes, 0);
    edges.set(0, { index: Math.floor(size / TILE_WIDTH), bytes });
  }
  for (let level = 1; leavesPerHash(level) <= size; level++) {
    const width = Math.floor(size / leavesPerHash(level)) % TILE_WIDTH;
    if (width === 0) continue;
    const index = Math.floor(size / leavesPerHash(level + 1));
    const bytes = await db.get(tileKey(level, index));
    if (bytes === undefined || bytes.length < width * HASH_BYTES) {
      throw corrupt(dir, `edge tile ${level}/${index} does not hold ${width} hashes`);
    }
    // A tile never holds more than `size` needs: tiles are written with the size they reach.
    if (bytes.length !== width * HASH_BYTES)
      throw corrupt(dir, `edge tile ${level}/${index} is longer than size ${size}`);
    edges.set(level, { index, bytes: plain(bytes) });
  }
  return edges;
}

function checkEntries(entries: Uint8Array[], size: number): void {
  if (!Array.isArray(entries))
    throw new LedgerError('BAD_ARGUMENT', 'entries must be an array of Uint8Array');
  if (entries.length > BATCH_ENTRIES_MAX) {
    throw new LedgerError(
      'BATCH_TOO_LARGE',
      `at most ${BATCH_ENTRIES_MAX} entries per append, got ${entries.length}`,
    );
  }
  if (size + entries.length > TREE_SIZE_MAX)
    throw new LedgerError('BATCH_TOO_LARGE', 'the tree would exceed 2^52');
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (!(e instanceof Uint8Array)) throw new LedgerError('BAD_ARGUMENT', `entry ${i} is not a Uint8Array`);
    if (e.length > ENTRY_BYTES_MAX) {
      throw new LedgerError(
        'ENTRY_TOO_LARGE',
        `entry ${i} has ${e.length} bytes; the limit is ${ENTRY_BYTES_MAX}`,
      );
    }
    total += e.length;
  }
  if (total > BATCH_BYTES_MAX) {
    throw new LedgerError(
      'BATCH_TOO_LARGE',
      `an append holds at most ${BATCH_BYTES_MAX} entry bytes, got ${total}`,
    );
  }
}

function checkMetaKey(key: string): void {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > META_KEY_CHARS_MAX ||
    !META_KEY_PATTERN.test(key)
  ) {
    throw new LedgerError(
      'BAD_ARGUMENT',
      `meta keys are 1..${META_KEY_CHARS_MAX} printable ASCII characters, no spaces`,
    );
  }
}

function checkMeta(meta: Record<string, Uint8Array>): BatchOp[] {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new LedgerError('BAD_ARGUMENT', 'meta must be an object of Uint8Array values');
  }
  const keys = Object.keys(meta);
  if (keys.length > META_KEYS_MAX)
    throw new LedgerError('BATCH_TOO_LARGE', `at most ${META_KEYS_MAX} meta keys`);
  return keys.map((key) => {
    checkMetaKey(key);
    const value = meta[key];
    if (!(value instanceof Uint8Array))
      throw new LedgerError('BAD_ARGUMENT', `meta "${key}" is not a Uint8Array`);
    if (value.length > META_VALUE_BYTES_MAX) {
      throw new LedgerError('BATCH_TOO_LARGE', `meta "${key}" is over ${META_VALUE_BYTES_MAX} bytes`);
    }
    return { type: 'put', key: metaKey(key), value };
  });
}

function checkIndex(name: string, index: number, size: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new LedgerError('INDEX_OUT_OF_RANGE', `${name} ${index} is not in a tree of size ${size}`);
  }
}

function checkSizeArg(name: string, size: number, max: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > max) {
    throw new LedgerError('INDEX_OUT_OF_RANGE', `${name} must be an integer in 0..${max}, got ${size}`);
  }
}

function checkTileArgs(level: number, index: number, width: number): void {
  if (!Number.isSafeInteger(level) || level < 0 || level > 63) {
    throw new LedgerError('BAD_ARGUMENT', `tile level must be 0..63, got ${level}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new LedgerError('BAD_ARGUMENT', `tile index must be a non-negative integer, got ${index}`);
  }
  if (!Number.isSafeInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new LedgerError('BAD_ARGUMENT', `tile width must be 1..${TILE_WIDTH}, got ${width}`);
  }
}

/** The checkpoint text of a signed note: everything up to the blank line before the signatures. */
function checkpointText(note: string): string {
  if (typeof note !== 'string') throw new LedgerError('BAD_ARGUMENT', 'a checkpoint note is a string');
  if (Buffer.byteLength(note, 'utf8') > NOTE_BYTES_MAX) {
    throw new LedgerError('BAD_CHECKPOINT', `a checkpoint note is at most ${NOTE_BYTES_MAX} bytes`);
  }
  const blank = note.indexOf('\n\n');
  if (blank < 0)
    throw new LedgerError('BAD_CHECKPOINT', 'a signed note has a blank line before its signatures');
  return note.slice(0, blank + 1);
}
