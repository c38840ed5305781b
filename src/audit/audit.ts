// The audit itself, independent of how governance is replayed: fetch every root's checkpoint,
// recompute the tree from one root's tiles and bundles (the largest that checks out), compare
// every checkpoint seen (now and in earlier runs) with that tree, check signatures and quorums
// with the keys the rules say were in force, compare every root's tiles and entry bundles (all,
// or a seeded sample) with that tree, check freshness and the world each root serves, write
// evidence for every violation, and optionally cosign as a witness. The rules (replay of
// governance from genesis) come in as a LedgerRules, built by replay.ts.

import { randomBytes } from 'node:crypto';
import { bytesEqual, toBase64, toHex } from '../codec/index.ts';
import { parseNote, sha256, vkeyString } from '../crypto/index.ts';
import type { MemberKey } from '../governance/index.ts';
import {
  consistencyProof,
  formatTilePath,
  type HashReader,
  inclusionProof,
  parseCheckpoint,
  rootAtSize,
  subtreeInclusionProof,
  TILE_HEIGHT,
  TILE_WIDTH,
} from '../ledger/index.ts';
import type { HttpClient } from '../net/index.ts';
import {
  type CheckpointCheck,
  type CosignerSet,
  checkCheckpointNote,
  findRollback,
  findSplitViews,
  futureCosignatures,
  isFresh,
  type SeenCheckpoint,
  type WorldRef,
} from './checkpoints.ts';
import {
  ALL_BUNDLES_DEFAULT_MAX,
  COSIGNATURE_FUTURE_MS_MAX,
  DEFAULT_SAMPLE_BUNDLES,
  EVIDENCE_ENTRIES_MAX,
  ROOT_CHECKS_PARALLEL,
  ROOTS_MAX,
} from './constants.ts';
import { AuditError } from './errors.ts';
import {
  EVIDENCE_FORMAT,
  type EvidenceFile,
  type EvidenceGovernance,
  type EvidenceKind,
  keyJson,
  type NoteJson,
  type ServedJson,
  verifyEvidence,
  writeEvidenceFile,
} from './evidence.ts';
import {
  type BundleDisagreement,
  type BundlePolicy,
  compareRootData,
  type RootData,
  type TileDisagreement,
} from './root-data.ts';
import { RootReader } from './root-reader.ts';
import { SEED_BYTES } from './sample.ts';
import type { AuditState } from './state.ts';
import {
  downloadTree,
  type EntryMismatch,
  type ServedBundle,
  type TreeResult,
  verifiedTileReader,
} from './tree.ts';
import { rebuildLevel1, type TileSource, VerifiedTree } from './verified-tree.ts';
import { inParallel } from './window.ts';
import type { Witness, WitnessOutcome } from './witness.ts';

/**
 * Keys the rules say were in force at a size: candidate cosigner sets — after and before the
 * batch ending there, or only the world in force during a batch for a size inside it
 * (docs/auditing.md §"Whose quorum").
 */
export type KeysInForce = { logKeys: MemberKey[]; sets: CosignerSet[]; freshnessMs: number };

export type RuleFailure = { index: number; code: string; message: string };
export type WorldStatus = {
  status: 'current' | 'superseded' | 'uncommitted' | 'malformed';
  version?: number;
  worldHash?: string;
};

/** Governance as the audit needs it; one instance per attempt to replay a root's ledger. */
export interface LedgerRules {
  /** Entries in order from the start size. Records the first rule failure and ignores what follows. */
  onEntries(start: number, entries: Uint8Array[]): void | Promise<void>;
  /** Waits for work still in flight (parallel signature checks) and reports its failures. */
  drain(): Promise<void>;
  /** Keys in force once entries [0, size) were given (after drain for exactness). */
  keysAt(size: number): KeysInForce;
  failure(): RuleFailure | undefined;
  worldStatus(value: unknown): WorldStatus;
  /** World hashes (hex) committed so far, for evidence. */
  snapshot(): unknown;
  summary(): unknown;
}

export type Violation = {
  kind: EvidenceKind;
  root?: string;
  message: string;
  evidenceFile?: string;
  /** Why no evidence file could be written (what was seen cannot be shown offline). */
  unprovable?: string;
};

