// Evidence files: every violation the auditor finds is written as one self-contained JSON
// document (format "witan-audit-evidence/v1", documented in docs/auditing.md) holding the
// signed checkpoint notes, the entries, the RFC 9162 proofs and the member keys it rests on,
// so that `witan audit verify-evidence <file>` — or anyone with an RFC 6962 and signed-note
// implementation — can re-check it offline. What cannot be shown by signatures alone (that a
// root served something over HTTP) is stated in the explanation as the auditor's observation.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quorumSize } from '../base/index.ts';
import { bytesEqual, fromBase64, toBase64, toHex } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import type { MemberKey } from '../governance/index.ts';
import {
  CompactRange,
  decodeEntryBundle,
  HASH_BYTES,
  leafHash,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  type TileId,
  tileWidthAt,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeInclusion,
} from '../ledger/index.ts';
import { type CheckpointCheck, checkCheckpointNote, futureCosignatures } from './checkpoints.ts';
import { COSIGNATURE_FUTURE_MS_MAX, EVIDENCE_BYTES_MAX } from './constants.ts';
import { AuditError } from './errors.ts';

export const EVIDENCE_FORMAT = 'witan-audit-evidence/v1';

export type EvidenceKind =
  | 'split-view'
  | 'rollback'
  | 'insufficient-cosignatures'
  | 'bad-signature'
  | 'stale-checkpoint'
  | 'future-cosignature'
  | 'entry-altered'
  | 'entries-swapped'
  | 'tile-altered'
  | 'tree-mismatch'
  | 'rule-violation'
  | 'uncommitted-world';

export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'split-view',
  'rollback',
  'insufficient-cosignatures',
  'bad-signature',
  'stale-checkpoint',
  'future-cosignature',
  'entry-altered',
  'entries-swapped',
  'tile-altered',
  'tree-mismatch',
  'rule-violation',
  'uncommitted-world',
];

export type KeyJson = { name: string; nodeKey: string };
export type NoteJson = { root: string; observedAtMs: number; note: string };
export type EntryJson = { index: number; entry: string; tileHash: string; inclusionProof: string[] };
/** A tile or bundle as one root served it: its URL's path, the SHA-256 (hex) and the bytes (base64). */
export type ServedJson = { root: string; path: string; sha256: string; bytes: string };
/** A perfect subtree of the signed tree (a tile entry: height 8·level), its hash and inclusion proof. */
export type NodeJson = { height: number; index: number; hash: string; inclusionProof: string[] };

/**
 * A violation the audit proves against the federation's roots, as a file anyone can re-check
 * offline (docs/auditing.md). Not governance's Evidence, which a member files in a statement.
 */
export type EvidenceFile = {
  format: typeof EVIDENCE_FORMAT;
  kind: EvidenceKind;
  origin: string;
  explanation: string;
  createdAtMs: number;
  /** Members' node keys that may make a checkpoint's log signature (name = origin). */
  logKeys: KeyJson[];
  /** Validators and cosigners in force at the size of notes[0]. */
  validators: KeyJson[];
  cosigners: KeyJson[];
  /** Cosignatures that commit, when not a quorum of `validators`: all of them after a recovery. */
  quorum?: number;
  notes: NoteJson[];
  /** split-view at two sizes: RFC 9162 consistency proof from the tree of notes[1]. */
  consistency?: { fromSize: number; toSize: number; fromRootHash: string; proof: string[] };
  /** entry-altered / entries-swapped: entries as served, the committed leaf hashes and their inclusion proofs. */
  entries?: EntryJson[];
  /** entry-altered / entries-swapped (the bundle) and tile-altered (the tile): what notes[0].root served. */
  served?: ServedJson;
  /** tile-altered: the subtree at the first wrong position of the served tile, as the signed tree has it. */
  node?: NodeJson;
  /** tree-mismatch / rule-violation / uncommitted-world: entries [start, start + n) as served. */
  prefix?: { start: number; frontier: string[]; entries: string[]; consistencyProof: string[] };
  /** rule-violation: the entry index and the rule the replay reported. */
  failure?: { index: number; code: string; message: string };
  /** uncommitted-world: the world the root served and its hash. */
  world?: { root: string; value: unknown; worldHash: string };
  /** stale-checkpoint: the policy bound and the auditor's clock. */
  freshness?: { nowMs: number; freshnessMs: number };
  /** future-cosignature: the auditor's clock and the skew it allowed. */
  clock?: { nowMs: number; skewMs: number };
};

