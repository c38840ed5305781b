// The root: one member's server. It wires the pure cores (governance rules, consensus, ledger
// math) to LevelDB, libp2p and fastify (docs/architecture.md "Shape of the code"):
//
//   statements (HTTP POST or gossip) → checked against the rules → pool → a batch value →
//   consensus among the validators → appended to the ledger (atomic, synced) → the new
//   checkpoint cosigned by every member → committed at a quorum of cosignatures → served.
//
// One serialized consensus loop owns heights; everything else reads the committed state.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ChangeSignal } from '../api/change-signal.ts';
import type { FederationStatus, FederationView, ZeroTierFile, ZeroTierType } from '../api/federation-view.ts';
import { healthRoutes, metricsRoutes } from '../api/health-routes.ts';
import { publicRoutes } from '../api/public-routes.ts';
import { readyRoutes } from '../api/ready-routes.ts';
import type {
  DecidedMotionView,
  DecisionRecord,
  IdMatch,
  MotionOutcome,
  MotionView,
  OpenMotionView,
  RootStatus,
  RootView,
  StatementStatus,
  SubmitResult,
  WorldChain,
} from '../api/root-view.ts';
import { buildApiServer } from '../api/server.ts';
import { invariant, quorumSize, WITAN_VERSION } from '../base/index.ts';
import { bytesEqual, canonicalBytes, fromBase64, type Json, toBase64, toHex } from '../codec/index.ts';
import {
  ConsensusDriver,
  ConsensusError,
  type ConsensusMessage,
  type Decision,
  decodeConsensusMessage,
  nodeKeySigner,
} from '../consensus/index.ts';
import { LevelWal } from '../consensus/level-wal.ts';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  type KeyPair,
  type MlDsaKeyPair,
  mlDsaCosignatureSigner,
  mlDsaKeyPairFromSeed,
  PUBLIC_KEY_BYTES,
  parseNote,
} from '../crypto/index.ts';
import { readKeyFile, readSecretKeyFile } from '../crypto/key-file.ts';
import {
  checkGenesis,
  checkStatement,
  cosignersOf,
  type Evidence,
  encodeEntry,
  executeRecovery,
  GovernanceError,
  type GovernanceState,
  ledgerOrigin,
  MEMBERS_MAX,
  type Member,
  parseSignedStatement,
  preVerified,
  type Rejection,
  replay,
  type Screened,
  type SignedGenesis,
  type SignedRecovery,
  type SignedStatement,
  type SignedWorldArtifacts,
  screenStatement,
  signedWorldArtifacts,
  signerKeyOf,
  statementId,
  validatorsOf,
  type World,
} from '../governance/index.ts';
import { checkpointSubtree, parseCheckpoint } from '../ledger/index.ts';
import { LedgerStore } from '../ledger/store.ts';
import { CIRCUIT_STOP_PROTOCOL } from '../wire/index.ts';
import { BatchApp } from './batch-app.ts';
import { proposalMessageBytesMax } from './batch-value.ts';
import { peerDecisions } from './catch-up.ts';
import type { Clock } from './clock.ts';
import type { RootConfig } from './config.ts';
import { OPERATOR_HTTP_LIMITS } from './constants.ts';
import { type AddResult, CosignatureBook } from './cosignature-book.ts';
import { DutyProber } from './duty-prober.ts';
import { NodeError } from './errors.ts';
import { Evidencer, type EvidencerView } from './evidencer.ts';
import { RootFederation } from './federation/index.ts';
import { HEALTH_SAMPLE_INTERVAL_MS, HealthMonitor } from './health-monitor.ts';
import { LedgerIndex, RECOVERY_PROPOSER } from './ledger-index.ts';
import { RootMetrics, type RootSnapshot } from './metrics.ts';
import { MotionViews } from './motion-views.ts';
import { GOSSIP_MESSAGE_BYTES_MAX } from './p2p/constants.ts';
import { probeStopHandler } from './p2p/duty-probes.ts';
import {
  createRootHost,
  type GossipVerdict,
  peerIdOfNodeKey,
  type RootHost,
  relayLimitsOf,
} from './p2p/index.ts';
import { SilentPeers, VALIDATOR_PING_INTERVAL_MS } from './p2p/silent-peers.ts';
import { PublishFailures } from './publish-failures.ts';
import { RecoveryDesk } from './recovery-desk.ts';
import { StatementPool } from './statement-pool.ts';
import { WitnessInbox, witnessVerifiers } from './witness-inbox.ts';
import { WorldChainCache } from './world-chain.ts';
import { ZeroTierWorlds } from './zerotier-worlds.ts';

/** Re-cosign the current checkpoint this often, so clients see fresh timestamps. */
export const COSIGN_REFRESH_MS = 5_000;
/**
 * A member that joins a topic is greeted this soon (joins in a burst share one greeting): our
 * checkpoint note, pending statements, nonce commitments.
 */
export const GREET_ON_JOIN_MS = 200;
/**
 * Pending statements sent again to a member that (re)joins the statements topic, oldest first:
 * what was gossiped while it was cut off is lost, and a statement only this root holds would
 * otherwise wait until this root proposes. The pool proposes at most this many per batch anyway.
 */
export const RESHARE_STATEMENTS_MAX = 256;
/**
 * While the policy does not count ML-DSA-44 cosignatures towards a quorum, a root adds its
 * ML-DSA-44 line once the tree has stood this long: the line costs ≈ 10 ms of JavaScript to make
 * and ≈ 2 ms to check at every other root, and in a burst of commits each tree is replaced at once.
 */
export const ML_DSA_COSIGN_SETTLE_MS = 400;
/** Serve a committed checkpoint note anew at most this often when only timestamps changed. */
export const CHECKPOINT_SAVE_INTERVAL_MS = 1_000;
/**
 * Write such a note (fresher timestamps only) to disk at most this often: every member re-cosigns
 * every COSIGN_REFRESH_MS, and writing each refresh kept an idle root syncing ≈ 3 KB/s to its
 * ledger. A new size or new content (a line, a witness) is written at once.
 */
export const CHECKPOINT_DURABLE_REFRESH_MS = 60_000;
/** Try to connect to members we are not connected to this often. */
export const PEER_DIAL_INTERVAL_MS = 3_000;
/** The federation key's timer: DKG re-sends, coordinator turns, share timeouts (src/node/federation). */
export const FEDERATION_TICK_MS = 500;
/** Statements accepted within this window are offered to consensus together: a burst builds one value. */
export const PENDING_COALESCE_MS = 5;

export interface RootOptions {
  config: RootConfig;
  logger: Logger;
  clock: Clock;
  /** How much faster than wall time `clock` runs (a devnet clock); 1 in production. */
  clockRate?: number;
  /** Governance key of this member, if the operator lets the root author evidence statements. */
  governanceKey?: KeyPair;
}

/**
 * A running root. Outside this file it is started, stopped and read through RootView (the
 * routes); catch-up and the evidencer get views of their own. Its state is private: only the
 * consensus loop (#commit) moves it.
 */