export type RootReport = {
  url: string;
  reachable: boolean;
  error?: string;
  checkpoint?: {
    size: number;
    rootHash: string;
    logSigner?: string;
    cosigners: { name: string; timestampS: number }[];
    unknownSigners: string[];
    validatorCount: number;
    quorum: number;
    committed: boolean;
    /** Members whose ML-DSA-44 cosignature (type 0x06) verified. */
    mlDsaCosigners: string[];
    /** Whether the federation key in force signed it (its line: name = origin, type 0x01). */
    federationSigned: boolean;
    quorumTimeMs?: number;
    /** The world whose validators `validatorCount`, `quorum` and `committed` count. */
    quorumWorld?: WorldRef;
    /** The auditor's clock minus quorumTimeMs. */
    quorumAgeMs?: number;
    /** Whether that quorum is within policy.checkpointFreshnessMs. */
    fresh: boolean;
    consistent: boolean | null;
  };
  world?: WorldStatus;
  /** This root's tiles and bundles against the verified tree (absent when no tree verified). */
  data?: RootData;
  /** violation: a violation names this root; incomplete: something of it could not be checked. */
  verdict: 'verified' | 'violation' | 'incomplete';
};

export type LedgerAuditResult = {
  origin: string;
  /** The auditor's clock and the skew it allowed cosignature timestamps ahead of it. */
  clock: { nowMs: number; skewMs: number };
  roots: RootReport[];
  tree?: { size: number; rootHash: string; source: string; fromSize: number; entriesFetched: number };
  /** How every root's data was compared: the bundle policy and the sampling seed (hex). */
  dataCheck?: { bundles: 'all' | 'sample'; sampleBundles?: number; seed: string };
  violations: Violation[];
  incomplete: string[];
  witness?: { name: string; vkey: string; submitted: WitnessOutcome[]; refused?: string };
  /** State to remember for the next run (undefined when nothing was verified). */
  nextState?: AuditState;
  rules?: LedgerRules;
};

export type LedgerAuditOptions = {
  roots: readonly string[];
  origin: string;
  genesisLeafHash: string;
  http: HttpClient;
  nowMs: number;
  /** How far ahead of nowMs a cosignature may be dated; default COSIGNATURE_FUTURE_MS_MAX. */
  skewMs?: number;
  state?: AuditState;
  /** A fresh rules instance: from genesis (no state) or from the state's governance snapshot. */
  rules: () => LedgerRules;
  evidenceDir?: string;
  /** Replay checks for rule and world evidence (replay.ts evidenceGovernance). */
  evidenceGovernance?: EvidenceGovernance;
  witness?: Witness;
  concurrency?: number;
  /** Default: all bundles when the tree has ≤ ALL_BUNDLES_DEFAULT_MAX, else DEFAULT_SAMPLE_BUNDLES per root. */
  bundles?: BundlePolicy;
  /** SEED_BYTES bytes that draw the bundle samples; default: random. */
  seed?: Uint8Array;
  onProgress?: (done: number, total: number) => void;
};

/**
 * What one root served at the start: its checkpoint, and the world it served just before it
 * (its answer, or why there is none).
 */
type Fetched = {
  client: RootReader;
  seen?: SeenCheckpoint;
  error?: string;
  world: { value: unknown } | { error: string };
};

const hex = (b: Uint8Array) => toHex(b);