/** Replay-dependent checks, supplied by the governance integration (replay.ts). */
export type EvidenceGovernance = {
  /** Replays entries from genesis; the first failure (index, code) or null. */
  replayFailure(entries: Uint8Array[]): { index: number; code: string } | null;
  /** World hashes (hex) of every world entry among `entries`. */
  worldHashes(entries: Uint8Array[]): string[];
  /** worldHash of a world value as served (hex), or undefined if it is not a world. */
  worldHashOf(value: unknown): string | undefined;
};

export type EvidenceVerdict =
  | { ok: true; kind: EvidenceKind; summary: string }
  | { ok: false; reason: string };

export const keyJson = (m: MemberKey): KeyJson => ({ name: m.name, nodeKey: toBase64(m.nodeKey) });
const keyOf = (k: KeyJson): MemberKey => ({ name: k.name, nodeKey: fromBase64(k.nodeKey, 32) });
const b64 = (bytes: Uint8Array): string => toBase64(bytes);

/** A file name that says what it is and cannot collide: <kind>-<sha256 prefix>.json. */
export function evidenceFileName(evidence: EvidenceFile): string {
  const digest = toHex(sha256(new TextEncoder().encode(JSON.stringify(evidence)))).slice(0, 16);
  return `${evidence.kind}-${digest}.json`;
}

export function writeEvidenceFile(dir: string, evidence: EvidenceFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, evidenceFileName(evidence));
  writeFileSync(path, `${JSON.stringify(evidence, null, 2)}\n`, { mode: 0o644 });
  return path;
}

export function readEvidenceFile(path: string): unknown {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new AuditError('BAD_EVIDENCE', `cannot read ${path}: ${(error as Error).message}`);
  }
  if (size > EVIDENCE_BYTES_MAX)
    throw new AuditError('BAD_EVIDENCE', `${path} is larger than ${EVIDENCE_BYTES_MAX} bytes`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new AuditError('BAD_EVIDENCE', `${path} is not a JSON evidence file`);
  }
}

class Refuted extends Error {}
function need(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new Refuted(reason);
}

function checkNote(
  e: EvidenceFile,
  i: number,
  set?: { validators: KeyJson[]; cosigners: KeyJson[] },
): CheckpointCheck {
  const n = e.notes[i];
  need(n !== undefined && typeof n.note === 'string', `notes[${i}] is missing`);
  const count = (set?.validators ?? e.validators).length;
  need(
    e.quorum === undefined ||
      (Number.isSafeInteger(e.quorum) && e.quorum >= quorumSize(count) && e.quorum <= count),
    'the quorum is neither a quorum of the validators nor at most all of them',
  );
  const check = checkCheckpointNote(n.note, {
    origin: e.origin,
    logKeys: e.logKeys.map(keyOf),
    set: {
      validators: (set?.validators ?? e.validators).map(keyOf),
      cosigners: (set?.cosigners ?? e.cosigners).map(keyOf),
      ...(set === undefined && typeof e.quorum === 'number' ? { quorum: e.quorum } : {}),
    },
  });
  need(
    check.checkpoint !== undefined,
    `notes[${i}] is not a checkpoint of ${e.origin}: ${check.problem?.message}`,
  );
  need(
    check.problem?.code !== 'BAD_SIGNATURE' && check.problem?.code !== 'WRONG_ORIGIN',
    `notes[${i}]: ${check.problem?.message}`,
  );
  need(
    check.logSigner !== undefined || check.cosignatures.length > 0,
    `notes[${i}] is signed by none of the listed member keys, so it proves nothing about them`,
  );
  return check;
}

function signersOf(c: CheckpointCheck): string {
  const names = [...(c.logSigner ? [`${c.logSigner} (log)`] : []), ...c.cosignatures.map((s) => s.name)];
  return names.join(', ');
}

