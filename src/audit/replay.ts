// Governance replay for the audit: entries arrive in
// order as they are downloaded, are grouped per batch (header, statements, produced entries)
// and every batch is re-executed with executeBatch from the genesis — or from the governance
// state a previous audit remembered — and must reproduce the recorded entries byte for byte,
// exactly as src/governance replay() does for a whole ledger. Entries are decoded and their
// statement signatures checked in parallel on the worker pool (entry-check.ts, verify-pool.ts)
// ahead of the sequential replay, which is all that runs on the main thread.
// The result feeds the audit: keys in force at each checkpoint size, the first rule failure,
// the worlds committed (to judge what roots serve at /world) and the report's summary.

import { bytesEqual, fromBase64, toBase64, toHex } from '../codec/index.ts';
import {
  type BatchGroup,
  BatchGrouper,
  cosignersOf,
  decodeEntry,
  decodeEntryAt,
  type ExecuteOptions,
  encodeEntry,
  GovernanceError,
  type GovernanceState,
  genesisState,
  type KnownStatement,
  type LedgerEntry,
  type MemberKey,
  type PreVerified,
  parseWorld,
  preVerified,
  replay,
  replayBatch,
  type SignedGenesis,
  type SignedStatement,
  statementId,
  validatorsOf,
  type World,
  worldHash,
} from '../governance/index.ts';
import { CompactRange, leafHash } from '../ledger/index.ts';
import type { KeysInForce, LedgerRules, RuleFailure, WorldStatus } from './audit.ts';
import { REPLAY_QUEUE_CHUNKS_MAX } from './constants.ts';
import { type CheckedEntries, checkEntries, entryOf, guessKeysFrom, type KeyGuesses } from './entry-check.ts';
import type { EvidenceGovernance } from './evidence.ts';
import {
  type Growth,
  type Timeline,
  TimelineRecorder,
  type TimelineSnapshot,
  timelineSince,
} from './timeline.ts';
import type { VerifyPool } from './verify-pool.ts';

/** Federation keys and ceremony exclusions kept in the summary (the newest). */
const SUMMARY_KEYS_MAX = 64;
const SUMMARY_EXCLUSIONS_MAX = 256;
/** Motions kept in the summary; older ones are counted, not listed. */
const SUMMARY_MOTIONS_MAX = 10_000;

export type MotionSummary = {
  id: string;
  author: string;
  createdMs: number;
  entryIndex: number;
  result?: string;
  ballots: Record<string, string>;
};

export type ReplaySummary = {
  entries: { total: number; batches: number; statements: number; worlds: number; outcomes: number };
  worlds: {
    version: number;
    worldHash: string;
    entryIndex: number;
    timeMs: number;
    members: number;
    voting: number;
  }[];
  motions: MotionSummary[];
  motionsDropped: number;
  /** Motions moved and ballots cast (yes/no/abstain) per member name. */
  perMember: Record<string, { motions: number; yes: number; no: number; abstain: number }>;
  signaturesChecked: number;
  /**
   * Every federation key the ledger installed (charter §22), each recomputed by the replayed
   * rules from its DKG transcript and found equal to the one the world carries.
   */
  federationKeys: {
    version: number;
    publicKey: string;
    session: string;
    threshold: number;
    participants: string[];
  }[];
  /** Members a DKG ceremony left out, and why (ceremony entries: evidence of each fault). */
  ceremonyExclusions: { entryIndex: number; session: string; member: string; reason: string }[];
  /** Worlds whose federation signatures the ledger holds (checked by the rules). */
  worldsSigned: number;
};

/** What the report shows of the federation beyond the counts (timeline.ts). */
export type ReplayHistory = { timeline: Timeline; growth: Growth };

type Snapshot = {
  state: GovernanceState;
  summary: ReplaySummary;
  nodeKeys: Record<string, string[]>;
  /** Absent in states written before timelines were kept. */
  timeline?: TimelineSnapshot;
  /** The tree's frontier at summary.entries.total (base64), to check the root a recovery names. */
  frontier?: string[];
  /**
   * The state before the last batch, when that batch changed the world: its validators also
   * commit the checkpoint that ends the batch (ledger/LEDGER.md §3.4), which a later audit
   * resuming at exactly that size must still accept. Absent when the world did not change.
   */
  previous?: GovernanceState;
  /** The last batch was a recovery (only the recovered world commits its end). */
  recovered?: boolean;
};