export async function auditLedger(options: LedgerAuditOptions): Promise<LedgerAuditResult> {
  if (options.roots.length === 0 || options.roots.length > ROOTS_MAX) {
    throw new AuditError('BAD_ARGUMENT', `give 1..${ROOTS_MAX} root URLs`);
  }
  const { origin, nowMs, state } = options;
  const skewMs = options.skewMs ?? COSIGNATURE_FUTURE_MS_MAX;
  const result: LedgerAuditResult = {
    origin,
    clock: { nowMs, skewMs },
    roots: [],
    violations: [],
    incomplete: [],
  };
  const fetched = await Promise.all(
    options.roots.map((url) => fetchWorldThenCheckpoint(new RootReader(url, options.http), origin, nowMs)),
  );
  const reports = new Map<string, RootReport>();
  for (const f of fetched) {
    const r: RootReport = { url: f.client.url, reachable: f.error === undefined, verdict: 'incomplete' };
    if (f.error !== undefined) {
      r.error = f.error;
      result.incomplete.push(`${f.client.url}: ${f.error}`);
    }
    reports.set(f.client.url, r);
    result.roots.push(r);
  }
  const fresh = fetched.filter((f) => f.seen !== undefined).map((f) => f.seen!);
  const history = state?.checkpoints ?? [];
  const allSeen = [...history, ...fresh];
  const start = { size: state?.size ?? 0, frontier: state?.frontier ?? [] };
  const evidence = new EvidenceWriter(options, result);

  // Rollbacks need no tree: the same root signed a larger size before.
  for (const s of fresh) {
    const earlier = findRollback(history, s);
    if (earlier !== undefined) evidence.rollback(earlier, s, options.rules().keysAt(start.size));
  }
  // A checkpoint of the remembered size with another root contradicts the verified one.
  const remembered = history.find(
    (h) => state !== undefined && h.size === state.size && bytesEqual(h.rootHash, state.rootHash),
  );
  const forkedAtState = new Set<SeenCheckpoint>();
  for (const s of fresh) {
    if (
      state !== undefined &&
      remembered !== undefined &&
      s.size === state.size &&
      !bytesEqual(s.rootHash, state.rootHash)
    ) {
      forkedAtState.add(s);
      await evidence.splitView(
        s,
        remembered,
        state.rootHash,
        { readHashes: () => [] },
        options.rules().keysAt(start.size),
      );
    }
  }

  // Pick the largest checkpoint whose tree checks out. A root whose tree does not is reported
  // once the verified tree is known (its data is then compared like any root's), or at once
  // when no tree checks out.
  const candidates = fetched
    .filter((f) => f.seen !== undefined && f.seen.size >= start.size)
    .sort((a, b) => b.seen!.size - a.seen!.size);
  let source: { client: RootReader; seen: SeenCheckpoint; tree: TreeResult; rules: LedgerRules } | undefined;
  let keys = new Map<number, KeysInForce>();
  let entries: Uint8Array[] | undefined;
  const failed: FailedTree[] = [];
  for (const c of candidates) {
    const seen = c.seen!;
    if (state !== undefined && seen.size === start.size && !bytesEqual(seen.rootHash, state.rootHash))
      continue;
    const rules = options.rules();
    const sizes = allSeen.map((s) => s.size);
    const attemptKeys = new Map<number, KeysInForce>();
    const collected: Uint8Array[] | undefined = start.size === 0 ? [] : undefined;
    let keep = collected;
    const tree = await downloadTree(c.client, {
      start,
      size: seen.size,
      rootHash: seen.rootHash,
      rootSizes: sizes,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      onEntries: async (_at, batch) => {
        if (keep !== undefined) {
          if (keep.length + batch.length > EVIDENCE_ENTRIES_MAX) keep = undefined;
          else keep.push(...batch);
        }
        await rules.onEntries(_at, batch);
      },
      onSize: async (size) => {
        await rules.drain();
        attemptKeys.set(size, rules.keysAt(size));
      },
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    });
    if (tree.mismatch !== undefined || !tree.matches) {
      failed.push({ client: c.client, seen, tree, entries: keep, keys: rules.keysAt(start.size) });
      continue;
    }
    await rules.drain();
    source = { client: c.client, seen, tree, rules };
    keys = attemptKeys;
    entries = keep;
    break;
  }
  const reportFailure = (f: FailedTree) =>
    f.tree.mismatch !== undefined
      ? evidence.entryMismatch(f.client, f.seen, f.tree.mismatch, f.keys)
      : evidence.treeMismatch(f.client, f.seen, start, f.entries, f.keys);
  if (source === undefined) {
    for (const f of failed) await reportFailure(f);
    if (candidates.length > 0 && result.violations.length === 0)
      result.incomplete.push('no root served a tree that checks out');
    if (fresh.length === 0) result.incomplete.push('no root could be read');
    result.nextState = state === undefined ? undefined : { ...state, checkpoints: allSeen };
    finishVerdicts(result);
    return result;
  }
  const { client, seen: top, tree, rules } = source;
  result.rules = rules;
  result.tree = {
    size: tree.size,
    rootHash: hex(tree.rootHash),
    source: client.url,
    fromSize: start.size,
    entriesFetched: tree.entriesRead,
  };
  const topKeys = keys.get(top.size) ?? rules.keysAt(top.size);

  // The verified tree as the yardstick for every root's data; the part before an earlier run's
  // size is rebuilt from the first root whose level-0 tiles give the remembered tree.
  const sources: TileSource[] = [
    { client, size: top.size },
    ...fetched
      .filter((f) => f.seen !== undefined && f.client !== client)
      .map((f) => ({ client: f.client, size: f.seen!.size })),
  ];
  const rebuilt = await rebuildLevel1(sources, start, options.concurrency);
  const verified =
    rebuilt === undefined
      ? undefined
      : new VerifiedTree({
          size: tree.size,
          rootHash: tree.rootHash,
          level1: [...rebuilt.level1, ...tree.level1],
          frontier: tree.frontier,
          sources,
        });
  if (rebuilt === undefined)
    result.incomplete.push(
      `no root serves level-0 tiles that give the tree of size ${start.size} remembered in the state; roots' tiles and bundles were not compared`,
    );
  let reader: HashReader | undefined;
  const tiles = async () => {
    reader ??= verified?.reader() ?? (await verifiedTileReader(client, top.size, top.rootHash));
    return reader;
  };
  const rootAt = new Map(tree.rootsAt);
  if (state !== undefined) rootAt.set(state.size, state.rootHash);
  for (const s of fresh) {
    if (s.size < start.size && !rootAt.has(s.size))
      rootAt.set(s.size, await rootAtSize(s.size, await tiles()));
  }

  // Split views and rollbacks.
  const splits = findSplitViews(
    fresh.filter((s) => !forkedAtState.has(s)),
    (size) => rootAt.get(size),
  );
  for (const split of splits)
    await evidence.splitView(split.bad, top, split.treeRootHash, await tiles(), topKeys);

  // Signatures, quorum and freshness of every fresh checkpoint consistent with the tree.
  let newest: { seen: SeenCheckpoint; check: CheckpointCheck } | undefined;
  for (const s of fresh) {
    const report = reports.get(s.root)!;
    const consistent = rootAt.has(s.size) ? bytesEqual(rootAt.get(s.size)!, s.rootHash) : null;
    const inForce = keys.get(s.size) ?? topKeys;
    const { check, set } = bestCheck(s.note, origin, inForce);
    // Evidence lists exactly the keys of the world this check counted against.
    const k: KeysInForce = { ...inForce, sets: [set] };
    report.checkpoint = {
      size: s.size,
      rootHash: hex(s.rootHash),
      ...(check.logSigner !== undefined ? { logSigner: check.logSigner } : {}),
      cosigners: check.cosignatures,
      unknownSigners: check.unknownSigners,
      validatorCount: check.validatorCount,
      quorum: check.quorum,
      committed: check.committed,
      mlDsaCosigners: check.mlDsaCosigners,
      federationSigned: check.federationSigned,
      ...(check.quorumTimeMs !== undefined
        ? { quorumTimeMs: check.quorumTimeMs, quorumAgeMs: nowMs - check.quorumTimeMs }
        : {}),
      ...(set.world !== undefined ? { quorumWorld: set.world } : {}),
      fresh: isFresh(check, nowMs, k.freshnessMs),
      consistent,
    };
    if (check.problem?.code === 'BAD_SIGNATURE')
      evidence.checkpoint('bad-signature', s, k, check.problem.message);
    else if (check.problem !== undefined && consistent !== false) {
      evidence.checkpoint(
        'insufficient-cosignatures',
        s,
        k,
        `${s.root} serves a checkpoint of size ${s.size} that is not committed: ${check.problem.message}`,
      );
    }
    const ahead = futureCosignatures(check, nowMs, skewMs);
    if (ahead.length > 0) {
      const who = ahead.map((a) => `${a.name} (${new Date(a.timestampS * 1000).toISOString()})`).join(', ');
      evidence.checkpoint(
        'future-cosignature',
        s,
        k,
        `${s.root} serves a checkpoint of size ${s.size} cosigned by ${who}, more than ${skewMs} ms after the audit's clock (${new Date(nowMs).toISOString()}): a cosigner's clock is wrong or it dates its cosignatures ahead`,
        { clock: { nowMs, skewMs } },
      );
    }
    if (
      check.committed &&
      consistent === true &&
      (newest === undefined || check.quorumTimeMs! > newest.check.quorumTimeMs!)
    ) {
      newest = { seen: s, check };
    }
  }
  if (newest === undefined || !isFresh(newest.check, nowMs, topKeys.freshnessMs)) {
    const s = newest?.seen ?? top;
    evidence.checkpoint(
      'stale-checkpoint',
      s,
      keys.get(s.size) ?? topKeys,
      newest === undefined
        ? 'no root serves a checkpoint cosigned by a quorum'
        : `the newest quorum of cosignatures is ${nowMs - newest.check.quorumTimeMs!} ms old; policy allows ${topKeys.freshnessMs} ms`,
      { freshness: { nowMs, freshnessMs: topKeys.freshnessMs } },
    );
  }

  // Every root's data against the verified tree.
  const policy: BundlePolicy =
    options.bundles ??
    (Math.ceil(top.size / TILE_WIDTH) <= ALL_BUNDLES_DEFAULT_MAX
      ? { mode: 'all' }
      : { mode: 'sample', perRoot: DEFAULT_SAMPLE_BUNDLES });
  const seed = options.seed ?? randomBytes(SEED_BYTES);
  result.dataCheck = {
    bundles: policy.mode,
    ...(policy.mode === 'sample' ? { sampleBundles: policy.perRoot } : {}),
    seed: hex(seed),
  };
  const caught = new Set<string>();
  if (verified !== undefined) {
    const rebuiltTiles = Math.floor(start.size / TILE_WIDTH);
    const roots = fetched.filter((f) => f.seen !== undefined);
    await inParallel(roots, ROOT_CHECKS_PARALLEL, async (f) => {
      const seen = f.seen!;
      const report = reports.get(f.client.url)!;
      const skip =
        seen.size > top.size
          ? 'its checkpoint is larger than the verified tree'
          : report.checkpoint?.consistent !== true
            ? 'its checkpoint is not a checkpoint of the verified tree'
            : undefined;
      const { data, disagreement: d } = await compareRootData({
        client: f.client,
        size: seen.size,
        tree: verified,
        policy,
        seed,
        ...(skip !== undefined ? { skip } : {}),
        ...(f.client === client ? { downloadedFrom: start.size } : {}),
        ...(rebuilt?.source === f.client ? { rebuiltTiles } : {}),
        forced: failed.find((x) => x.client === f.client)?.tree.mismatch?.served.index,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      });
      report.data = data;
      if (data.error !== undefined)
        result.incomplete.push(`${f.client.url}: its data could not be compared: ${data.error}`);
      if (d === undefined) return;
      caught.add(f.client.url);
      const k = keys.get(seen.size) ?? topKeys;
      if (d.kind === 'tile') await evidence.tileAltered(seen, d, verified, k);
      else await evidence.bundleAltered(seen, d, verified, k);
    });
  }
  // A root whose tree did not check out and whose data comparison did not show why (not
  // compared, or it answered differently the second time) is reported from its own tiles.
  for (const f of failed) if (!caught.has(f.client.url)) await reportFailure(f);

  // Governance replay.
  const failure = rules.failure();
  if (failure !== undefined) await evidence.ruleViolation(top, failure, entries, await tiles(), topKeys);

  // Worlds served.
  await Promise.all(
    fetched
      .filter((f) => f.error === undefined)
      .map(async (f) => {
        if ('error' in f.world) {
          result.incomplete.push(`${f.client.url}/world: ${f.world.error}`);
          return;
        }
        const value = f.world.value;
        const status = rules.worldStatus(value);
        reports.get(f.client.url)!.world = status;
        if (status.status === 'uncommitted' || status.status === 'malformed') {
          await evidence.world(f.client.url, value, status, top, entries, topKeys);
        }
      }),
  );

  // Witness: cosign the verified checkpoint when everything checked out.
  if (options.witness !== undefined)
    await witness(options.witness, result, top, fresh, tiles, nowMs, options.http);

  const clean = failure === undefined;
  result.nextState = {
    origin,
    genesisLeafHash: options.genesisLeafHash,
    size: clean ? tree.size : start.size,
    rootHash: clean ? tree.rootHash : (state?.rootHash ?? tree.rootHash),
    frontier: clean ? tree.frontier : start.frontier,
    checkpoints: allSeen,
    governance: clean ? rules.snapshot() : state?.governance,
    summary: clean ? rules.summary() : state?.summary,
  };
  if (!clean && state === undefined) result.nextState = undefined;
  finishVerdicts(result);
  return result;
}

