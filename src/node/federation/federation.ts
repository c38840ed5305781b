// The federation key on a root (docs/architecture.md "Federation key"): this member's part in
// the DKG (ceremony-runner.ts), threshold signing with the other roots (signer.ts), and what is
// signed — the checkpoint this root serves (the federation's line in its note) and the parts
// of every world waiting for the federation's signatures (its world note, planet and moon),
// which a coordinating root puts in the ledger as a federation-signature statement.

import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { FederationStatus } from '../../api/federation-view.ts';
import type { SubmitResult } from '../../api/root-view.ts';
import { fromBase64, fromHex, toBase64, toHex, utf8Bytes } from '../../codec/index.ts';
import type { GroupKey, KeyShare } from '../../frost/index.ts';
import {
  type FederationKey,
  federationSignature,
  federationVkey,
  type GovernanceState,
  type PendingSignature,
  type SignedStatement,
  signStatement,
  votingNames,
  type World,
} from '../../governance/index.ts';
import type { CosignatureBook } from '../cosignature-book.ts';
import { CeremonyRunner, readShare } from './ceremony-runner.ts';
import {
  CHECKPOINT_SETTLE_MS,
  CHECKPOINT_SIGNED_AGE_MAX_MS,
  SHARE_FILES_LOADED_MAX,
  STATEMENT_FALLBACK_MS,
} from './constants.ts';
import { FederationError } from './errors.ts';
import { decodeFrostMessage, type Job } from './messages.ts';
import { FederationSigner } from './signer.ts';
import { WorldSchedule } from './world-schedule.ts';

/** A world's federation key as src/frost wants it: signing needs the group key and the verifying shares. */
export function groupOf(key: FederationKey): GroupKey {
  const publicKey = toHex(fromBase64(key.publicKey));
  return {
    threshold: key.threshold,
    publicKey,
    commitments: [publicKey],
    verifyingShares: Object.fromEntries(
      key.participants.map((p) => [p.member, toHex(fromBase64(p.verifyingShare))]),
    ),
  };
}

export interface FederationHost {
  readonly federation: string;
  readonly nodeSecretKey: Uint8Array;
  readonly shareDir: string;
  readonly log: Logger;
  readonly book: CosignatureBook;
  state(): GovernanceState;
  /** Every world the ledger holds, oldest first (to find an earlier key by its public key). */
  worlds(): readonly World[];
  self(): string | undefined;
  nodeKeyOf(member: string): Uint8Array | undefined;
  online(): ReadonlySet<string>;
  publish(bytes: Uint8Array): void;
  submit(signed: SignedStatement): SubmitResult;
  /** The checkpoint now carries the federation's signature: save and share the note. */
  checkpointSigned(): void;
  ledgerNow(): number;
  now(): number;
}

export class RootFederation {
  readonly #host: FederationHost;
  readonly #runner: CeremonyRunner;
  readonly #signer: FederationSigner;
  readonly #shares = new Map<string, KeyShare | null>();
  /** Signatures collected for worlds waiting for them, by version then part key. */
  readonly #parts = new Map<number, Map<string, string>>();
  /** Versions this root aggregated a part of: it puts their statement in the ledger. */
  readonly #coordinated = new Set<number>();
  /** When every part of a version was here: past a turn, any root puts it in the ledger. */
  readonly #completeMs = new Map<number, number>();
  /** The tree the served checkpoint is on, since when; and when a checkpoint was last signed. */
  #tree = { size: -1, sinceMs: 0, overdue: false };
  /** When the last checkpoint was signed, or the last attempt on a tree that had not settled began. */
  #checkpointTriedMs = 0;
  /** Which waiting worlds to sign now (world-schedule.ts). */
  readonly #worlds = new WorldSchedule();
  /** When the served tree or the newest world settles, if one waits to: the next update's time. */
  #settlesAtMs: number | undefined;