function verifySplitView(e: EvidenceFile): string {
  const a = checkNote(e, 0);
  const b = checkNote(e, 1);
  const ca = a.checkpoint!;
  const cb = b.checkpoint!;
  if (ca.size === cb.size) {
    need(!bytesEqual(ca.rootHash, cb.rootHash), 'both notes have the same root: no split view');
    return `two checkpoints of size ${ca.size} with different roots, signed by [${signersOf(a)}] and [${signersOf(b)}]`;
  }
  const c = e.consistency;
  need(c !== undefined, 'a split view across sizes needs a consistency proof');
  const [small, large] = ca.size < cb.size ? [ca, cb] : [cb, ca];
  need(c.fromSize === small.size && c.toSize === large.size, 'the proof is not between the two sizes');
  const fromRoot = fromBase64(c.fromRootHash, 32);
  need(
    verifyConsistency(
      small.size,
      large.size,
      c.proof.map((p) => fromBase64(p, 32)),
      fromRoot,
      large.rootHash,
    ),
    'the consistency proof does not verify against the larger checkpoint',
  );
  need(!bytesEqual(fromRoot, small.rootHash), 'the smaller checkpoint is consistent with the larger one');
  return `the tree of size ${large.size} has root ${toHex(fromRoot).slice(0, 16)}… at size ${small.size}, not the signed ${toHex(small.rootHash).slice(0, 16)}…; signed by [${signersOf(a)}] and [${signersOf(b)}]`;
}

function verifyRollback(e: EvidenceFile): string {
  const earlier = checkNote(e, 0);
  const later = checkNote(e, 1);
  need(e.notes[0]!.root === e.notes[1]!.root, 'a rollback is one root going back');
  need(e.notes[0]!.observedAtMs <= e.notes[1]!.observedAtMs, 'notes are not in the order observed');
  need(later.checkpoint!.size < earlier.checkpoint!.size, 'the later checkpoint is not smaller');
  need(
    earlier.logSigner !== undefined && earlier.logSigner === later.logSigner,
    'both notes must carry the log signature of the same member',
  );
  return `${e.notes[0]!.root} (log key of ${earlier.logSigner}) served size ${earlier.checkpoint!.size}, later ${later.checkpoint!.size}`;
}

function verifyQuorum(e: EvidenceFile): string {
  const c = checkNote(e, 0);
  need(!c.committed, `the note is cosigned by ${c.validatorCosigners.length} validators, a quorum`);
  return `${c.validatorCosigners.length} of ${c.validatorCount} validators cosigned (quorum ${c.quorum}); other signers: ${c.unknownSigners.join(', ') || 'none'}`;
}

function verifyBadSignature(e: EvidenceFile): string {
  const n = e.notes[0];
  need(n !== undefined, 'notes[0] is missing');
  const check = checkCheckpointNote(n.note, {
    origin: e.origin,
    logKeys: e.logKeys.map(keyOf),
    set: { validators: e.validators.map(keyOf), cosigners: e.cosigners.map(keyOf) },
  });
  need(check.problem?.code === 'BAD_SIGNATURE', 'every signature by a listed key verifies');
  return check.problem.message;
}

function verifyStale(e: EvidenceFile): string {
  const c = checkNote(e, 0);
  const f = e.freshness;
  need(f !== undefined, 'freshness bound missing');
  need(
    c.quorumTimeMs === undefined || f.nowMs - c.quorumTimeMs > f.freshnessMs,
    'the newest quorum is fresh',
  );
  return c.quorumTimeMs === undefined
    ? 'no quorum of validators cosigned the newest checkpoint'
    : `newest quorum cosigned at ${new Date(c.quorumTimeMs).toISOString()}, ${f.nowMs - c.quorumTimeMs} ms before the audit; policy allows ${f.freshnessMs} ms`;
}

function verifyFuture(e: EvidenceFile): string {
  const c = checkNote(e, 0);
  const clock = e.clock;
  need(clock !== undefined, 'the auditor clock is missing');
  need(
    clock.skewMs >= COSIGNATURE_FUTURE_MS_MAX,
    `a skew below ${COSIGNATURE_FUTURE_MS_MAX} ms is not the rule (ledger/LEDGER.md §3.2)`,
  );
  const ahead = futureCosignatures(c, clock.nowMs, clock.skewMs);
  need(ahead.length > 0, 'no cosignature by a listed key is dated past the allowed skew');
  const names = ahead.map((a) => `${a.name} at ${new Date(a.timestampS * 1000).toISOString()}`);
  return `cosigned ${names.join(', ')}: more than ${clock.skewMs} ms after the audit's clock ${new Date(clock.nowMs).toISOString()}`;
}

