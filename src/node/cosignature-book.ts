// Collects members' cosignatures (C2SP cosignature/v1) on this root's current checkpoint and
// decides when it is committed: cosignatures from a quorum of the validators in force at that
// size (docs/architecture.md "Checkpoint signatures"). The served note is the checkpoint text, this root's
// own log signature (type 0x01, name = origin), the federation's signature (type 0x01, name =
// origin, key = the federation key, once the members made it), every valid cosignature
// collected, one per cosigner, newest timestamp kept — so freshness comes from re-cosigning,
// not from new entries — and members' ML-DSA-44 cosignatures (type 0x06, made once per tree)
// while the note has room for them (NOTE_SIGNATURES_MAX lines).
//
// A member's cosignature on a different root hash at the same size is equivocation; the book
// keeps both signed notes so the root can turn them into an evidence statement.

import { invariant } from '../base/index.ts';
import { bytesEqual } from '../codec/index.ts';
import {
  cosignatureTimestamp,
  cosignatureVerifier,
  ED25519_NOTE_TYPE,
  formatNote,
  mlDsaCosignatureVerifier,
  NOTE_SIGNATURES_MAX,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  noteKeyId,
  parseNote,
  verifySignature,
} from '../crypto/index.ts';
import { checkpointSubtree, formatCheckpoint, parseCheckpoint } from '../ledger/index.ts';

export interface Cosigner {
  name: string;
  nodeKey: Uint8Array;
  /** The member's ML-DSA-44 key, when it has one: its type 0x06 lines are kept too. */
  mlDsaKey?: Uint8Array;
}

export interface CosignatureConflict {
  /** The member who cosigned two different trees of one size. */
  name: string;
  /** Our checkpoint note carrying that member's cosignature. */
  ours: string;
  /** The other note, with the member's cosignature on a different root hash. */
  theirs: string;
}

/**
 * Notes for a tree this root has not committed yet, kept until it has: a peer that commits
 * first cosigns first, and its one announcement must not be lost to our slower append.
 */
export const AHEAD_NOTES_MAX = 64;

/**
 * A root shares its note with every member every few seconds, for the fresher cosignature/v1
 * timestamps; the ML-DSA-44 lines (≈ 3.3 KB each, made once per tree) ride along only when
 * they changed since they last went out for this tree, or once this long after: a member that
 * lost that message gets them again within this bound (one that rejoins is sent the full note).
 */
export const ML_DSA_RESHARE_MS = 30_000;

export type AddResult =
  | { kind: 'added'; names: string[] }
  | { kind: 'ahead' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'conflict'; conflicts: CosignatureConflict[] };

/** The latest cosignature of each member plus the note it came in, for evidence. */
interface Held {
  signature: NoteSignature;
  timestamp: number;
}

export class CosignatureBook {
  readonly origin: string;
  #logSigner: NoteSigner;
  #size = -1;
  #rootHash: Uint8Array = new Uint8Array(0);
  #text = '';
  #logSignature: NoteSignature | undefined;
  #held = new Map<string, Held>();
  /** Outside witnesses' cosignatures on the current tree: published, never counted for quorum. */
  #witnessed = new Map<string, Held>();
  #ahead: { size: number; note: string }[] = [];
  /** The federation key in force for the current tree, and its signature on it once made. */
  #federationKey: Uint8Array | undefined;
  #federation: NoteSignature | undefined;
  /** Members' ML-DSA-44 cosignatures on the current tree, by name. */
  #mlDsa = new Map<string, NoteSignature>();
  /** Changes to #mlDsa since the book began; a shared note with its lines records the count. */
  #mlDsaChanges = 0;
  /** When the current tree's ML-DSA-44 lines last went out in a shared note, and at what count. */
  #mlDsaShared: { atMs: number; changes: number } | undefined;

  constructor(origin: string, logSigner: NoteSigner) {
    this.origin = origin;
    this.#logSigner = logSigner;
  }

  get size(): number {
    return this.#size;
  }

  get text(): string {
    return this.#text;
  }