  constructor(host: FederationHost) {
    this.#host = host;
    mkdirSync(host.shareDir, { recursive: true, mode: 0o700 });
    this.#runner = new CeremonyRunner({
      federation: host.federation,
      nodeSecretKey: host.nodeSecretKey,
      shareDir: host.shareDir,
      log: host.log,
      self: () => host.self(),
      ledgerNow: () => host.ledgerNow(),
      now: () => host.now(),
      submit: (signed) => host.submit(signed),
    });
    this.#signer = new FederationSigner({
      federation: host.federation,
      nodeSecretKey: host.nodeSecretKey,
      log: host.log,
      self: () => host.self(),
      online: () => host.online(),
      coordinators: () => votingNames(host.state().world),
      messageOf: (job, key) => this.#messageOf(job, key),
      signed: (job, key, signature, own) => this.#signed(job, key, signature, own),
      publish: (bytes) => host.publish(bytes),
      now: () => host.now(),
    });
  }

  /** Takes one gossip message from the federation-key topic; refusals are logged, nothing changes. */
  receive(bytes: Uint8Array): void {
    try {
      this.#signer.receive(
        decodeFrostMessage(bytes, this.#host.federation, (m) => this.#host.nodeKeyOf(m)),
        bytes,
      );
    } catch (e) {
      if (!(e instanceof FederationError)) throw e;
      this.#host.log.warn({ code: e.code }, `federation key message refused: ${e.message}`);
    }
  }

  /** A member (re)joined the federation-key topic: it gets this root's nonce commitments now. */
  greet(): void {
    this.#signer.greet();
  }

  /** After a commit, and on a timer: the ceremony's next step, keys, jobs, coordinator turns. */
  update(): void {
    const state = this.#host.state();
    this.#runner.onState(state);
    const keys = this.#keysInUse(state);
    this.#signer.setKeys(keys);
    this.#host.book.setFederationKey(
      state.world.federationKey === undefined ? undefined : fromBase64(state.world.federationKey.publicKey),
    );
    this.#signer.want(this.#jobs(state));
    this.#signer.tick();
    this.#submitSigned(state);
  }

  /**
   * How long until the served tree or the newest waiting world has stood long enough to be
   * signed (as the last update saw them), or undefined: the root updates again then, instead of
   * at its next tick (up to FEDERATION_TICK_MS later).
   */
  settlesInMs(): number | undefined {
    return this.#settlesAtMs === undefined ? undefined : Math.max(0, this.#settlesAtMs - this.#host.now());
  }

  status(): FederationStatus {
    const state = this.#host.state();
    const key = state.world.federationKey;
    const c = state.ceremony;
    const me = this.#host.self();
    const run = this.#runner.status;
    return {
      key:
        key === undefined
          ? null
          : {
              publicKey: key.publicKey,
              vkey: federationVkey(state.world, key.publicKey),
              session: key.session,
              threshold: key.threshold,
              participants: key.participants.map((p) => p.member),
              holder: this.#share(key) !== undefined,
            },
      ceremony:
        c === undefined
          ? null
          : {
              session: c.session,
              phase: c.phase,
              participants: c.participants,
              threshold: c.threshold,
              sent:
                c.phase === 'commitments'
                  ? Object.keys(c.commitments).sort()
                  : c.phase === 'shares'
                    ? Object.keys(c.shares).sort()
                    : [...c.confirmed].sort(),
              excluded: c.excluded,
              thisRoot:
                me === undefined || !c.participants.includes(me)
                  ? 'not a participant'
                  : run?.session === c.session && run.active
                    ? 'taking part'
                    : 'sitting out',
            },
      pendingWorlds: (state.pendingSignatures ?? []).map((p) => p.version),
      faults: [...this.#signer.faults],
    };
  }

  #share(key: FederationKey): KeyShare | undefined {
    const me = this.#host.self();
    if (me === undefined || !key.participants.some((p) => p.member === me)) return undefined;
    let share = this.#shares.get(key.session);
    if (share === undefined) {
      share = readShare(this.#host.shareDir, key.session, me) ?? null;
      if (share !== null || this.#shares.size < SHARE_FILES_LOADED_MAX) this.#shares.set(key.session, share);
    }
    return share ?? undefined;
  }

  /** The federation key by its public key, from the worlds the ledger holds (newest first). */
  #keyOf(publicKey: string): FederationKey | undefined {
    const worlds = this.#host.worlds();
    for (let i = worlds.length - 1; i >= 0; i--) {
      const k = worlds[i]!.federationKey;
      if (k?.publicKey === publicKey) return k;
    }
    return undefined;
  }

  /** The key in force and every key a waiting world needs, each with this member's share if it has one. */
  #keysInUse(state: GovernanceState) {
    const wanted = new Set<string>();
    if (state.world.federationKey !== undefined) wanted.add(state.world.federationKey.publicKey);
    for (const p of state.pendingSignatures ?? []) {
      for (const k of p.keys) wanted.add(k);
      if (p.planet !== undefined) wanted.add(p.planet.key);
      if (p.moon !== undefined) wanted.add(p.moon.key);
    }
    const out: { key: string; group: GroupKey; share?: KeyShare }[] = [];
    for (const publicKey of wanted) {
      const key =
        this.#keyOf(publicKey) ??
        (state.world.federationKey?.publicKey === publicKey ? state.world.federationKey : undefined);
      if (key === undefined) continue;
      const share = this.#share(key);
      out.push({ key: publicKey, group: groupOf(key), ...(share === undefined ? {} : { share }) });
    }
    return out;
  }

  #jobs(state: GovernanceState): { job: Job; key: string }[] {
    const jobs: { job: Job; key: string }[] = [];
    const key = state.world.federationKey?.publicKey;
    const book = this.#host.book;
    const now = this.#host.now();
    if (book.size !== this.#tree.size) this.#tree = { size: book.size, sinceMs: now, overdue: false };
    const wanted = key !== undefined && book.size > 0 && !book.federationSigned;
    // Under commits that never pause, one tree per period is tried before it settled, and kept
    // until it is replaced: trying every tree would throw a signing round away at each commit.
    if (wanted && !this.#tree.overdue && now - this.#checkpointTriedMs >= CHECKPOINT_SIGNED_AGE_MAX_MS) {
      this.#tree.overdue = true;
      this.#checkpointTriedMs = now;
    }
    const due = now - this.#tree.sinceMs >= CHECKPOINT_SETTLE_MS || this.#tree.overdue;
    this.#settlesAtMs = wanted && !due ? this.#tree.sinceMs + CHECKPOINT_SETTLE_MS : undefined;
    if (wanted && due) {
      jobs.push({ job: { kind: 'checkpoint', size: book.size, rootHash: this.#rootHash() }, key });
    }
    const worlds = this.#worlds.due(state.pendingSignatures ?? [], now);
    const world = this.#worlds.settlesAtMs();
    if (world !== undefined) this.#settlesAtMs = Math.min(this.#settlesAtMs ?? world, world);
    for (const p of state.pendingSignatures ?? []) {
      if (!worlds.has(p.version)) continue;
      const have = this.#parts.get(p.version);
      for (const k of p.keys)
        if (!have?.has(`note:${k}`))
          jobs.push({ job: { kind: 'world', version: p.version, part: 'note' }, key: k });
      for (const part of ['planet', 'moon'] as const) {
        const z = p[part];
        if (z !== undefined && !have?.has(`${part}:${z.key}`))
          jobs.push({ job: { kind: 'world', version: p.version, part }, key: z.key });
      }
    }
    return jobs;
  }

  #rootHash(): string {
    const text = this.#host.book.text;
    return text.split('\n')[2] ?? '';
  }

  #pending(version: number): PendingSignature | undefined {
    return this.#host.state().pendingSignatures?.find((p) => p.version === version);
  }

  /** The bytes a job asks `key` to sign, from this root's own checkpoint and state only. */
  #messageOf(job: Job, key: string): Uint8Array | undefined {
    if (job.kind === 'checkpoint') {
      const book = this.#host.book;
      const current = this.#host.state().world.federationKey?.publicKey;
      if (key !== current || job.size !== book.size || job.rootHash !== this.#rootHash()) return undefined;
      return utf8Bytes(book.text);
    }
    const p = this.#pending(job.version);
    if (p === undefined) return undefined;
    if (job.part === 'note') return p.keys.includes(key) ? utf8Bytes(p.note) : undefined;
    const z = p[job.part];
    return z !== undefined && z.key === key ? fromHex(z.digest) : undefined;
  }

  #signed(job: Job, key: string, signature: Uint8Array, own: boolean): void {
    if (job.kind === 'checkpoint') {
      if (this.#host.book.addFederationSignature(signature)) {
        this.#checkpointTriedMs = this.#host.now();
        this.#host.checkpointSigned();
      }
      return;
    }
    this.#worlds.signed(this.#host.now());
    const parts = this.#parts.get(job.version) ?? new Map<string, string>();
    parts.set(`${job.part}:${key}`, toBase64(signature));
    this.#parts.set(job.version, parts);
    // The root that made the world note's signature by the world's own key sends the
    // statement; the others wait a while (#submitSigned), so one statement usually suffices.
    const pending = this.#pending(job.version);
    if (own && job.part === 'note' && pending !== undefined && key === pending.keys.at(-1))
      this.#coordinated.add(job.version);
    this.#submitSigned(this.#host.state());
  }

  /** Puts a world's signatures in the ledger once they are all here (the root that made one of them). */
  #submitSigned(state: GovernanceState): void {
    const pending = new Set((state.pendingSignatures ?? []).map((p) => p.version));
    for (const version of [...this.#parts.keys()]) {
      if (!pending.has(version)) {
        this.#parts.delete(version);
        this.#coordinated.delete(version);
        this.#completeMs.delete(version);
      }
    }
    const me = this.#host.self();
    if (me === undefined) return;
    for (const p of state.pendingSignatures ?? []) {
      const parts = this.#parts.get(p.version);
      if (parts === undefined) continue;
      const worldNote = p.keys.map((k) => parts.get(`note:${k}`));
      const planet = p.planet === undefined ? undefined : parts.get(`planet:${p.planet.key}`);
      const moon = p.moon === undefined ? undefined : parts.get(`moon:${p.moon.key}`);
      if (worldNote.some((s) => s === undefined) || (p.planet && !planet) || (p.moon && !moon)) continue;
      const since = this.#completeMs.get(p.version) ?? this.#host.now();
      this.#completeMs.set(p.version, since);
      // The root that made a part sends them; the others only if it has not within a turn.
      if (!this.#coordinated.has(p.version) && this.#host.now() - since < STATEMENT_FALLBACK_MS) continue;
      const statement = federationSignature(
        { federation: this.#host.federation, author: me, createdMs: this.#host.ledgerNow() },
        p.version,
        {
          worldNote: worldNote as string[],
          ...(planet === undefined ? {} : { planet }),
          ...(moon === undefined ? {} : { moon }),
        },
      );
      const result = this.#host.submit(signStatement(statement, this.#host.nodeSecretKey));
      if (result.rejection !== null)
        this.#host.log.warn(
          { version: p.version, rejection: result.rejection },
          'federation signatures refused',
        );
      else if (!result.known)
        this.#host.log.info({ version: p.version }, 'federation signatures of a world sent to the ledger');
      this.#coordinated.delete(p.version);
      this.#completeMs.set(p.version, this.#host.now());
    }
  }
}