/** A root whose tree did not check out while the audit looked for one. */
type FailedTree = {
  client: RootReader;
  seen: SeenCheckpoint;
  tree: TreeResult;
  entries: Uint8Array[] | undefined;
  keys: KeysInForce;
};

/** Each root's verdict: a violation names it, or something of it could not be checked. */
function finishVerdicts(result: LedgerAuditResult): void {
  const named = new Set(result.violations.map((v) => v.root));
  for (const r of result.roots) {
    const unchecked =
      !r.reachable || r.data === undefined || r.data.error !== undefined || r.data.skipped !== undefined;
    r.verdict = named.has(r.url) ? 'violation' : unchecked ? 'incomplete' : 'verified';
  }
}

/**
 * A root's world, then its checkpoint. In this order, the checkpoint covers the world unless the
 * root committed it in the moment between the two reads and had not yet a quorum's cosignatures
 * on it: read after the replay, seconds later, a world committed meanwhile was taken for one the
 * ledger never committed.
 */
async function fetchWorldThenCheckpoint(client: RootReader, origin: string, nowMs: number): Promise<Fetched> {
  let world: Fetched['world'];
  try {
    world = { value: await client.world() };
  } catch (error) {
    world = { error: (error as Error).message };
  }
  return { ...(await fetchCheckpoint(client, origin, nowMs)), world };
}