export class Root implements RootView, FederationView {
  readonly #options: RootOptions;
  readonly #genesis: SignedGenesis;
  readonly #origin: string;
  readonly #nodeKey: KeyPair;
  readonly #nodeKeyB64: string;
  /** This member's ML-DSA-44 key, when the config names one. */
  readonly #mlDsaKey: MlDsaKeyPair | undefined;
  readonly #registry = new Registry();
  readonly #metrics: RootMetrics;
  readonly #monitor: HealthMonitor;
  /** Libp2p peer ids of members' node keys, computed once per key. */
  readonly #peerIds = new Map<string, string>();
  readonly #publishFailures: PublishFailures;
  readonly #pool = new StatementPool<SignedStatement>();
  readonly #index = new LedgerIndex();
  readonly #zeroTier = new ZeroTierWorlds(this.#index, (v) => this.signedWorld(v));
  /**
   * Signed worlds as built and verified once, by version, with the statement they came from: a
   * committed signature never changes, and building one verifies every signature in it, which
   * GET /federation/worlds would otherwise do for every signed world on every request.
   */
  readonly #signedWorlds = new Map<number, { from: object; artifacts: SignedWorldArtifacts }>();
  /** Wakes long polls (GET /statements/<id>?wait=, /checkpoint?after=&wait=): set when HTTP starts. */
  #changes: ChangeSignal | undefined;
  /** Height at which each author last had a statement committed: batches serve the longest-waiting first. */
  readonly #lastServed = new Map<string, number>();
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;
  #mlDsaTimer: ReturnType<typeof setTimeout> | undefined;
  /** The federation's next update when a tree or world settles before the next tick. */
  #federationWake: ReturnType<typeof setTimeout> | undefined;
  /** Signatures of pooled statements, checked when they came in: a batch does not check them again. */
  readonly #verified = {
    get: (id: string) => {
      const e = this.#pool.get(id);
      return e === undefined ? undefined : { signerKey: e.signerKey, ok: true };
    },
  };
  #store!: LedgerStore;
  #motions!: MotionViews;
  #chain!: WorldChainCache;
  #state!: GovernanceState;
  /** Validators of the height that produced the current tree: whose cosignatures commit it. */
  #checkpointValidators: string[] = [];
  /** How many of them commit it: a quorum, or all of them after a recovery (charter §20). */
  #checkpointQuorum: number | undefined;
  /**
   * The ledger size that ends a recovery this root appended, until every recovered validator
   * has cosigned it: no batch is proposed or accepted after it before then (charter §20).
   */
  #recoveryGate: number | undefined;
  #desk!: RecoveryDesk;
  /** Commits and a recovery's append, one at a time. */
  #serial: Promise<void> = Promise.resolve();
  #host!: RootHost;
  #http!: FastifyInstance;
  #operator!: FastifyInstance;
  #book!: CosignatureBook;
  #driver!: ConsensusDriver;
  #lastCommit: RootStatus['lastCommit'] = null;
  #app!: BatchApp;
  #wal!: LevelWal;
  #onConsensus: (bytes: Uint8Array) => void = () => undefined;
  #evidencer!: Evidencer;
  #prober!: DutyProber;
  #federation!: RootFederation;
  #timers: ReturnType<typeof setInterval>[] = [];
  #lastSaveMs = 0;
  #savedSize = -1;
  /** When the last note was written to disk (others are only served; a new size always is). */
  #durableMs = 0;
  /** The greeting owed to members that joined a topic, by topic (#greetOnJoin). */
  readonly #greetings = new Map<string, ReturnType<typeof setTimeout>>();
  #dialing = false;
  #silentPeers!: SilentPeers;
  #stopping = false;

  private constructor(
    options: RootOptions,
    genesis: SignedGenesis,
    nodeKey: KeyPair,
    mlDsaKey: MlDsaKeyPair | undefined,
  ) {
    this.#options = options;
    this.#genesis = genesis;
    this.#origin = ledgerOrigin(genesis.world);
    this.#nodeKey = nodeKey;
    this.#mlDsaKey = mlDsaKey;
    this.#nodeKeyB64 = toBase64(nodeKey.publicKey);
    this.#metrics = new RootMetrics(this.#registry, {
      snapshot: () => this.#snapshot(),
      dataDir: options.config.dataDir,
    });
    this.#publishFailures = new PublishFailures(this.#metrics.publishFailures, options.logger);
    this.#monitor = new HealthMonitor(
      {
        now: () => this.#now(),
        validators: () =>
          validatorsOf(this.#state).map((v) => {
            const key = toBase64(v.nodeKey);
            return { name: v.name, peerId: key === this.#nodeKeyB64 ? null : this.#peerIdOf(key) };
          }),
        connectedPeers: () => new Set(this.#host.libp2p.getPeers().map(String)),
        consensus: () => this.#driver.state,
        pending: () => this.#pool.size,
        policy: () => this.#state.world.policy,
        quorum: quorumSize,
      },
      options.logger,
    );
  }

  #peerIdOf(nodeKeyB64: string): string {
    let id = this.#peerIds.get(nodeKeyB64);
    if (id === undefined) {
      if (this.#peerIds.size >= MEMBERS_MAX * 2) this.#peerIds.clear();
      id = peerIdOfNodeKey(fromBase64(nodeKeyB64, PUBLIC_KEY_BYTES));
      this.#peerIds.set(nodeKeyB64, id);
    }
    return id;
  }

  #snapshot(): RootSnapshot {
    const validators = this.#checkpointValidators;
    const quorumAt = this.#book.quorumTimestamp(validators, quorumSize(validators.length));
    return {
      height: this.#state.height,
      consensus: this.#driver.state,
      lastCommitTimeMs: this.#state.timeMs,
      pending: this.#pool.size,
      votingMembers: this.#state.world.members.filter((m) => m.status === 'voting').length,
      worldVersion: this.#state.world.version,
      openMotions: this.#state.openMotions.length,
      ledgerSize: this.#store.size(),
      checkpointAgeMs: quorumAt === undefined ? undefined : Math.max(0, Date.now() - quorumAt * 1000),
      checkpointFreshnessMs: this.#state.world.policy.checkpointFreshnessMs,
      health: this.#monitor.snapshot(),
    };
  }

  get #log(): Logger {
    return this.#options.logger;
  }

  get #now(): Clock {
    return this.#options.clock;
  }

  /** This root's member record in the world in force, if it is a member. */
  #self(): Member | undefined {
    return this.#state.world.members.find((m) => m.nodeKey === this.#nodeKeyB64);
  }

  static async start(options: RootOptions): Promise<Root> {
    const { config } = options;
    const nodeKey = readKeyFile(config.nodeKeyFile);
    let genesis: SignedGenesis;
    try {
      genesis = checkGenesis(JSON.parse(readFileSync(config.genesisFile, 'utf8')));
    } catch (err) {
      throw new NodeError(
        'GENESIS_INVALID',
        `cannot use the genesis file ${config.genesisFile}: ${(err as Error).message}. Get the signed genesis from your federation (witan genesis verify checks it).`,
      );
    }
    let mlDsaKey: MlDsaKeyPair | undefined;
    if (config.mlDsaKeyFile !== undefined) {
      const file = readSecretKeyFile(config.mlDsaKeyFile);
      if (file.kind !== 'ml-dsa') {
        throw new NodeError(
          'KEY_MISMATCH',
          `${config.mlDsaKeyFile} holds a ${file.kind} key, not an ML-DSA-44 key`,
        );
      }
      mlDsaKey = mlDsaKeyPairFromSeed(file.secret);
    }
    // A proposal travels in one gossip message: the largest batch value must fit, with everything around it.
    const largest = proposalMessageBytesMax(genesis.world.federation);
    invariant(
      largest <= GOSSIP_MESSAGE_BYTES_MAX,
      `the largest block proposal (${largest} bytes) fits a gossip message (${GOSSIP_MESSAGE_BYTES_MAX})`,
    );
    const root = new Root(options, genesis, nodeKey, mlDsaKey);
    try {
      await root.#open();
    } catch (err) {
      // What did open is closed again, so the process ends with the error: a half-open root
      // would keep its stores locked and its sockets bound, serving nothing, until someone
      // noticed (and a service manager would never restart it).
      await root
        .stop()
        .catch((closing: unknown) =>
          root.#log.error({ err: closing }, 'closing a root that failed to start'),
        );
      throw err;
    }
    return root;
  }

  async #open(): Promise<void> {
    const { config } = this.#options;
    try {
      this.#store = await LedgerStore.open(join(config.dataDir, 'ledger'), { origin: this.#origin });
    } catch (err) {
      if (isLocked(err)) {
        throw new NodeError(
          'DATA_DIR_LOCKED',
          `${config.dataDir} is in use by another root process; stop it first (only one root may use a data folder).`,
        );
      }
      throw err;
    }
    if (this.#store.size() === 0)
      await this.#store.append([encodeEntry({ kind: 'genesis', genesis: this.#genesis })]);
    await this.#rebuild();
    this.#motions = new MotionViews(this.#index, this.#store, () =>
      [...this.#pool.values()].map((e) => ({ id: e.id, kind: e.statement.statement.kind })),
    );
    this.#chain = new WorldChainCache(this.#store, this.#index);
    this.#app = new BatchApp(this.#store, this.#now, this.#options.clockRate ?? 1);
    this.#wal = await LevelWal.open(join(config.dataDir, 'consensus'));
    await this.#checkWal();
    this.#book = new CosignatureBook(this.#origin, ed25519NoteSigner(this.#origin, this.#nodeKey.secretKey));
    this.#evidencer = new Evidencer(this.#evidencerView());
    this.#desk = this.#recoveryDesk();
    await this.#startHost();
    this.#federation = new RootFederation(this.#federationHost());
    await this.#startDriver();
    await this.#startHttp();
    this.#moveBook();
    this.#timers.push(setInterval(() => this.#cosignAndShare(), COSIGN_REFRESH_MS));
    this.#timers.push(setInterval(() => this.#updateFederation(), FEDERATION_TICK_MS));
    this.#timers.push(setInterval(() => void this.#dialMembers(), PEER_DIAL_INTERVAL_MS));
    // Time-driven changes (a probation ending, a motion expiring) need a batch with no statement.
    this.#timers.push(
      setInterval(() => {
        this.#driver.pending();
        void this.#desk.tick();
      }, 1_000),
    );
    this.#timers.push(setInterval(() => this.#monitor.sample(), HEALTH_SAMPLE_INTERVAL_MS));
    this.#silentPeers = new SilentPeers({
      validators: () =>
        validatorsOf(this.#state)
          .map((v) => toBase64(v.nodeKey))
          .filter((k) => k !== this.#nodeKeyB64)
          .map((k) => this.#peerIdOf(k)),
      connectedPeers: () => new Set(this.#host.libp2p.getPeers().map(String)),
      ping: (id, signal) => this.#host.ping(id, signal),
      hangUp: (id) => this.#host.hangUp(id),
      hungUp: () => this.#metrics.silentValidators.inc(),
      log: this.#log.child({ component: 'p2p' }),
    });
    this.#timers.push(setInterval(() => this.#silentPeers.tick(), VALIDATOR_PING_INTERVAL_MS));
    void this.#dialMembers();
    await this.#startProber();
    const me = this.#self();
    this.#log.info(
      {
        version: WITAN_VERSION,
        origin: this.#origin,
        size: this.#store.size(),
        height: this.#state.height,
        member: me?.name,
        listen: {
          http: `${config.http.host}:${config.http.port}`,
          operator: `${config.operator.host}:${config.operator.port}`,
          p2p: config.p2p.listen,
        },
        announced: {
          p2p: config.p2p.announce,
          host: this.#host.multiaddrs().map(String),
          world: me?.endpoints ?? null,
        },
      },
      'root started',
    );
  }

  /**
   * Replays the ledger from genesis: the governance state and the in-memory indexes. A ledger
   * that does not replay is damaged local data, and the error says how to get a good one back.
   */
  async #rebuild(): Promise<void> {
    const { dataDir } = this.#options.config;
    const dir = join(dataDir, 'ledger');
    const first = await this.#store.entry(0);
    if (!bytesEqual(first, encodeEntry({ kind: 'genesis', genesis: this.#genesis }))) {
      throw new NodeError(
        'GENESIS_MISMATCH',
        `the ledger in ${dir} starts from another genesis than ${this.#options.config.genesisFile}: configure the genesis this data folder was made with, or start from an empty data folder.`,
      );
    }
    const entries = await this.#entries(1, this.#store.size());
    let replayed: ReturnType<typeof replay>;
    try {
      replayed = replay(this.#genesis, entries);
    } catch (err) {
      if (!(err instanceof GovernanceError)) throw err;
      throw new NodeError(
        'LEDGER_CORRUPT',
        `the ledger in ${dir} does not replay from the genesis: ${err.message}. Stop the root; restore ${dataDir} from a backup, or delete ${dir} so that the root rebuilds it from its peers (docs/operating-a-root.md, backups).`,
      );
    }
    this.#index.add(0, first);
    for (const [i, e] of entries.entries()) this.#index.add(i + 1, e);
    // The state before the last batch names the validators whose cosignatures commit the
    // current tree (the genesis validators when there is no batch yet).
    const { state, stateBeforeLastBatch } = replayed;
    this.#state = state;
    this.#checkpointValidators = validatorsOf(stateBeforeLastBatch).map((v) => v.name);
    if (this.#index.batches.get(state.height)?.proposer === RECOVERY_PROPOSER) {
      // The last batch is a recovery: only every recovered validator commits it, and until
      // they have, nothing follows it.
      this.#checkpointValidators = validatorsOf(state).map((v) => v.name);
      this.#checkpointQuorum = this.#checkpointValidators.length;
      const saved = await this.#store.checkpointNote();
      const savedSize = saved === undefined ? 0 : parseCheckpoint(parseNote(saved).text).size;
      if (savedSize < this.#store.size()) this.#recoveryGate = this.#store.size();
    }
  }

  /** Reads the WAL before anything listens: a damaged one stops the root, saying what to do. */
  async #checkWal(): Promise<void> {
    try {
      await this.#wal.load();
    } catch (err) {
      if (!(err instanceof ConsensusError && err.code === 'WAL_CORRUPT')) throw err;
      const dir = join(this.#options.config.dataDir, 'consensus');
      const height = this.#state.height + 1;
      throw new NodeError(
        'WAL_CORRUPT',
        `the consensus write-ahead log in ${dir} is damaged: ${err.message}. Without a backup taken while the root was stopped, wait until the federation has decided height ${height} (witan status), then move ${dir} aside and start again: starting sooner could make this root sign a vote that conflicts with one it already sent.`,
      );
    }
  }

  async #entries(start: number, end: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let i = start; i < end; i += 1000)
      out.push(...(await this.#store.entries(i, Math.min(end, i + 1000))));
    return out;
  }

  #evidencerView(): EvidencerView {
    return {
      author: () => {
        const me = this.#self();
        const key = this.#options.governanceKey;
        if (me === undefined || key === undefined) return undefined;
        return {
          federation: this.#state.world.federation,
          member: me.name,
          governanceSecretKey: key.secretKey,
        };
      },
      now: () => this.#now(),
      submit: (signed) => this.submit(signed),
      found: (kind) => this.#metrics.evidence.inc({ kind }),
      log: this.#log,
    };
  }

  /** Probes the other roots on their duties and reports on each epoch (charter §21). */
  async #startProber(): Promise<void> {
    const libp2p = this.#host.libp2p;
    await libp2p.handle(CIRCUIT_STOP_PROTOCOL, probeStopHandler(libp2p));
    this.#prober = new DutyProber({
      now: () => this.#now(),
      world: () => this.#state.world,
      self: () => this.#self(),
      libp2p,
      nodeKey: this.#nodeKey,
      privateKey: await generateKeyPairFromSeed('Ed25519', this.#nodeKey.secretKey),
      submit: (signed) => this.submit(signed),
      log: this.#log.child({ component: 'duties' }),
    });
    this.#prober.start();
  }

  async #startHost(): Promise<void> {
    const { config } = this.#options;
    const policy = this.#state.world.policy;
    this.#host = await portInUseExplained(
      config.p2p.listen.join(', '),
      'p2p.listen or WITAN_P2P_LISTEN',
      () =>
        createRootHost({
          nodeSecretKey: this.#nodeKey.secretKey,
          federation: this.#state.world.federation,
          listen: config.p2p.listen,
          ...(config.p2p.announce.length > 0 ? { announce: config.p2p.announce } : {}),
          relay: relayLimitsOf(policy.relay),
          rendezvous: { ...policy.rendezvous },
          metrics: this.#registry,
          logger: this.#log.child({ component: 'p2p' }),
        }),
    );
    this.#allowMembers();
    const topics = this.#host.topics;
    this.#host.subscribe(
      topics.consensus,
      (data) => this.#onConsensus(data),
      (data) => (tryDecode(data) === undefined ? 'reject' : 'accept'),
    );
    // The validator takes the statement into the pool; only statements taken here travel on.
    this.#host.subscribe(
      topics.statements,
      () => undefined,
      (data) => this.#receiveStatement(data),
    );
    this.#host.subscribe(
      topics.cosignatures,
      (data) => this.#receiveCosignatures(new TextDecoder().decode(data)),
      (data) => (data.length > 0 ? 'accept' : 'reject'),
    );
    // What we published before a member was listening is lost: a member that joins (a
    // federation starting, a root restarting) is greeted now rather than at the next refresh.
    this.#greetOnJoin(topics.cosignatures, () => this.#shareCosignatures(true));
    this.#greetOnJoin(topics.statements, () => {
      let n = 0;
      for (const e of this.#pool.values()) {
        if (n++ >= RESHARE_STATEMENTS_MAX) break;
        void this.#publish(topics.statements, canonicalBytes(e.statement as unknown as Json));
      }
    });
    this.#greetOnJoin(topics.frost, () => this.#federation?.greet());
    this.#host.subscribe(
      topics.frost,
      (data) => this.#federation?.receive(data),
      (data) => (data.length > 0 ? 'accept' : 'reject'),
    );
  }

  /** Calls `greet` GREET_ON_JOIN_MS after a member joins `topic` (one call for a burst of joins). */
  #greetOnJoin(topic: string, greet: () => void): void {
    this.#host.onJoin(topic, () => {
      if (this.#greetings.has(topic)) return;
      this.#greetings.set(
        topic,
        setTimeout(() => {
          this.#greetings.delete(topic);
          if (!this.#stopping) greet();
        }, GREET_ON_JOIN_MS),
      );
    });
  }

  #federationHost() {
    return {
      federation: this.#state.world.federation,
      nodeSecretKey: this.#nodeKey.secretKey,
      shareDir: join(this.#options.config.dataDir, 'federation'),
      log: this.#log.child({ component: 'federation-key' }),
      book: this.#book,
      state: () => this.#state,
      worlds: () => this.#index.worlds.map((w) => w.world),
      self: () => this.#self()?.name,
      nodeKeyOf: (member: string) => {
        const m = this.#state.world.members.find((x) => x.name === member);
        return m === undefined ? undefined : fromBase64(m.nodeKey, PUBLIC_KEY_BYTES);
      },
      online: () => this.#onlineMembers(),
      publish: (bytes: Uint8Array) => void this.#publish(this.#host.topics.frost, bytes),
      submit: (signed: SignedStatement) => this.submit(signed),
      checkpointSigned: () => {
        void this.#maybeSaveCheckpoint(true);
        this.#shareCosignatures();
      },
      ledgerNow: () => this.#now(),
      now: () => Date.now(),
    };
  }

  /** Members whose roots are connected to this one now, and this root's own member. */
  #onlineMembers(): Set<string> {
    const connected = new Set(this.#host.libp2p.getPeers().map((p) => p.toString()));
    const out = new Set<string>();
    for (const m of this.#state.world.members) {
      if (m.nodeKey === this.#nodeKeyB64 || connected.has(this.#peerIdOf(m.nodeKey))) out.add(m.name);
    }
    return out;
  }

  /** `woken`: called by the settle wake itself rather than by a commit or the tick. */
  #updateFederation(woken = false): void {
    if (this.#stopping) return;
    try {
      this.#federation.update();
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'federation key update failed');
    }
    // A tree or world that waits to settle is signed when it has, not at the next tick. A wake
    // after which the moment is still due (the schedule should never leave one so) is followed
    // by the tick, not by another wake: a root must not spin on a moment that does not pass.
    const settles = this.#federation.settlesInMs();
    clearTimeout(this.#federationWake);
    this.#federationWake =
      settles === undefined || (woken && settles === 0)
        ? undefined
        : setTimeout(() => this.#updateFederation(true), settles + 1);
  }

  #allowMembers(): void {
    const members = this.#state.world.members.filter((m) => m.status !== 'suspended');
    this.#host.setAllowedPeers(members.map((m) => this.#peerIdOf(m.nodeKey)));
  }

  /**
   * Dials every member this root is not connected to, all at once: a dial into a silent cut
   * hangs until libp2p's dial timeout, and must not hold up the others. One sweep at a time.
   */
  async #dialMembers(): Promise<void> {
    if (this.#stopping || this.#dialing) return;
    this.#dialing = true;
    try {
      const connected = new Set(this.#host.libp2p.getPeers().map((p) => p.toString()));
      const dials = this.#state.world.members
        .filter((m) => m.nodeKey !== this.#nodeKeyB64 && m.status !== 'suspended')
        .map(async (m) => {
          const peerId = this.#peerIdOf(m.nodeKey);
          if (connected.has(peerId)) return;
          for (const addr of m.endpoints.p2p) {
            try {
              await this.#host.dial(addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`);
              return;
            } catch (err) {
              this.#log.debug(
                { member: m.name, addr, err: (err as Error).message },
                'cannot reach member yet',
              );
            }
          }
        });
      await Promise.all(dials);
    } finally {
      this.#dialing = false;
    }
  }

  async #startDriver(): Promise<void> {
    this.#driver = await ConsensusDriver.start({
      config: {
        federation: this.#state.world.federation,
        self: this.#nodeKeyB64,
        signer: nodeKeySigner(this.#nodeKey.secretKey),
        timeouts: this.#options.config.consensus.timeouts,
      },
      wal: this.#wal,
      transport: {
        broadcast: (bytes) => this.#publish(this.#host.topics.consensus, bytes),
        onMessage: (cb) => {
          this.#onConsensus = cb;
        },
      },
      app: {
        isValid: (h, v) => this.#isValid(h, v),
        isTimely: (h, v) => this.#isTimely(h, v),
        proposeValue: (h) => this.#buildValue(h),
        onDecision: (d) => this.#commit(d),
        validatorsFor: () =>
          validatorsOf(this.#state).map((v) => ({ id: toBase64(v.nodeKey), publicKey: v.nodeKey })),
        nextHeight: () => this.#state.height + 1,
      },
      catchUp: this.#monitor.watchCatchUp(
        peerDecisions({
          world: () => this.#state.world,
          nodeKey: this.#nodeKeyB64,
          log: this.#log,
        }),
      ),
      onEvidence: (e) => this.#evidencer.votes(e.a, e.b),
      onError: (err) => this.#log.warn({ err: (err as Error)?.message ?? err }, 'consensus input refused'),
    });
  }

  #isValid(height: number, value: Uint8Array): boolean {
    if (this.#recoveryGate !== undefined) {
      this.#log.info({ height }, 'a recovery is not committed yet: no batch after it');
      return false;
    }
    const names = new Set(validatorsOf(this.#state).map((v) => v.name));
    const verdict = this.#app.check(this.#state, height, names, value, this.#verified);
    this.#log.debug({ height, valid: typeof verdict !== 'string' }, 'checked a proposed batch');
    if (typeof verdict === 'string') {
      this.#log.warn({ height, reason: verdict }, 'refused a proposed batch');
      return false;
    }
    return true;
  }

  #isTimely(height: number, value: Uint8Array): boolean {
    const reason = this.#app.untimely(value);
    if (reason !== null) this.#log.warn({ height, reason }, 'refused a proposed batch: batch time');
    return reason === null;
  }

  #buildValue(height: number): Uint8Array | undefined {
    return this.#build(height).bytes;
  }

  /**
   * Builds (or reuses) the batch this root would propose at `height`, and drops from the pool
   * the pending statements the rules now reject with the others: those, and why, are returned.
   */
  #build(height: number): { bytes: Uint8Array | undefined; rejected: ReadonlyMap<string, Rejection> } {
    const me = this.#self();
    if (me === undefined || me.status !== 'voting' || height !== this.#state.height + 1)
      return { bytes: undefined, rejected: new Map() };
    if (this.#recoveryGate !== undefined) return { bytes: undefined, rejected: new Map() };
    const rank = (author: string) => this.#lastServed.get(author) ?? 0;
    const built = this.#app.build(this.#state, height, me.name, () => this.#pool.fairOrder(rank));
    if (built.rejected.size > 0) {
      this.#pool.remove([...built.rejected.keys()]);
      this.#log.info(
        { dropped: built.rejected.size, codes: [...built.rejected.values()].map((r) => r.code) },
        'dropped pending statements the rules now reject',
      );
    }
    return built;
  }

  /** Offers pending statements to consensus soon: every statement of a burst goes into one value build. */
  #schedulePending(): void {
    if (this.#pendingTimer !== undefined || this.#stopping) return;
    this.#pendingTimer = setTimeout(() => {
      this.#pendingTimer = undefined;
      this.#driver.pending();
    }, PENDING_COALESCE_MS);
  }

  async #publish(topic: string, data: Uint8Array): Promise<void> {
    try {
      await this.#host.broadcast(topic, data);
    } catch (err) {
      const kind = Object.entries(this.#host.topics).find(([, t]) => t === topic)?.[0] ?? 'other';
      this.#publishFailures.failed(kind, data.length, err as Error);
    }
  }

  /** Runs `work` after every commit or recovery before it, and before any after it. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(work);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** Appends a decided batch, then moves the state, pool, peers and checkpoint forward. */
  #commit(d: Decision): Promise<void> {
    return this.#exclusive(() => this.#commitNow(d));
  }

  async #commitNow(d: Decision): Promise<void> {
    const started = performance.now();
    const names = new Set(validatorsOf(this.#state).map((v) => v.name));
    const checked = this.#app.check(this.#state, d.height, names, d.value);
    if (typeof checked === 'string') {
      // A quorum decided a value we cannot reproduce: never append what we cannot verify.
      throw new NodeError(
        'DIVERGED',
        `a quorum decided the batch at height ${d.height}, which does not re-execute here (${checked}): this root's ledger or rules differ from the federation's. Stop the root, check that it runs the federation's release, then rebuild its ledger from its peers (delete ${join(this.#options.config.dataDir, 'ledger')}).`,
      );
    }
    const first = this.#store.size();
    const decision = canonicalBytes({
      round: d.round,
      valueId: d.valueId,
      value: toBase64(d.value),
      certificate: d.certificate,
    } as unknown as Json);
    await this.#store.append(checked.result.entries, { [`decision/${d.height}`]: decision });
    for (const [i, e] of checked.result.entries.entries()) this.#index.add(first + i, e);
    this.#checkpointValidators = [...names].sort();
    this.#checkpointQuorum = undefined;
    this.#state = checked.result.state;
    this.#app.reset();
    this.#pool.remove(checked.value.statements.map(statementId));
    for (const s of checked.value.statements) this.#lastServed.set(s.statement.author, d.height);
    // Only what needs no rule run here: the rules run on each statement as a batch takes it.
    const now = this.#now();
    const ageMax = this.#state.world.policy.statementAgeMaxMs;
    const authors = new Set(
      this.#state.world.members.filter((m) => m.status !== 'suspended').map((m) => m.name),
    );
    this.#pool.retain((e) => authors.has(e.author) && e.statement.statement.createdMs >= now - ageMax);
    this.#allowMembers();
    this.#lastCommit = {
      height: d.height,
      size: this.#store.size(),
      timeMs: checked.value.timeMs,
      atMs: Date.now(),
    };
    this.#metrics.commit((performance.now() - started) / 1000);
    this.#monitor.committed();
    this.#log.info(
      {
        height: d.height,
        round: d.round,
        size: this.#store.size(),
        statements: checked.value.statements.length,
        world: this.#state.world.version,
      },
      'committed batch',
    );
    this.#moveBook();
    this.#updateFederation();
    this.#changes?.notify();
  }

  /** Points the cosignature book at the current tree and cosigns it. */
  #moveBook(): void {
    this.#book.setTree(this.#store.size(), this.#store.rootHash());
    this.#cosignAndShare();
    this.#onCosignatures(this.#book.addAhead(this.#cosigners()));
  }

  #cosignAndShare(): void {
    if (this.#stopping) return;
    const me = this.#self();
    let mlDsaLater = false;
    if (me !== undefined && me.status !== 'suspended') {
      // A cosignature timestamp states when the cosigner saw the tree in real time (C2SP
      // tlog-cosignature): always the wall clock, never the ledger clock, which the devnet
      // accelerates. Auditors hold it against their own clocks (docs/auditing.md §Time).
      const nowS = Math.floor(Date.now() / 1000);
      this.#book.cosignOwn(cosignatureSigner(me.name, this.#nodeKey.secretKey, nowS));
      // The ML-DSA-44 cosignature is made once per tree: freshness comes from the Ed25519 ones.
      // While the policy does not count it towards a quorum, it follows once the tree settled.
      if (this.#mlDsaSigner(me) !== undefined && !this.#book.mlDsaCosigners().includes(me.name)) {
        if (this.#mlDsaRequired()) this.#cosignMlDsa(me);
        else mlDsaLater = true;
      }
    }
    void this.#maybeSaveCheckpoint();
    this.#shareCosignatures();
    if (mlDsaLater) this.#mlDsaOnceSettled();
  }

  /**
   * Sends this root's note to every member: the whole of it to greet a member that (re)joined,
   * otherwise without ML-DSA-44 lines they were sent lately (CosignatureBook.shareNote).
   */
  #shareCosignatures(whole = false): void {
    const note = this.#book.shareNote(Date.now(), whole);
    void this.#publish(this.#host.topics.cosignatures, new TextEncoder().encode(note));
  }

  /**
   * Adds this root's ML-DSA-44 cosignature once the tree has stood ML_DSA_COSIGN_SETTLE_MS, and
   * shares the note. A newer tree that came meanwhile was cosigned and shared (Ed25519) by its
   * own commit: the wait starts again for it, and nothing is sent — re-sending its note would
   * cost every root a message per peer each period of a burst of commits.
   */
  #mlDsaOnceSettled(): void {
    if (this.#mlDsaTimer !== undefined) return;
    const size = this.#book.size;
    this.#mlDsaTimer = setTimeout(() => {
      this.#mlDsaTimer = undefined;
      const me = this.#self();
      if (this.#stopping || me === undefined || me.status === 'suspended') return;
      if (this.#book.size !== size) return this.#mlDsaOnceSettled();
      if (this.#mlDsaSigner(me) === undefined || this.#book.mlDsaCosigners().includes(me.name)) return;
      this.#cosignMlDsa(me);
      this.#shareCosignatures();
    }, ML_DSA_COSIGN_SETTLE_MS);
  }

  /** This root's ML-DSA-44 key when the world names it as this member's; undefined otherwise. */
  #mlDsaSigner(me: Member): MlDsaKeyPair | undefined {
    const pq = this.#mlDsaKey;
    return pq !== undefined && me.mlDsaKey === toBase64(pq.publicKey) ? pq : undefined;
  }

  #cosignMlDsa(me: Member): void {
    const pq = this.#mlDsaSigner(me);
    if (pq === undefined) return;
    const nowS = Math.floor(Date.now() / 1000);
    this.#book.cosignOwnMlDsa(mlDsaCosignatureSigner(me.name, pq, nowS, checkpointSubtree));
  }

  /** Whether a member counts towards a quorum only with its ML-DSA-44 cosignature too (LEDGER §3.4). */
  #mlDsaRequired(): boolean {
    const required = this.#state.world.policy.mlDsaRequiredFromVersion;
    return required !== undefined && this.#state.world.version >= required;
  }

  #receiveCosignatures(note: string): void {
    this.#desk.onNote(note);
    const lines = () => (this.#book.federationSigned ? 1 : 0) + this.#book.mlDsaCosigners().length;
    const before = lines();
    this.#onCosignatures([this.#book.add(note, this.#cosigners())]);
    // The federation's line or an ML-DSA-44 line is new content for the served note, not only a
    // fresher timestamp: saved at once, past the once-a-second throttle.
    if (lines() > before) void this.#maybeSaveCheckpoint(true);
  }

  #recoveryDesk(): RecoveryDesk {
    return new RecoveryDesk({
      state: () => this.#state,
      head: () => ({ size: this.#store.size(), rootHash: toHex(this.#store.rootHash()) }),
      now: () => this.#now(),
      wallNow: () => Date.now(),
      adopt: (signed) => this.#exclusive(() => this.#appendRecovery(signed)),
      awaiting: () => {
        if (this.#recoveryGate === undefined) return [];
        const have = new Set(this.#book.cosigners());
        return this.#checkpointValidators.filter((name) => !have.has(name));
      },
      log: this.#log.child({ component: 'recovery' }),
    });
  }

  /**
   * Appends a recovery whose time lock is over (charter §20): its batch, the recovered world
   * in force, and consensus moved to the next height with the recovered validators — which
   * commit nothing until every one of them cosigned the checkpoint that ends the recovery.
   */
  async #appendRecovery(signed: SignedRecovery): Promise<void> {
    const head = { size: this.#store.size(), rootHash: toHex(this.#store.rootHash()) };
    const result = executeRecovery(this.#state, signed, head);
    const first = this.#store.size();
    await this.#store.append(result.entries, {
      [`recovery/${result.state.height}`]: canonicalBytes(signed as unknown as Json),
    });
    for (const [i, e] of result.entries.entries()) this.#index.add(first + i, e);
    this.#state = result.state;
    this.#checkpointValidators = validatorsOf(result.state).map((v) => v.name);
    this.#checkpointQuorum = this.#checkpointValidators.length;
    this.#recoveryGate = this.#store.size();
    this.#app.reset();
    const now = this.#now();
    const verify = preVerified(this.#verified);
    this.#pool.retain((e) => checkStatement(this.#state, e.statement, { timeMs: now, verify }) === null);
    this.#allowMembers();
    this.#lastCommit = {
      height: result.state.height,
      size: this.#store.size(),
      timeMs: result.state.timeMs,
      atMs: Date.now(),
    };
    this.#moveBook();
    const next = this.#state.height + 1;
    const validators = validatorsOf(this.#state).map((v) => ({
      id: toBase64(v.nodeKey),
      publicKey: v.nodeKey,
    }));
    this.#driver.input({ kind: 'start-height', height: next, validators });
  }

  /** Members who may cosign the current tree: before or after the batch that made it. */
  #cosigners() {
    return [...cosignersOf(this.#state)];
  }

  #onCosignatures(results: AddResult[]): void {
    for (const result of results) {
      if (result.kind === 'conflict') for (const c of result.conflicts) this.#evidencer.checkpoints(c);
    }
    if (results.some((r) => r.kind === 'added')) void this.#maybeSaveCheckpoint();
  }

  /**
   * Serves the note once a quorum cosigned, and writes it to disk when its size or content is
   * new (or the copy on disk is CHECKPOINT_DURABLE_REFRESH_MS old); `force`: new content, past
   * the once-a-second throttle.
   */
  async #maybeSaveCheckpoint(force = false): Promise<void> {
    const v = this.#checkpointValidators;
    const cosigned = this.#book.count(v, this.#mlDsaRequired());
    this.#metrics.cosigners.set(cosigned);
    if (cosigned < (this.#checkpointQuorum ?? quorumSize(v.length))) return;
    const size = this.#book.size;
    if (this.#recoveryGate !== undefined && size >= this.#recoveryGate) {
      this.#recoveryGate = undefined;
      this.#log.warn({ size }, 'every recovered validator cosigned the recovery: committing again');
      this.#driver.pending();
    }
    const now = Date.now();
    if (!force && size === this.#savedSize && now - this.#lastSaveMs < CHECKPOINT_SAVE_INTERVAL_MS) return;
    this.#savedSize = size;
    this.#lastSaveMs = now;
    // The store writes a note for a new size whatever is asked; a failed write is asked again.
    const durable = force || now - this.#durableMs >= CHECKPOINT_DURABLE_REFRESH_MS;
    try {
      if (await this.#store.saveCheckpoint(size, this.#book.note(), { durable })) this.#durableMs = now;
      this.#metrics.checkpointSize.set(size);
      this.#changes?.notify();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message, size }, 'could not save checkpoint');
    }
  }

  get changes(): ChangeSignal | undefined {
    return this.#changes;
  }

  submit(signed: SignedStatement, screened?: Screened): SubmitResult {
    const s = screened ?? screenStatement(this.#state.world, signed);
    if ('code' in s) return { id: statementId(signed), rejection: s, known: false };
    return this.#accept(signed, s, 'http');
  }

  /**
   * Takes a screened statement (its author's signature checked, screen.ts): the rules against
   * the state now, the pool (bounded per author), then the pending batch. Gossips it if it came
   * over HTTP.
   */
  #accept(signed: SignedStatement, screened: Screened, source: 'http' | 'gossip'): SubmitResult {
    const { id } = screened;
    if (this.#index.statements.has(id) || this.#pool.has(id)) return { id, rejection: null, known: true };
    const author = signed.statement.author;
    // The screen checked the signature under the key the statement's kind names (a governance
    // key, or the node key for what a root signs): recorded so, the rules do not check it again.
    const signerKey = signerKeyOf(
      signed.statement.kind,
      this.#state.world.members.find((m) => m.name === author)!,
    );
    const verify = preVerified(new Map([[id, { signerKey, ok: true }]]));
    const rejection = checkStatement(this.#state, signed, { timeMs: this.#now(), verify });
    if (rejection !== null) return { id, rejection, known: false };
    const entry = {
      id,
      statement: signed,
      author,
      signerKey,
      bytes: screened.bytes,
      receivedMs: Date.now(),
    };
    const added = this.#pool.add(entry);
    if (added === 'full' || added === 'author-full')
      return { id, rejection: poolRejection(added), known: false };
    const offered = this.#app.offer(this.#state, { ...entry, seq: 0 });
    if (typeof offered === 'object') {
      // It breaks a rule among the statements already pending: it would never commit.
      this.#pool.remove([id]);
      return { id, rejection: offered, known: false };
    }
    if (offered === 'not-open') {
      // No batch open on this state: open it now, so that a statement the rules refuse with the
      // others pending (too many open motions of one author, say) is answered so, never 202.
      const refused = this.#build(this.#state.height + 1).rejected.get(id);
      if (refused !== undefined) return { id, rejection: refused, known: false };
    }
    this.#metrics.statements.inc({ source });
    this.#log.debug({ id, source }, 'statement accepted');
    if (source === 'http')
      void this.#publish(this.#host.topics.statements, canonicalBytes(signed as unknown as Json));
    this.#schedulePending();
    return { id, rejection: null, known: false };
  }

  /**
   * A statement from a member's root: screened, read, then taken like one over HTTP. Forwarded
   * only when this root took it; refused (a mark against the sender) only when malformed, since
   * a rule may hold here and not there while the two roots are at different heights.
   */
  #receiveStatement(data: Uint8Array): GossipVerdict {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
    } catch {
      return 'reject';
    }
    const screened = screenStatement(this.#state.world, raw);
    if ('code' in screened) return screened.code === 'MALFORMED_STATEMENT' ? 'reject' : 'ignore';
    let signed: SignedStatement;
    try {
      signed = parseSignedStatement(raw, screened.bytes);
    } catch {
      return 'reject';
    }
    const result = this.#accept(signed, screened, 'gossip');
    return result.rejection === null && !result.known ? 'accept' : 'ignore';
  }

  state(): GovernanceState {
    return this.#state;
  }

  async worldChain(): Promise<WorldChain> {
    return { genesis: this.#genesis, ...(await this.#chain.chain()) };
  }

  outcome(id: string): MotionOutcome | undefined {
    return this.#index.outcome(id);
  }

  motion(id: string): Promise<MotionView | undefined> {
    return this.#motions.motion(this.#state, id);
  }

  motions(decidedLimit: number): Promise<{ open: OpenMotionView[]; decided: DecidedMotionView[] }> {
    return this.#motions.motions(this.#state, decidedLimit);
  }

  resolve(prefix: string, what: 'motion' | 'statement'): IdMatch {
    return this.#motions.resolve(prefix, what);
  }

  statementStatus(id: string): StatementStatus {
    const committed = this.#index.statements.get(id);
    if (committed !== undefined)
      return { id, status: 'committed', index: committed.index, height: committed.height };
    if (this.#pool.has(id)) return { id, status: 'pending' };
    return { id, status: 'unknown' };
  }

  status(): RootStatus {
    const consensus = this.#driver.state;
    const duty = this.#host.stats();
    return {
      member: this.#self()?.name ?? null,
      federation: this.#state.world.federation,
      worldVersion: this.#state.world.version,
      height: this.#state.height,
      consensus: {
        height: consensus.height,
        round: consensus.round,
        step: consensus.step,
        active: consensus.active,
      },
      ledger: { size: this.#store.size(), checkpointCosigners: this.#book.cosigners() },
      pending: this.#pool.size,
      peerId: this.#host.peerId.toString(),
      addrs: this.#host.multiaddrs().map(String),
      peers: this.#host.libp2p.getPeers().map((p) => p.toString()),
      lastCommit: this.#lastCommit,
      relay: { reservations: duty.reservations, circuits: duty.circuits, relayedBytes: duty.relayedBytes },
      rendezvous: { registrations: duty.rendezvousRegistrations },
      timeMs: this.#now(),
      version: WITAN_VERSION,
      health: this.#monitor.snapshot().health,
    };
  }

  /** Decisions recorded for heights [from, from + limit), for peers catching up. */
  async decisions(from: number, limit: number): Promise<DecisionRecord[]> {
    const out: DecisionRecord[] = [];
    for (let h = from; h < from + limit && h <= this.#state.height; h++) {
      const bytes = await this.#store.getMeta(`decision/${h}`);
      if (bytes === undefined) break;
      out.push({ height: h, ...JSON.parse(new TextDecoder().decode(bytes)) });
    }
    return out;
  }

  evidence(): readonly Evidence[] {
    return this.#evidencer.found;
  }

  federation(): FederationStatus {
    return this.#federation.status();
  }

  /** A world's signed note, planet and moon; the newest signed world when `version` is undefined. */
  signedWorld(version?: number): SignedWorldArtifacts | undefined {
    const signed = this.#index.federationSignatures;
    const v = version ?? Math.max(0, ...signed.keys());
    const statement = signed.get(v);
    if (statement === undefined) return undefined;
    const built = this.#signedWorlds.get(v);
    if (built?.from === statement) return built.artifacts;
    const at = this.#index.worlds.findIndex((w) => w.version === v);
    if (at < 0) return undefined;
    const before: World | undefined = this.#index.worlds[at - 1]?.world;
    const record = this.#index.worlds[at]!;
    const artifacts = signedWorldArtifacts(before, record.world, record.hash, statement);
    this.#signedWorlds.set(v, { from: statement, artifacts });
    return artifacts;
  }

  zeroTierFile(type: ZeroTierType, version?: number): ZeroTierFile {
    return this.#zeroTier.file(type, version);
  }

  /** Every signed world note, oldest first: the chain a client follows from the first key. */
  signedWorldNotes(): { version: number; note: string }[] {
    return [...this.#index.federationSignatures.keys()]
      .sort((a, b) => a - b)
      .flatMap((v) => {
        const a = this.signedWorld(v);
        return a === undefined ? [] : [{ version: v, note: a.note }];
      });
  }

  async #startHttp(): Promise<void> {
    const { config } = this.#options;
    // A long poll ends well inside the connection's inactivity timeout, which would cut it.
    this.#changes = new ChangeSignal(config.http.requestTimeoutMs / 2);
    this.#http = await buildApiServer({
      logger: this.#log.child({ component: 'http' }),
      bodyBytesMax: config.http.bodyBytesMax,
      requestsPerMinute: config.http.requestsPerMinute,
      requestTimeoutMs: config.http.requestTimeoutMs,
      eventLoopDelayMaxMs: config.http.eventLoopDelayMaxMs,
      connectionsMax: config.http.connectionsMax,
      trustProxy: config.http.trustProxy,
      metrics: this.#registry,
      title: `Witan root ${this.#self()?.name ?? ''}`.trim(),
      docs: true,
      readOnlyCors: true,
    });
    const members = this.#state.world.members.map((m) => m.name);
    const witness = new WitnessInbox(this.#book, witnessVerifiers(config.witnesses, members), () =>
      this.#maybeSaveCheckpoint(true),
    );
    await this.#http.register(publicRoutes, {
      health: () => this.#health(),
      ready: () => this.#monitor.snapshot().health,
      tlog: { store: this.#store, checkpointRefreshMs: 0, witness, changes: this.#changes },
      view: this,
      recovery: {
        recovery: () => this.#desk.status(),
        submitRecovery: (signed) => this.#desk.submit(signed),
      },
      federation: this,
    });
    await portInUseExplained(`${config.http.host}:${config.http.port}`, 'http.port or WITAN_HTTP_PORT', () =>
      this.#http.listen({ host: config.http.host, port: config.http.port }),
    );
    this.#operator = await buildApiServer({
      logger: this.#log.child({ component: 'operator-http' }),
      ...OPERATOR_HTTP_LIMITS,
      docs: false,
    });
    await this.#operator.register(healthRoutes, { health: () => this.#health() });
    await this.#operator.register(readyRoutes, { ready: () => this.#monitor.snapshot().health });
    await this.#operator.register(metricsRoutes, { registry: this.#registry });
    await portInUseExplained(
      `${config.operator.host}:${config.operator.port}`,
      'operator.port or WITAN_OPERATOR_PORT',
      () => this.#operator.listen({ host: config.operator.host, port: config.operator.port }),
    );
  }

  #health(): { ok: boolean; detail: Record<string, string | number | boolean> } {
    return {
      ok: !this.#stopping,
      detail: {
        height: this.#state.height,
        size: this.#store.size(),
        peers: this.#host.libp2p.getPeers().length,
      },
    };
  }

  /** Stops accepting, lets the durable write in flight finish, closes the stores. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const t of this.#timers) clearInterval(t);
    this.#silentPeers?.stop();
    this.#prober?.stop();
    for (const t of this.#greetings.values()) clearTimeout(t);
    clearTimeout(this.#pendingTimer);
    clearTimeout(this.#mlDsaTimer);
    clearTimeout(this.#federationWake);
    this.#changes?.close();
    await this.#closeOpened();
    this.#log.info('root stopped');
  }

  /** Closes the servers, driver, host and stores in that order, each only if it was opened. */
  async #closeOpened(): Promise<void> {
    // The fields are set one by one as #open goes; a failed start stops wherever it got to.
    await this.#http?.close();
    await this.#operator?.close();
    await this.#driver?.stop();
    await this.#host?.stop();
    await this.#wal?.close();
    await this.#store?.close();
  }
}