function verifyEntries(e: EvidenceFile): string {
  const c = checkNote(e, 0);
  const cp = c.checkpoint!;
  const entries = e.entries ?? [];
  need(entries.length === (e.kind === 'entries-swapped' ? 2 : 1), 'wrong number of entries');
  const served = entries.map((x) => leafHash(fromBase64(x.entry)));
  const tile = entries.map((x) => fromBase64(x.tileHash, 32));
  for (const [i, x] of entries.entries()) {
    need(
      verifyInclusion(
        x.index,
        cp.size,
        tile[i]!,
        x.inclusionProof.map((p) => fromBase64(p, 32)),
        cp.rootHash,
      ),
      `the tile hash at ${x.index} is not included in the signed checkpoint`,
    );
    need(!bytesEqual(served[i]!, tile[i]!), `the entry at ${x.index} is the committed one`);
  }
  const where = e.served === undefined ? '' : ` in ${servedBundle(e, entries)} by ${e.served.root}`;
  if (e.kind === 'entries-swapped') {
    need(
      bytesEqual(served[0]!, tile[1]!) && bytesEqual(served[1]!, tile[0]!),
      'the entries are not each other’s',
    );
    return `entries ${entries[0]!.index} and ${entries[1]!.index} were served in each other's place${where}; the checkpoint of size ${cp.size} is signed by [${signersOf(c)}]`;
  }
  return `the entry served at ${entries[0]!.index}${where} is not the one the checkpoint of size ${cp.size} signed by [${signersOf(c)}] commits to`;
}

/** Checks `served` (bytes, digest, path, root) and returns its tile coordinates. */
function checkServed(e: EvidenceFile): { tile: TileId; bytes: Uint8Array; path: string } {
  const s = e.served;
  need(s !== undefined, 'what the root served is missing');
  need(s.root === e.notes[0]!.root, 'the data was not served by the root whose checkpoint is given');
  const bytes = fromBase64(s.bytes);
  need(toHex(sha256(bytes)) === s.sha256, 'the served bytes do not have the stated SHA-256');
  let tile: TileId;
  try {
    tile = parseTilePath(s.path);
  } catch {
    throw new Refuted(`${s.path} is not a tile path`);
  }
  return { tile, bytes, path: s.path };
}

/** Checks that the served bundle holds each listed entry at its index; returns its description. */
function servedBundle(e: EvidenceFile, entries: readonly EntryJson[]): string {
  const { tile, bytes, path } = checkServed(e);
  need(tile.level === 'entries', `${path} is not an entry bundle`);
  let decoded: Uint8Array[];
  try {
    decoded = decodeEntryBundle(bytes, tile.width);
  } catch {
    throw new Refuted(`${path} as served is not a bundle of ${tile.width} entries`);
  }
  for (const x of entries) {
    need(Math.floor(x.index / TILE_WIDTH) === tile.index, `entry ${x.index} is not in ${path}`);
    const inBundle = decoded[x.index % TILE_WIDTH];
    need(
      inBundle !== undefined && bytesEqual(inBundle, fromBase64(x.entry)),
      `${path} does not hold the stated entry ${x.index}`,
    );
  }
  return `${path} (sha256 ${e.served!.sha256.slice(0, 16)}…)`;
}

function verifyTile(e: EvidenceFile): string {
  const c = checkNote(e, 0);
  const cp = c.checkpoint!;
  const { tile, bytes, path } = checkServed(e);
  need(typeof tile.level === 'number', `${path} is not a hash tile`);
  need(
    tile.width === tileWidthAt(tile.level, tile.index, cp.size),
    `${path} is not a tile of the tree of size ${cp.size}`,
  );
  need(bytes.length === tile.width * HASH_BYTES, `${path} as served is not ${tile.width} hashes`);
  const n = e.node;
  need(n !== undefined, 'the committed node is missing');
  need(
    n.height === tile.level * TILE_HEIGHT,
    `a hash of ${path} is a subtree of height ${tile.level * TILE_HEIGHT}`,
  );
  const position = n.index - tile.index * TILE_WIDTH;
  need(position >= 0 && position < tile.width, `subtree ${n.index} is not in ${path}`);
  const committed = fromBase64(n.hash, HASH_BYTES);
  need(
    verifySubtreeInclusion(
      { height: n.height, index: n.index },
      cp.size,
      committed,
      n.inclusionProof.map((p) => fromBase64(p, HASH_BYTES)),
      cp.rootHash,
    ),
    `the hash of subtree ${n.height}/${n.index} is not included in the signed checkpoint`,
  );
  const servedHash = bytes.subarray(position * HASH_BYTES, (position + 1) * HASH_BYTES);
  need(!bytesEqual(servedHash, committed), `${path} holds the committed hash at position ${position}`);
  return `${e.served!.root} served ${path} (sha256 ${e.served!.sha256.slice(0, 16)}…) whose hash at position ${position} is not the one the checkpoint of size ${cp.size} signed by [${signersOf(c)}] commits to`;
}