async function fetchCheckpoint(
  client: RootReader,
  origin: string,
  nowMs: number,
): Promise<Omit<Fetched, 'world'>> {
  let note: string;
  try {
    note = await client.checkpoint();
  } catch (error) {
    return { client, error: (error as Error).message };
  }
  try {
    const cp = parseCheckpoint(parseNote(note).text);
    if (cp.origin !== origin) return { client, error: `serves the ledger of ${cp.origin}, not ${origin}` };
    return {
      client,
      seen: { root: client.url, note, size: cp.size, rootHash: cp.rootHash, observedAtMs: nowMs },
    };
  } catch (error) {
    return { client, error: `checkpoint is malformed: ${(error as Error).message}` };
  }
}

/**
 * The check that decides for a note, with the set it counted: a signature by any key in
 * force that fails invalidates the note whichever set would commit it; otherwise the note is
 * committed if either set has a quorum; otherwise the first set's check.
 */
function bestCheck(
  note: string,
  origin: string,
  keys: KeysInForce,
): { check: CheckpointCheck; set: CosignerSet } {
  let best: { check: CheckpointCheck; set: CosignerSet } | undefined;
  for (const set of keys.sets) {
    const check = checkCheckpointNote(note, { origin, logKeys: keys.logKeys, set });
    if (check.problem?.code === 'BAD_SIGNATURE') return { check, set };
    if (best === undefined || (check.committed && !best.check.committed)) best = { check, set };
  }
  return best!;
}