/**
 * Runs `listen`; a port another process already holds becomes an error that names the address
 * and the setting that chose it, rather than a bare EADDRINUSE.
 */
async function portInUseExplained<T>(where: string, setting: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    if (!inUse(err)) throw err;
    throw new NodeError(
      'PORT_IN_USE',
      `another process already listens on ${where}; stop it, or give this root another address (${setting}).`,
      { cause: err },
    );
  }
}

/** How deep inUse looks through errors wrapping errors. */
const CAUSE_DEPTH_MAX = 5;

/** Whether `err`, or an error it wraps (as libp2p's listeners do), is EADDRINUSE. */
function inUse(err: unknown): boolean {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e !== null && e !== undefined && depth < CAUSE_DEPTH_MAX; depth++) {
    if (e.code === 'EADDRINUSE') return true;
    if (typeof e.message === 'string' && e.message.includes('EADDRINUSE')) return true;
    e = e.cause as typeof e;
  }
  return false;
}

function isLocked(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; message?: string } };
  return (
    e?.code === 'LEVEL_LOCKED' || e?.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(e?.cause?.message ?? '')
  );
}

function tryDecode(data: Uint8Array): ConsensusMessage | undefined {
  try {
    return decodeConsensusMessage(data);
  } catch {
    return undefined;
  }
}

function poolRejection(added: 'full' | 'author-full'): {
  code: 'POOL_FULL' | 'POOL_AUTHOR_FULL';
  message: string;
} {
  return added === 'full'
    ? { code: 'POOL_FULL', message: 'This root has too many pending statements; try again shortly.' }
    : {
        code: 'POOL_AUTHOR_FULL',
        message:
          'This member has as many pending statements on this root as it may; submit more once some have committed.',
      };
}