function emptySummary(): ReplaySummary {
  return {
    entries: { total: 0, batches: 0, statements: 0, worlds: 0, outcomes: 0 },
    worlds: [],
    motions: [],
    motionsDropped: 0,
    perMember: {},
    signaturesChecked: 0,
    federationKeys: [],
    ceremonyExclusions: [],
    worldsSigned: 0,
  };
}

/** A failure as the audit reports it: the rule's rejection code when there is one. */
export function failureOf(error: unknown, fallbackIndex: number): RuleFailure {
  if (error instanceof GovernanceError) {
    return {
      index: error.entryIndex ?? fallbackIndex,
      code: error.rejection?.code ?? error.code,
      message: error.message,
    };
  }
  return { index: fallbackIndex, code: 'INTERNAL', message: String(error) };
}

export type GovernanceRulesOptions = {
  genesis: SignedGenesis;
  /** The snapshot a previous audit stored (AuditState.governance); absent: from genesis. */
  from?: unknown;
  pool?: VerifyPool;
};

/** LedgerRules backed by src/governance. */
export function governanceRules(options: GovernanceRulesOptions): LedgerRules {
  const snap = options.from as Snapshot | undefined;
  let state: GovernanceState | undefined = snap?.state;
  let previous: GovernanceState | undefined = snap?.previous ?? snap?.state;
  // A snapshot of an audit made before a summary field existed reads it as empty.
  const summary: ReplaySummary = {
    ...emptySummary(),
    ...(snap !== undefined ? structuredClone(snap.summary) : {}),
  };
  const nodeKeys = new Map<string, Set<string>>(
    Object.entries(snap?.nodeKeys ?? {}).map(([k, v]) => [k, new Set(v)]),
  );
  const worldHashes = new Set(summary.worlds.map((w) => w.worldHash));
  const motionsById = new Map(summary.motions.map((m) => [m.id, m]));
  const genesisBytes = encodeEntry({ kind: 'genesis', genesis: options.genesis });
  const history = new TimelineRecorder(
    snap === undefined
      ? undefined
      : (snap.timeline ??
          timelineSince(snap.state, summary.worlds.length, summary.motions.length + summary.motionsDropped)),
  );
  const grouper = new BatchGrouper();
  let failure: RuleFailure | undefined;
  let index = snap !== undefined ? summary.entries.total : 0;
  // The tree as far as the replay read, for the root a recovery names (charter §20). A snapshot
  // from before it was kept has none: such a replay checks a recovery's root no more.
  const tree: CompactRange | undefined =
    snap === undefined
      ? new CompactRange()
      : snap.frontier === undefined
        ? undefined
        : new CompactRange(
            index,
            snap.frontier.map((h) => fromBase64(h, 32)),
          );
  const recoveryRoots = new Map<number, string>();
  /** Whether the state in force came from a recovery: then only its validators, all of them, commit. */
  let stateFromRecovery = snap?.recovered === true;

  const member = (name: string) => {
    summary.perMember[name] ??= { motions: 0, yes: 0, no: 0, abstain: 0 };
    return summary.perMember[name];
  };
  const noteWorld = (world: World, entryIndex: number, timeMs: number) => {
    const hash = worldHash(world);
    worldHashes.add(hash);
    summary.worlds.push({
      version: world.version,
      worldHash: hash,
      entryIndex,
      timeMs,
      members: world.members.length,
      voting: world.members.filter((m) => m.status === 'voting').length,
    });
    for (const m of world.members) {
      const set = nodeKeys.get(m.name) ?? new Set<string>();
      set.add(m.nodeKey);
      nodeKeys.set(m.name, set);
    }
    const key = world.federationKey;
    if (key !== undefined && summary.federationKeys.at(-1)?.publicKey !== key.publicKey) {
      if (summary.federationKeys.length >= SUMMARY_KEYS_MAX) summary.federationKeys.shift();
      summary.federationKeys.push({
        version: world.version,
        publicKey: key.publicKey,
        session: key.session,
        threshold: key.threshold,
        participants: key.participants.map((p) => p.member),
      });
    }
  };
  /** Motions that left the open set without an outcome entry passed (their world is produced). */
  const unsettled = new Set(summary.motions.filter((m) => m.result === undefined).map((m) => m.id));
  const settle = (now: GovernanceState, producedWorld: boolean) => {
    const open = new Set(now.openMotions.map((m) => m.id));
    for (const id of unsettled) {
      const m = motionsById.get(id);
      if (m === undefined || m.result !== undefined) unsettled.delete(id);
      else if (!open.has(id)) {
        m.result = producedWorld ? 'passed' : 'closed';
        unsettled.delete(id);
      }
    }
  };
  /** Replays a batch the grouper closed, and notes what it changed. */
  const run = (g: BatchGroup | null) => {
    if (g === null || state === undefined) return;
    const r = replayBatch(state, g, runOptions);
    recoveryRoots.delete(g.start);
    stateFromRecovery = g.header.kind === 'recovery';
    const statements = g.statements.map((signed) => {
      const k = known.get(signed);
      if (k !== undefined) verified.delete(k.id);
      known.delete(signed);
      return { id: k?.id ?? statementId(signed), signed };
    });
    history.batch({ before: state, after: r.state, start: g.start, raw: g.raw, statements });
    previous = state;
    state = r.state;
    if (r.world !== null) noteWorld(r.world, g.start + g.raw.length - 1, r.state.timeMs);
    settle(state, r.world !== null);
  };
  const record = (entry: LedgerEntry, at: number) => {
    summary.entries.total++;
    if (entry.kind === 'batch') summary.entries.batches++;
    if (entry.kind === 'world') summary.entries.worlds++;
    if (entry.kind === 'ceremony') {
      for (const x of entry.excluded) {
        if (summary.ceremonyExclusions.length >= SUMMARY_EXCLUSIONS_MAX) summary.ceremonyExclusions.shift();
        summary.ceremonyExclusions.push({ entryIndex: at, session: entry.session, ...x });
      }
    }
    if (entry.kind === 'outcome') {
      summary.entries.outcomes++;
      const m = motionsById.get(entry.motion);
      if (m !== undefined) m.result = entry.result;
    }
    if (entry.kind !== 'statement') return;
    summary.entries.statements++;
    const s = entry.statement.statement;
    if (s.kind === 'motion') {
      member(s.author).motions++;
      if (summary.motions.length < SUMMARY_MOTIONS_MAX) {
        const m: MotionSummary = {
          id: statementId(entry.statement),
          author: s.author,
          createdMs: s.createdMs,
          entryIndex: at,
          ballots: {},
        };
        summary.motions.push(m);
        motionsById.set(m.id, m);
        unsettled.add(m.id);
      } else summary.motionsDropped++;
    } else if (s.kind === 'federation-signature') {
      summary.worldsSigned++;
    } else if (s.kind === 'ballot') {
      member(s.author)[s.choice]++;
      const m = motionsById.get(s.motion);
      if (m !== undefined) m.ballots[s.author] = s.choice;
    }
  };
  // Entries are decoded and their signatures checked on the worker pool BEFORE the batch that
  // holds them is replayed (entry-check.ts), and the replay takes those results (preVerified,
  // keyed by statement id and key) instead of verifying again on the main thread. The key is a
  // guess — the author's key its kind names (governance or node key) in the latest world known
  // when the bundle left —; when the rules ask about another key (a key replaced inside a
  // batch) or the check failed, executeBatch verifies on the spot, so verdicts never depend on
  // the guess.
  const verified = new Map<string, PreVerified>();
  const verify = preVerified(verified);
  const guessKeys: KeyGuesses = guessKeysFrom(snap?.state.world ?? options.genesis.world, new Map());
  const known = new Map<SignedStatement, KnownStatement>();
  const runOptions: ExecuteOptions = {
    verify,
    known,
    rootHashAt: (size) => (tree === undefined ? undefined : recoveryRoots.get(size)),
  };

  /** Phase 1 (on arrival, off the main thread with a pool): decode and check signatures. */
  const check = (entries: Uint8Array[], at: number): Promise<CheckedEntries> => {
    if (options.pool !== undefined) return options.pool.checkEntries(entries, at, guessKeys);
    return Promise.resolve(checkEntries(entries, at, guessKeys, false));
  };

  /** Phase 2 (in order, once the checks are in): group and replay. */
  const one = (bytes: Uint8Array, entry: LedgerEntry | undefined) => {
    const at = index++;
    if (entry?.kind === 'recovery' && tree !== undefined) recoveryRoots.set(at, toHex(tree.root()));
    tree?.append(leafHash(bytes));
    if (at === 0) {
      if (!bytesEqual(bytes, genesisBytes))
        throw new GovernanceError('BAD_GENESIS', 'ledger entry 0 is not the genesis given to the audit', {
          entryIndex: 0,
        });
      state = genesisState(options.genesis);
      previous = state;
      summary.entries.total++;
      noteWorld(state.world, 0, 0);
      history.genesis(state.world, state.worldHash);
      return;
    }
    // An entry the check could not decode: decoding it here throws the error to report.
    const e = entry ?? decodeEntryAt(bytes, at);
    if (e.kind === 'world') guessKeysFrom(e.world, guessKeys);
    run(grouper.add(at, bytes, e));
    record(e, at);
  };

  let arrived = snap !== undefined ? summary.entries.total : 0;
  let tail: Promise<void> = Promise.resolve();
  const waiting: Promise<void>[] = [];

  return {
    async onEntries(_start, entries) {
      if (failure !== undefined) return;
      const checked = check(entries, arrived);
      checked.catch(() => undefined); // awaited in order below
      arrived += entries.length;
      // Jobs run one after another, in ledger order; they never reject (failures are recorded).
      const job = tail.then(async () => {
        try {
          const c = await checked;
          summary.signaturesChecked += c.signaturesChecked;
          const decoded = entries.map((bytes, i) => entryOf(bytes, c.entries[i]));
          for (const [i, k] of c.entries.entries()) {
            const e = decoded[i];
            if (e?.kind === 'statement') known.set(e.statement, { id: k.id!, entry: entries[i]! });
            if (k.key !== undefined) verified.set(k.id!, { signerKey: k.key, ok: k.ok === true });
          }
          if (failure === undefined) for (const [i, bytes] of entries.entries()) one(bytes, decoded[i]);
        } catch (error) {
          failure ??= failureOf(error, index - 1);
        } finally {
          waiting.shift();
        }
      });
      tail = job;
      waiting.push(job);
      // Back-pressure: a bounded number of bundles waits for signatures or replay.
      while (waiting.length > REPLAY_QUEUE_CHUNKS_MAX) await waiting[0];
    },
    async drain() {
      await tail;
    },
    keysAt() {
      // docs/auditing.md §"Whose quorum": at the end of a batch, the members in force after it
      // or before it (who committed it); at a size inside a batch, only those in force during
      // it. The group read so far is run on a copy: if it replays, the size ends a batch as
      // far as the rules can tell (a batch cut short of its outcomes or world does not replay).
      // Before any entry (a root whose first bundle is bad), the genesis members are in force.
      const genesis = state === undefined ? genesisState(options.genesis) : undefined;
      let after = state ?? genesis;
      let before = previous ?? genesis;
      let recovered = stateFromRecovery;
      const open = grouper.open;
      if (open !== null && state !== undefined && failure === undefined) {
        try {
          after = replayBatch(state, open, runOptions).state;
          before = state;
          recovered = open.header.kind === 'recovery';
        } catch {
          // Inside a batch (or a batch that breaks the rules, reported when the group runs for
          // real): only the members in force during the batch.
          before = state;
        }
      }
      // After a recovery the world before has no quorum left: only every validator of the
      // recovered world commits the checkpoint that ends it (ledger/LEDGER.md §3.4).
      const sets = (recovered ? [after] : [...new Set([after, before])])
        .filter((s): s is GovernanceState => s !== undefined)
        .map((s) => {
          const required = s.world.policy.mlDsaRequiredFromVersion;
          const key = s.world.federationKey?.publicKey;
          return {
            validators: validatorsOf(s),
            cosigners: cosignersOf(s),
            world: { version: s.world.version, worldHash: s.worldHash },
            ...(recovered ? { quorum: validatorsOf(s).length } : {}),
            ...(key === undefined ? {} : { federationKey: fromBase64(key, 32) }),
            ...(required !== undefined && s.world.version >= required ? { mlDsaRequired: true } : {}),
          };
        });
      // Log keys: every node key a member has held, including members the batch ending here
      // admits (a newly admitted root serves and signs this very checkpoint). One per key.
      const logKeys: MemberKey[] = [];
      const seenKeys = new Set<string>();
      const addKey = (name: string, k: string) => {
        if (seenKeys.has(k)) return;
        seenKeys.add(k);
        logKeys.push({ name, nodeKey: fromBase64(k, 32) });
      };
      for (const [name, keys] of nodeKeys) for (const k of keys) addKey(name, k);
      for (const s of [genesis, before, after])
        for (const m of s?.world.members ?? []) addKey(m.name, m.nodeKey);
      const freshnessMs = (after ?? genesisState(options.genesis)).world.policy.checkpointFreshnessMs;
      return { logKeys, sets, freshnessMs } satisfies KeysInForce;
    },
    failure() {
      if (failure === undefined && grouper.open !== null) {
        try {
          run(grouper.take());
        } catch (error) {
          failure = failureOf(error, index - 1);
        }
      }
      return failure;
    },
    worldStatus(value: unknown): WorldStatus {
      let world: World;
      try {
        const v = value as { world?: unknown };
        world = parseWorld(typeof v === 'object' && v !== null && 'world' in v ? v.world : value);
      } catch {
        return { status: 'malformed' };
      }
      const hash = worldHash(world);
      const current = state?.worldHash === hash;
      return {
        status: current ? 'current' : worldHashes.has(hash) ? 'superseded' : 'uncommitted',
        version: world.version,
        worldHash: hash,
      };
    },
    snapshot(): Snapshot {
      return {
        state: state!,
        summary,
        nodeKeys: Object.fromEntries([...nodeKeys].map(([k, v]) => [k, [...v]])),
        timeline: history.snapshot(),
        ...(tree === undefined ? {} : { frontier: tree.hashes().map(toBase64) }),
        ...(previous !== undefined && previous.worldHash !== state!.worldHash ? { previous } : {}),
        ...(stateFromRecovery ? { recovered: true } : {}),
      };
    },
    summary: () => ({
      ...summary,
      members: state?.world.members ?? [],
      openMotions: state?.openMotions.length ?? 0,
      timeline: history.timeline(state),
      growth: history.growth(),
    }),
  };
}

/** The governance checks verify-evidence needs, with src/governance replay() itself. */
export const evidenceGovernance: EvidenceGovernance = {
  replayFailure(entries) {
    try {
      const first = decodeEntry(entries[0] ?? new Uint8Array());
      if (first.kind !== 'genesis') return { index: 0, code: 'BAD_GENESIS' };
      replay(first.genesis, entries.slice(1));
      return null;
    } catch (error) {
      const f = failureOf(error, 0);
      return { index: f.index, code: f.code };
    }
  },
  worldHashes(entries) {
    const out: string[] = [];
    for (const bytes of entries) {
      try {
        const e = decodeEntry(bytes);
        if (e.kind === 'world') out.push(worldHash(e.world));
        if (e.kind === 'genesis') out.push(worldHash(e.genesis.world));
      } catch {
        // not a world entry
      }
    }
    return out;
  },
  worldHashOf(value) {
    try {
      const v = value as { world?: unknown };
      return worldHash(parseWorld(typeof v === 'object' && v !== null && 'world' in v ? v.world : value));
    } catch {
      return undefined;
    }
  },
};