async function witness(
  w: Witness,
  result: LedgerAuditResult,
  top: SeenCheckpoint,
  fresh: SeenCheckpoint[],
  tiles: () => Promise<HashReader>,
  nowMs: number,
  http: HttpClient,
): Promise<void> {
  const report = {
    name: w.name,
    vkey: vkeyString(w.name, 0x04, w.publicKey),
    submitted: [] as WitnessOutcome[],
  };
  result.witness = report;
  const verified = result.roots.find((r) => r.url === top.root)?.checkpoint;
  if (result.violations.length > 0 || verified?.committed !== true) {
    (report as { refused?: string }).refused = 'the audit found problems; nothing was cosigned';
    return;
  }
  const old = w.state;
  let proof: Uint8Array[] = [];
  try {
    if (old !== undefined && old.size > 0 && old.size < top.size)
      proof = await consistencyProof(old.size, top.size, await tiles());
    const { note, oldSize } = w.cosign(top.note, proof, nowMs);
    for (const s of fresh) {
      try {
        report.submitted.push(await w.submit(http, s.root, oldSize, proof, note));
      } catch (error) {
        report.submitted.push({ root: s.root, status: 0, body: (error as Error).message });
      }
    }
  } catch (error) {
    (report as { refused?: string }).refused = (error as Error).message;
  }
}

function entriesWhat(root: string, m: EntryMismatch, served: { index: number; width: number }): string {
  const path = formatTilePath({ level: 'entries', index: served.index, width: served.width });
  return m.kind === 'entries-swapped'
    ? `${root} serves entries ${m.indexes[0]} and ${m.indexes[1]} swapped in ${path}`
    : `${root} serves an altered entry at index ${m.indexes[0]} in ${path}`;
}

function servedJson(
  root: string,
  index: number,
  level: number | 'entries',
  width: number,
  bytes: Uint8Array,
): ServedJson {
  return {
    root,
    path: formatTilePath({ level, index, width }),
    sha256: toHex(sha256(bytes)),
    bytes: toBase64(bytes),
  };
}

/** The entries as served with the committed leaf hashes and their inclusion proofs in the tree of `size`. */
function entriesJson(m: EntryMismatch, size: number, reader: HashReader) {
  return Promise.all(
    m.indexes.map(async (index, i) => ({
      index,
      entry: toBase64(m.entries[i]!),
      tileHash: toBase64(m.tileHashes[i]!),
      inclusionProof: (await inclusionProof(index, size, reader)).map(toBase64),
    })),
  );
}