  /** Moves to a new tree head; cosignatures for the previous one are dropped. */
  setTree(size: number, rootHash: Uint8Array): void {
    if (size === this.#size && bytesEqual(rootHash, this.#rootHash)) return;
    invariant(size >= this.#size, `the tree only grows (from ${this.#size}, asked for ${size})`);
    this.#size = size;
    this.#rootHash = new Uint8Array(rootHash);
    this.#text = formatCheckpoint({ origin: this.origin, size, rootHash, extensions: [] });
    const message = new TextEncoder().encode(this.#text);
    const signer = this.#logSigner;
    this.#logSignature = { name: signer.name, keyId: signer.keyId, signature: signer.sign(message) };
    this.#held.clear();
    this.#witnessed.clear();
    this.#federation = undefined;
    this.#mlDsa.clear();
    this.#mlDsaChanges++;
    this.#mlDsaShared = undefined;
  }

  /** The federation key whose signature the current tree may carry (undefined: none yet). */
  setFederationKey(key: Uint8Array | undefined): void {
    if (key !== undefined && this.#federationKey !== undefined && bytesEqual(key, this.#federationKey))
      return;
    this.#federationKey = key === undefined ? undefined : new Uint8Array(key);
    this.#federation = undefined;
  }

  /** Whether the current tree carries the federation's signature. */
  get federationSigned(): boolean {
    return this.#federation !== undefined;
  }

  /** Keeps the federation's signature on the current tree if it verifies under the key in force. */
  addFederationSignature(signature: Uint8Array): boolean {
    const key = this.#federationKey;
    if (key === undefined || this.#federation !== undefined) return false;
    if (!verifySignature(key, new TextEncoder().encode(this.#text), signature)) return false;
    this.#federation = {
      name: this.origin,
      keyId: noteKeyId(this.origin, ED25519_NOTE_TYPE, key),
      signature,
    };
    return true;
  }

  /** This root's ML-DSA-44 cosignature on the current tree, made once per tree. */
  cosignOwnMlDsa(signer: NoteSigner): void {
    if (this.#mlDsa.has(signer.name)) return;
    const signature = signer.sign(new TextEncoder().encode(this.#text));
    this.#mlDsa.set(signer.name, { name: signer.name, keyId: signer.keyId, signature });
    this.#mlDsaChanges++;
  }

  /** Names with an ML-DSA-44 cosignature on the current tree, sorted. */
  mlDsaCosigners(): string[] {
    return [...this.#mlDsa.keys()].sort();
  }

  /** Keeps an outside witness's verified cosignature on the current tree (newest per witness). */
  addWitness(signature: NoteSignature): void {
    const timestamp = cosignatureTimestamp(signature);
    const previous = this.#witnessed.get(signature.name);
    if (previous === undefined || previous.timestamp < timestamp)
      this.#witnessed.set(signature.name, { signature, timestamp });
  }

  /** Adds this root's own cosignature (made by `signer`, a cosignatureSigner) on the current tree. */
  cosignOwn(signer: NoteSigner): NoteSignature {
    const message = new TextEncoder().encode(this.#text);
    const signature: NoteSignature = {
      name: signer.name,
      keyId: signer.keyId,
      signature: signer.sign(message),
    };
    this.#hold(signature);
    return signature;
  }

  /**
   * Takes a note from a peer and keeps every cosignature in it by a known cosigner that
   * verifies on the current tree. A note for another size is ignored; a valid cosignature on
   * a different root of the same size is reported as a conflict.
   */
  add(note: string, cosigners: Cosigner[]): AddResult {
    let checkpoint: ReturnType<typeof parseCheckpoint>;
    let parsed: ReturnType<typeof parseNote>;
    try {
      parsed = parseNote(note);
      checkpoint = parseCheckpoint(parsed.text);
    } catch (err) {
      return { kind: 'ignored', reason: `malformed note: ${(err as Error).message}` };
    }
    if (checkpoint.origin !== this.origin) return { kind: 'ignored', reason: 'another origin' };
    if (checkpoint.size > this.#size) {
      if (this.#ahead.length >= AHEAD_NOTES_MAX) this.#ahead.shift();
      this.#ahead.push({ size: checkpoint.size, note });
      return { kind: 'ahead' };
    }
    if (checkpoint.size !== this.#size)
      return { kind: 'ignored', reason: `size ${checkpoint.size} is not current` };
    // A line equal to the one held for its member, on the same text, was verified when it was
    // taken: peers re-share their notes with every line they hold, so most are ones we have.
    const held = (s: NoteSignature) => {
      const mine = this.#held.get(s.name)?.signature.signature;
      return parsed.text === this.#text && mine !== undefined && bytesEqual(mine, s.signature);
    };
    const verified = verifiedCosignatures(parsed, cosigners, held);
    if (verified.length === 0) return { kind: 'ignored', reason: 'no valid cosignature by a member' };
    if (parsed.text !== this.#text) {
      if (bytesEqual(checkpoint.rootHash, this.#rootHash))
        return { kind: 'ignored', reason: 'different extensions' };
      const conflicts: CosignatureConflict[] = [];
      for (const s of verified) {
        const mine = this.#held.get(s.name);
        // Each side carries the checkpoint and that member's cosignature only: evidence stays
        // small whatever else (ML-DSA lines, other members) the peer's note holds.
        if (mine !== undefined)
          conflicts.push({
            name: s.name,
            ours: this.#noteWith([mine.signature]),
            theirs: formatNote(parsed.text, [s]),
          });
      }
      return conflicts.length > 0
        ? { kind: 'conflict', conflicts }
        : { kind: 'ignored', reason: 'a different tree of the same size, not cosigned by anyone we hold' };
    }
    for (const s of verified) this.#hold(s);
    this.#takeExtraLines(parsed.signatures, cosigners);
    return { kind: 'added', names: verified.map((s) => s.name) };
  }

  /** From a peer's note on the current tree: the federation's line and ML-DSA-44 lines we lack. */
  #takeExtraLines(signatures: readonly NoteSignature[], cosigners: readonly Cosigner[]): void {
    const key = this.#federationKey;
    const message = new TextEncoder().encode(this.#text);
    for (const s of signatures) {
      if (
        key !== undefined &&
        s.name === this.origin &&
        s.keyId === noteKeyId(this.origin, ED25519_NOTE_TYPE, key)
      ) {
        this.addFederationSignature(s.signature);
        continue;
      }
      const cosigner = cosigners.find((c) => c.name === s.name && c.mlDsaKey !== undefined);
      const held = this.#mlDsa.get(s.name);
      if (cosigner === undefined || (held !== undefined && bytesEqual(held.signature, s.signature))) continue;
      const verifier = mlDsaCosignatureVerifier(cosigner.name, cosigner.mlDsaKey!, checkpointSubtree);
      if (s.keyId === verifier.keyId && verifier.verify(message, s.signature)) {
        this.#mlDsa.set(s.name, s);
        this.#mlDsaChanges++;
      }
    }
  }

  /** After setTree: adds the notes that arrived early for this tree; later ones stay kept. */
  addAhead(cosigners: Cosigner[]): AddResult[] {
    const due = this.#ahead.filter((a) => a.size === this.#size);
    this.#ahead = this.#ahead.filter((a) => a.size > this.#size);
    return due.map((a) => this.add(a.note, cosigners));
  }

  /**
   * How many of `validators` have cosigned the current tree — with an ML-DSA-44 cosignature
   * too when `withMlDsa` (from the policy's mlDsaRequiredFromVersion on, ledger/LEDGER.md §3.4).
   */
  count(validators: readonly string[], withMlDsa = false): number {
    return validators.filter((name) => this.#held.has(name) && (!withMlDsa || this.#mlDsa.has(name))).length;
  }

  /**
   * The time (Unix seconds) by which `quorum` of `validators` had cosigned the current tree at
   * their newest: the freshness a client sees in the served note. Undefined without a quorum.
   */
  quorumTimestamp(validators: readonly string[], quorum: number): number | undefined {
    const times = validators
      .map((name) => this.#held.get(name)?.timestamp)
      .filter((t): t is number => t !== undefined)
      .sort((a, b) => b - a);
    return quorum > 0 && times.length >= quorum ? times[quorum - 1] : undefined;
  }

  /** Names that have cosigned the current tree, sorted. */
  cosigners(): string[] {
    return [...this.#held.keys()].sort();
  }

  /**
   * The note to serve: text, this root's log signature, the federation's, members' then
   * witnesses' cosignatures by name, then members' ML-DSA-44 lines by name while the note has
   * room for them (a stock verifier reads at most NOTE_SIGNATURES_MAX lines).
   */
  note(): string {
    return this.#note(true);
  }

  /**
   * The note to share with the other members now (`nowMs`: the wall clock): note(), without
   * the ML-DSA-44 lines when the same lines went out for this tree less than ML_DSA_RESHARE_MS
   * ago. Every line stays in what the root serves and saves; only the repeats are left out.
   * `whole`: the full note whatever went out before (for a member that just joined).
   */
  shareNote(nowMs: number, whole = false): string {
    const shared = this.#mlDsaShared;
    const withMlDsa =
      this.#mlDsa.size > 0 &&
      (whole ||
        shared === undefined ||
        shared.changes !== this.#mlDsaChanges ||
        // A wall clock set back counts as due too, or the lines could wait for it to catch up.
        nowMs < shared.atMs ||
        nowMs - shared.atMs >= ML_DSA_RESHARE_MS);
    if (withMlDsa) this.#mlDsaShared = { atMs: nowMs, changes: this.#mlDsaChanges };
    return this.#note(withMlDsa);
  }

  #note(withMlDsa: boolean): string {
    const byName = (a: Held, b: Held) => (a.signature.name < b.signature.name ? -1 : 1);
    const members = [...this.#held.values()].sort(byName);
    const witnesses = [...this.#witnessed.values()].sort(byName);
    const lines = [...members, ...witnesses].map((h) => h.signature);
    const mlDsa = withMlDsa ? [...this.#mlDsa.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
    const fixed = this.#federation === undefined ? [] : [this.#federation];
    const room = NOTE_SIGNATURES_MAX - 1 - fixed.length - lines.length;
    return this.#noteWith([...fixed, ...lines, ...mlDsa.slice(0, Math.max(room, 0))]);
  }

  #noteWith(cosignatures: NoteSignature[]): string {
    invariant(this.#logSignature !== undefined, 'setTree comes before the first note');
    return formatNote(this.#text, [this.#logSignature, ...cosignatures]);
  }

  #hold(signature: NoteSignature): void {
    const timestamp = cosignatureTimestamp(signature);
    const previous = this.#held.get(signature.name);
    if (previous === undefined || previous.timestamp < timestamp)
      this.#held.set(signature.name, { signature, timestamp });
  }
}

/**
 * Every cosignature in `note` by one of `cosigners` that verifies. As openNote, one bad line by
 * a member's key and none of that member's lines count. Lines `known` says were verified before
 * are not verified again.
 */
export function verifiedCosignatures(
  note: string | { text: string; signatures: readonly NoteSignature[] },
  cosigners: readonly Cosigner[],
  known: (s: NoteSignature) => boolean = () => false,
): NoteSignature[] {
  let parsed: { text: string; signatures: readonly NoteSignature[] };
  try {
    parsed = typeof note === 'string' ? parseNote(note) : note;
  } catch {
    return []; // a malformed note carries no cosignature
  }
  const message = new TextEncoder().encode(parsed.text);
  const out: NoteSignature[] = [];
  for (const c of cosigners) {
    let verifier: NoteVerifier;
    try {
      verifier = cosignatureVerifier(c.name, c.nodeKey);
    } catch {
      continue; // a key that is not a valid Ed25519 key verifies nothing
    }
    const lines = parsed.signatures.filter((s) => s.name === c.name && s.keyId === verifier.keyId);
    if (lines.length > 0 && lines.every((s) => known(s) || verifier.verify(message, s.signature)))
      for (const s of lines) if (!out.some((o) => bytesEqual(o.signature, s.signature))) out.push(s);
  }
  return out;
}