/** Checks that prefix entries extend the given frontier to a tree consistent with notes[0]; returns the range. */
function checkPrefix(
  e: EvidenceFile,
  expectConsistent: boolean,
): { entries: Uint8Array[]; root: Uint8Array; size: number } {
  const c = checkNote(e, 0);
  const cp = c.checkpoint!;
  const p = e.prefix;
  need(p !== undefined, 'prefix entries missing');
  const range = new CompactRange(
    p.start,
    p.frontier.map((h) => fromBase64(h, 32)),
  );
  const entries = p.entries.map((x) => fromBase64(x));
  for (const x of entries) range.append(leafHash(x));
  const root = range.root();
  const consistent =
    range.size === cp.size
      ? bytesEqual(root, cp.rootHash)
      : verifyConsistency(
          range.size,
          cp.size,
          p.consistencyProof.map((h) => fromBase64(h, 32)),
          root,
          cp.rootHash,
        );
  need(
    consistent === expectConsistent,
    expectConsistent ? 'the entries are not in the signed tree' : 'the entries give the signed root',
  );
  return { entries, root, size: range.size };
}

function verifyTreeMismatch(e: EvidenceFile): string {
  const { size } = checkPrefix(e, false);
  need(size === checkNote(e, 0).checkpoint!.size, 'the entries do not reach the checkpoint size');
  return `the entries served up to size ${size} do not give the root the checkpoint signs`;
}

function verifyRule(e: EvidenceFile, g: EvidenceGovernance | undefined): string {
  need(g !== undefined, 'governance replay is not available to check this evidence');
  const { entries } = checkPrefix(e, true);
  need(e.prefix!.start === 0, 'a replay starts at genesis');
  const f = e.failure;
  need(f !== undefined, 'failure missing');
  const found = g.replayFailure(entries);
  need(found !== null, 'the entries replay without a rule violation');
  need(
    found.index === f.index && found.code === f.code,
    `replay fails at ${found.index} with ${found.code}, not as stated`,
  );
  return `entry ${f.index} breaks a rule: ${f.code} (${f.message})`;
}

function verifyWorld(e: EvidenceFile, g: EvidenceGovernance | undefined): string {
  need(g !== undefined, 'governance replay is not available to check this evidence');
  const w = e.world;
  need(w !== undefined, 'world missing');
  need(g.worldHashOf(w.value) === w.worldHash, 'the world hash does not match the world');
  const { entries } = checkPrefix(e, true);
  need(e.prefix!.start === 0, 'all entries from genesis are needed to show a world is absent');
  need(!g.worldHashes(entries).includes(w.worldHash), 'the ledger does commit this world');
  return `${w.root} served world ${w.worldHash.slice(0, 16)}…, which no entry of the signed ledger commits`;
}

/** Re-checks an evidence document offline. Never throws for bad evidence: the verdict says why. */
export function verifyEvidence(input: unknown, governance?: EvidenceGovernance): EvidenceVerdict {
  const e = input as EvidenceFile;
  try {
    need(
      typeof e === 'object' && e !== null && e.format === EVIDENCE_FORMAT,
      `not a ${EVIDENCE_FORMAT} document`,
    );
    need(EVIDENCE_KINDS.includes(e.kind), `unknown evidence kind ${String(e.kind)}`);
    need(
      Array.isArray(e.notes) && Array.isArray(e.logKeys) && Array.isArray(e.validators),
      'notes and keys are required',
    );
    const summary = (() => {
      switch (e.kind) {
        case 'split-view':
          return verifySplitView(e);
        case 'rollback':
          return verifyRollback(e);
        case 'insufficient-cosignatures':
          return verifyQuorum(e);
        case 'bad-signature':
          return verifyBadSignature(e);
        case 'stale-checkpoint':
          return verifyStale(e);
        case 'future-cosignature':
          return verifyFuture(e);
        case 'entry-altered':
        case 'entries-swapped':
          return verifyEntries(e);
        case 'tile-altered':
          return verifyTile(e);
        case 'tree-mismatch':
          return verifyTreeMismatch(e);
        case 'rule-violation':
          return verifyRule(e, governance);
        case 'uncommitted-world':
          return verifyWorld(e, governance);
      }
    })();
    return { ok: true, kind: e.kind, summary };
  } catch (error) {
    if (error instanceof Refuted) return { ok: false, reason: error.message };
    return { ok: false, reason: `malformed evidence: ${(error as Error).message}` };
  }
}

export { b64 as evidenceBase64 };