const noteJson = (s: SeenCheckpoint): NoteJson => ({
  root: s.root,
  observedAtMs: s.observedAtMs,
  note: s.note,
});

/** Builds, writes and reports evidence for each violation. */
class EvidenceWriter {
  readonly #options: LedgerAuditOptions;
  readonly #result: LedgerAuditResult;

  constructor(options: LedgerAuditOptions, result: LedgerAuditResult) {
    this.#options = options;
    this.#result = result;
  }

  #base(kind: EvidenceKind, explanation: string, keys: KeysInForce, notes: SeenCheckpoint[]): EvidenceFile {
    const set = keys.sets[0] ?? { validators: [], cosigners: [] };
    return {
      format: EVIDENCE_FORMAT,
      kind,
      origin: this.#options.origin,
      explanation,
      createdAtMs: this.#options.nowMs,
      logKeys: keys.logKeys.map(keyJson),
      validators: set.validators.map(keyJson),
      cosigners: set.cosigners.map(keyJson),
      ...(set.quorum !== undefined ? { quorum: set.quorum } : {}),
      notes: notes.map(noteJson),
    };
  }

  #emit(evidence: EvidenceFile, root: string | undefined): void {
    const v: Violation = {
      kind: evidence.kind,
      message: evidence.explanation,
      ...(root !== undefined ? { root } : {}),
    };
    // Only evidence that verifies offline is written; otherwise the report says why not.
    const verdict = verifyEvidence(evidence, this.#options.evidenceGovernance);
    if (!verdict.ok) v.unprovable = verdict.reason;
    else if (this.#options.evidenceDir !== undefined)
      v.evidenceFile = writeEvidenceFile(this.#options.evidenceDir, evidence);
    this.#result.violations.push(v);
  }

  /** A root's entries disagree with its own tiles (found while looking for a tree that checks out). */
  async entryMismatch(
    client: RootReader,
    seen: SeenCheckpoint,
    mismatch: EntryMismatch & { served: ServedBundle },
    keys: KeysInForce,
  ): Promise<void> {
    const what = entriesWhat(client.url, mismatch, mismatch.served);
    const evidence = this.#base(
      mismatch.kind,
      `${what}: the entries do not hash to the leaf hashes of the tree its checkpoint of size ${seen.size} signs`,
      keys,
      [seen],
    );
    evidence.served = servedJson(
      client.url,
      mismatch.served.index,
      'entries',
      mismatch.served.width,
      mismatch.served.bytes,
    );
    try {
      const reader = await verifiedTileReader(client, seen.size, seen.rootHash);
      evidence.entries = await entriesJson(mismatch, seen.size, reader);
    } catch {
      evidence.kind = 'tree-mismatch';
      evidence.explanation = `${what}, and its hash tiles do not give the root its checkpoint signs`;
      delete evidence.served;
    }
    this.#emit(evidence, client.url);
  }

  /** A root's bundle disagrees with the verified tree. */
  async bundleAltered(
    seen: SeenCheckpoint,
    d: BundleDisagreement,
    tree: VerifiedTree,
    keys: KeysInForce,
  ): Promise<void> {
    const what = entriesWhat(seen.root, d.mismatch, d);
    const evidence = this.#base(
      d.mismatch.kind,
      `${what}: the entries do not hash to the leaves of the tree its checkpoint of size ${seen.size} signs, which the audit recomputed from the entries`,
      keys,
      [seen],
    );
    evidence.served = servedJson(seen.root, d.index, 'entries', d.width, d.bytes);
    try {
      evidence.entries = await entriesJson(d.mismatch, seen.size, tree.reader());
    } catch {
      // No root serves the leaves that prove it: verify-evidence says what is missing.
    }
    this.#emit(evidence, seen.root);
  }

  /** A root's hash tile disagrees with the verified tree. */
  async tileAltered(
    seen: SeenCheckpoint,
    d: TileDisagreement,
    tree: VerifiedTree,
    keys: KeysInForce,
  ): Promise<void> {
    const path = formatTilePath({ level: d.level, index: d.index, width: d.width });
    const where = d.at === undefined ? 'a hash' : `the hash at position ${d.at.position}`;
    const evidence = this.#base(
      'tile-altered',
      `${seen.root} serves hash tile ${path} with ${where} that is not in the tree its checkpoint of size ${seen.size} signs, which the audit recomputed from the entries`,
      keys,
      [seen],
    );
    evidence.served = servedJson(seen.root, d.index, d.level, d.width, d.bytes);
    if (d.at !== undefined) {
      const id = { height: d.level * TILE_HEIGHT, index: d.index * TILE_WIDTH + d.at.position };
      try {
        const proof = await subtreeInclusionProof(id, seen.size, tree.reader());
        evidence.node = { ...id, hash: toBase64(d.at.committed), inclusionProof: proof.map(toBase64) };
      } catch {
        // No root serves the leaves the proof needs: verify-evidence says what is missing.
      }
    }
    this.#emit(evidence, seen.root);
  }

  async treeMismatch(
    client: RootReader,
    seen: SeenCheckpoint,
    start: { size: number; frontier: Uint8Array[] },
    entries: Uint8Array[] | undefined,
    keys: KeysInForce,
  ): Promise<void> {
    const evidence = this.#base(
      'tree-mismatch',
      `the entries ${client.url} serves do not give the root of its checkpoint of size ${seen.size}`,
      keys,
      [seen],
    );
    if (entries !== undefined) {
      evidence.prefix = {
        start: start.size,
        frontier: start.frontier.map(toBase64),
        entries: entries.map(toBase64),
        consistencyProof: [],
      };
    }
    this.#emit(evidence, client.url);
  }

  async splitView(
    bad: SeenCheckpoint,
    top: SeenCheckpoint,
    treeRoot: Uint8Array,
    reader: HashReader,
    keys: KeysInForce,
  ): Promise<void> {
    const evidence = this.#base(
      'split-view',
      bad.size === top.size
        ? `${bad.root} and ${top.root} serve different checkpoints of size ${bad.size}`
        : `${bad.root} serves a checkpoint of size ${bad.size} that is not a prefix of the tree ${top.root} serves at size ${top.size}`,
      keys,
      [bad, top],
    );
    if (bad.size !== top.size) {
      const proof = await consistencyProof(bad.size, top.size, reader);
      evidence.consistency = {
        fromSize: bad.size,
        toSize: top.size,
        fromRootHash: toBase64(treeRoot),
        proof: proof.map(toBase64),
      };
    }
    this.#emit(evidence, bad.root);
  }

  rollback(earlier: SeenCheckpoint, later: SeenCheckpoint, keys: KeysInForce): void {
    const evidence = this.#base(
      'rollback',
      `${later.root} served size ${earlier.size} at ${new Date(earlier.observedAtMs).toISOString()} and size ${later.size} at ${new Date(later.observedAtMs).toISOString()}: its ledger went back`,
      keys,
      [earlier, later],
    );
    this.#emit(evidence, later.root);
  }

  checkpoint(
    kind: EvidenceKind,
    s: SeenCheckpoint,
    keys: KeysInForce,
    explanation: string,
    extra: Pick<EvidenceFile, 'freshness' | 'clock'> = {},
  ): void {
    this.#emit({ ...this.#base(kind, explanation, keys, [s]), ...extra }, s.root);
  }

  async ruleViolation(
    top: SeenCheckpoint,
    failure: RuleFailure,
    entries: Uint8Array[] | undefined,
    reader: HashReader,
    keys: KeysInForce,
  ): Promise<void> {
    const evidence = this.#base(
      'rule-violation',
      `entry ${failure.index} breaks a rule: ${failure.code}: ${failure.message}`,
      keys,
      [top],
    );
    evidence.failure = failure;
    if (entries !== undefined && entries.length > failure.index) {
      const n = failure.index + 1;
      evidence.prefix = {
        start: 0,
        frontier: [],
        entries: entries.slice(0, n).map(toBase64),
        consistencyProof: (await consistencyProof(n, top.size, reader)).map(toBase64),
      };
    }
    this.#emit(evidence, top.root);
  }

  async world(
    root: string,
    value: unknown,
    status: WorldStatus,
    top: SeenCheckpoint,
    entries: Uint8Array[] | undefined,
    keys: KeysInForce,
  ): Promise<void> {
    const evidence = this.#base(
      'uncommitted-world',
      status.status === 'malformed'
        ? `${root} serves something that is not a world at /world`
        : `${root} serves world version ${status.version} (${status.worldHash?.slice(0, 16)}…), which the ledger never committed`,
      keys,
      [top],
    );
    evidence.world = { root, value, worldHash: status.worldHash ?? '' };
    if (entries !== undefined && entries.length === top.size) {
      evidence.prefix = { start: 0, frontier: [], entries: entries.map(toBase64), consistencyProof: [] };
    }
    this.#emit(evidence, root);
  }
}
