// An overlay peer (docs/overlay-client.md): on the roots it is given — from a verified world
// (client.ts) or by address — it reserves relay slots (libp2p/specs relay/circuit-v2.md) on at
// least two, registers in a rendezvous namespace there (`/rendezvous/1.0.0`), keeps both when a
// root fails (root-set.ts), learns how the network sees it (reachability.ts), finds other peers,
// reaches them through a relay and lets DCUtR upgrade the connection where the NATs allow.
// The demo protocol '/witan/demo-chat/1.0.0' echoes one message per stream (probes.ts).

import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Connection, PrivateKey } from '@libp2p/interface';
import { type Multiaddr, multiaddr as multiaddrOf } from '@multiformats/multiaddr';
import {
  CONNECT_TIMEOUT_MS,
  DEFAULT_OVERLAY_NAMESPACE,
  DEFAULT_REGISTRATION_TTL_S,
  DEFAULT_ROOTS_WANTED,
  DIRECT_WAIT_MS_MAX,
  DISCOVER_PAGES_MAX,
  REACHABILITY_CONFIRMED_TTL_MS,
  REACHABILITY_RECHECK_MS,
  RELAY_RESERVATION_WAIT_MS,
  ROOT_CHECK_INTERVAL_MS,
  ROOT_PING_INTERVAL_MS,
  ROOTS_MIN,
  ROOTS_WANTED_MAX,
  START_PASS_PAUSE_MS,
  START_PASSES_MAX,
} from './constants.ts';
import { OverlayError } from './errors.ts';
import { createOverlayHost, freeTcpPort, isCircuit, type OverlayHost, peerIdOfAddr } from './host.ts';
import { exchangeMessage, serveChat } from './probes.ts';
import { judgeReachability, learnReachability, type Reachability } from './reachability.ts';
import type { DiscoveredRegistration } from './rendezvous-client.ts';
import { type Failover, RootSet, type RootStatus } from './root-set.ts';
import { contactOfAddr, distinctRoots, type RootContact, rankRoots } from './roots.ts';

export type OverlayEvent =
  | { type: 'root-added'; root: string; atMs: number }
  | { type: 'root-lost'; root: string; reason: string; atMs: number }
  | { type: 'failover'; failover: Failover }
  | { type: 'registration-failed'; root: string; reason: string }
  | { type: 'reachability'; reachability: Reachability };

export type OverlayPeerOptions = {
  /** Roots the peer may use: contacts from a verified world (client.ts), or multiaddrs ending in /p2p/<id>. */
  roots: readonly (RootContact | string)[];
  namespace?: string;
  /** Roots to hold a reservation and a registration on at once (ROOTS_MIN..ROOTS_WANTED_MAX). */
  rootsWanted?: number;
  /** The peer's own listen addresses (a public peer's), e.g. /ip6/2001:db8::5/tcp/4101. */
  listen?: string[];
  privateKey?: PrivateKey;
  /** Registration TTL in seconds; the rendezvous default (2 h) when absent. */
  ttlS?: number;
  /**
   * The local TCP port every dial leaves from — what makes hole punching possible behind an
   * endpoint-independent NAT (host.ts): a port number, "auto" (a port free at start; the
   * default) or "ephemeral" (a new port per dial, as stock js-libp2p; no hole punching).
   */
  dialPort?: number | 'auto' | 'ephemeral';
  /** Whether to learn how the network sees the peer (identify, AutoNAT); default true. */
  reachability?: boolean;
  /** Wall clock (ms); failover times are read from it. */
  nowMs?: () => number;
  onEvent?: (event: OverlayEvent) => void;
};

export type ConnectOptions = {
  /** Wait this long (ms) for DCUtR to replace the relayed connection with a direct one; 0: do not wait. */
  directWaitMs?: number;
  signal?: AbortSignal;
};

export type PeerConnection = {
  connection: Connection;
  /** The connection through a relay that was dialled first. */
  relayed: Connection;
  direct: boolean;
  /** From the dial to the relayed connection being up (rendezvous lookup excluded). */
  relayedMs: number;
  /** From the dial to the direct connection, when DCUtR gave one in time. */
  directMs: number | null;
};

function checkOptions(o: OverlayPeerOptions): { wanted: number; roots: RootContact[] } {
  const wanted = o.rootsWanted ?? DEFAULT_ROOTS_WANTED;
  if (!Number.isInteger(wanted) || wanted < ROOTS_MIN || wanted > ROOTS_WANTED_MAX)
    throw new OverlayError('OVERLAY_INVALID_OPTIONS', `rootsWanted: ${ROOTS_MIN}..${ROOTS_WANTED_MAX}`);
  const port = o.dialPort;
  if (typeof port === 'number' && (!Number.isInteger(port) || port < 1 || port > 65_535))
    throw new OverlayError(
      'OVERLAY_INVALID_OPTIONS',
      `dialPort ${port}: a TCP port 1..65535, "auto" or "ephemeral"`,
    );
  const roots = distinctRoots(o.roots.map((r) => (typeof r === 'string' ? contactOfAddr(r) : r)));
  if (roots.length < ROOTS_MIN)
    throw new OverlayError(
      'ROOTS_TOO_FEW',
      `an overlay peer needs at least ${ROOTS_MIN} roots, so that one can fail; ${roots.length} given`,
    );
  return { wanted, roots };
}

export class OverlayPeer {
  readonly peerId: string;
  readonly namespace: string;
  readonly #host: OverlayHost;
  readonly #roots: RootSet;
  readonly #o: OverlayPeerOptions;
  readonly #nowMs: () => number;
  readonly #timers: NodeJS.Timeout[] = [];
  /** How each root saw this peer (identify's observedAddr), by root peer id. */
  readonly #observed: Record<string, string> = {};
  #reachability: Reachability = judgeReachability({}, {}, null);
  #settled: Promise<Reachability> = Promise.resolve(this.#reachability);
  #pass: Promise<void> | undefined;
  #passAgain = false;
  #stopped = false;

  private constructor(host: OverlayHost, o: OverlayPeerOptions, wanted: number, privateKey: PrivateKey) {
    this.#host = host;
    this.#o = o;
    this.#nowMs = o.nowMs ?? Date.now;
    this.peerId = host.node.peerId.toString();
    this.namespace = o.namespace ?? DEFAULT_OVERLAY_NAMESPACE;
    this.#roots = new RootSet({
      host,
      privateKey,
      namespace: this.namespace,
      wanted,
      ttlS: o.ttlS ?? DEFAULT_REGISTRATION_TTL_S,
      nowMs: this.#nowMs,
      onEvent: (e) => o.onEvent?.(e),
    });
  }

  /**
   * Starts a peer and resolves once it holds a reservation and a registration on the first roots
   * of the namespace order that work (RELAY_UNAVAILABLE when none does).
   */
  static async start(o: OverlayPeerOptions): Promise<OverlayPeer> {
    const { wanted, roots } = checkOptions(o);
    const privateKey = o.privateKey ?? (await generateKeyPair('Ed25519'));
    const dialPort =
      o.dialPort === 'ephemeral'
        ? undefined
        : o.dialPort === 'auto' || o.dialPort === undefined
          ? await freeTcpPort()
          : o.dialPort;
    const host = await createOverlayHost({
      privateKey,
      listen: o.listen ?? [],
      dialPort,
      reservationsAtOnce: wanted,
    });
    const peer = new OverlayPeer(host, o, wanted, privateKey);
    try {
      await peer.#start(roots);
      return peer;
    } catch (err) {
      await peer.stop();
      throw err;
    }
  }

  get node(): OverlayHost['node'] {
    return this.#host.node;
  }

  async #start(roots: RootContact[]): Promise<void> {
    const node = this.#host.node;
    await serveChat(node);
    node.addEventListener('peer:identify', (evt) => {
      const { peerId, observedAddr } = evt.detail;
      const id = peerId.toString();
      if (observedAddr !== undefined && !isCircuit(observedAddr) && this.#roots.isRoot(id))
        this.#observed[id] = observedAddr.toString();
    });
    node.addEventListener('connection:close', (evt) => {
      if (this.#roots.isRoot(evt.detail.remotePeer.toString())) this.#check();
    });
    node.addEventListener('self:peer:update', () => this.#check());
    this.#roots.setCandidates(rankRoots(roots, this.namespace));
    // At start every candidate may be tried again after a pause (a root still starting, a link
    // coming up); afterwards a root that failed rests for ROOT_RETRY_AFTER_MS.
    const deadline = this.#nowMs() + RELAY_RESERVATION_WAIT_MS;
    for (let pass = 0; pass < START_PASSES_MAX && this.#nowMs() < deadline; pass++) {
      if (pass > 0) {
        await new Promise((r) => setTimeout(r, START_PASS_PAUSE_MS));
        this.#roots.forgetFailures();
      }
      await this.#runPass();
      if (this.#roots.inUse().length > 0) break;
    }
    if (this.#roots.inUse().length === 0)
      throw new OverlayError(
        'RELAY_UNAVAILABLE',
        'no root granted a relay reservation; check that the roots are reachable or ask for a fresher world',
      );
    this.#timers.push(setInterval(() => this.#check(), ROOT_CHECK_INTERVAL_MS));
    this.#timers.push(
      setInterval(() => void this.#roots.pingAll().catch(() => undefined), ROOT_PING_INTERVAL_MS),
    );
    if (this.#o.reachability !== false) {
      this.#settled = this.#judgeReachability();
      this.#timers.push(
        setInterval(() => {
          this.#settled = this.#judgeReachability();
        }, REACHABILITY_RECHECK_MS),
      );
    }
  }

  /** Runs a supervision pass now, or right after the one running. */
  #check(): void {
    if (this.#stopped) return;
    if (this.#pass !== undefined) {
      this.#passAgain = true;
      return;
    }
    void this.#runPass();
  }

  async #runPass(): Promise<void> {
    if (this.#pass !== undefined) return this.#pass;
    this.#pass = (async () => {
      // Events during a pass ask for one more; each pass is a full look, so one more is enough.
      do {
        this.#passAgain = false;
        if (this.#stopped) return;
        await this.#roots.ensure().catch(() => undefined);
      } while (this.#passAgain);
    })().finally(() => {
      this.#pass = undefined;
    });
    return this.#pass;
  }

  async #judgeReachability(): Promise<Reachability> {
    const r = await learnReachability({
      node: this.#host.node,
      rootIds: this.#roots.inUse().map((c) => c.peerId),
      observed: () => this.#observed,
      ownAddrs: this.#host.listenAddrs(),
      nowMs: this.#nowMs,
      early: (early) => this.#adopt(early),
    });
    if (r.confirmed !== null) this.#host.confirmAddr(multiaddrOf(r.confirmed), REACHABILITY_CONFIRMED_TTL_MS);
    return this.#adopt(r);
  }

  #adopt(r: Reachability): Reachability {
    this.#reachability = r;
    this.#host.setHolePunchAddrs(r.holePunch.map(multiaddrOf));
    this.#o.onEvent?.({ type: 'reachability', reachability: r });
    return r;
  }

  /** How the network sees this peer, as last judged. */
  reachability(): Reachability {
    return this.#reachability;
  }

  /** Resolves once the current reachability judgement (identify, then AutoNAT) is done. */
  reachabilitySettled(): Promise<Reachability> {
    return this.#settled;
  }

  /** This peer's /p2p-circuit addresses, one or more per root holding a reservation. */
  relayAddrs(): Multiaddr[] {
    return this.#host.circuitAddrs();
  }

  /** The roots in use: reserved, registered, since when. */
  roots(): RootStatus[] {
    return this.#roots.status();
  }

  /** Losses of a root and their repair, oldest first (at most FAILOVER_HISTORY_MAX). */
  failovers(): Failover[] {
    return this.#roots.failovers();
  }

  /** New candidate roots (a newer world): roots no longer listed are left at the next pass. */
  setRoots(roots: readonly (RootContact | string)[]): void {
    const contacts = distinctRoots(roots.map((r) => (typeof r === 'string' ? contactOfAddr(r) : r)));
    this.#roots.setCandidates(rankRoots(contacts, this.namespace));
    this.#check();
  }

  /** Runs a supervision pass and resolves when it is done (tests, and after setRoots). */
  async settle(): Promise<void> {
    await this.#runPass();
  }

  /**
   * Other peers registered in a namespace (this peer left out), from the roots in use in order,
   * merged by peer id: a peer registered at several roots has every address it gave them.
   */
  async discover(options: { namespace?: string; limit?: number } = {}): Promise<DiscoveredRegistration[]> {
    const ns = options.namespace ?? this.namespace;
    const byPeer = new Map<string, DiscoveredRegistration>();
    let answered = 0;
    let lastError: Error | undefined;
    for (const client of this.#roots.rendezvousClients()) {
      try {
        let cookie: Uint8Array | undefined;
        for (let page = 0; page < DISCOVER_PAGES_MAX; page++) {
          const r = await client.discover(ns, options.limit, cookie);
          cookie = r.cookie;
          for (const reg of r.registrations) {
            if (reg.peerId === this.peerId) continue;
            const known = byPeer.get(reg.peerId);
            if (known === undefined) byPeer.set(reg.peerId, { ...reg, multiaddrs: [...reg.multiaddrs] });
            else
              for (const a of reg.multiaddrs)
                if (!known.multiaddrs.some((k) => k.equals(a))) known.multiaddrs.push(a);
          }
          if (r.registrations.length === 0 || (options.limit !== undefined && byPeer.size >= options.limit))
            break;
        }
        answered++;
      } catch (err) {
        lastError = err as Error;
      }
    }
    if (answered === 0 && lastError !== undefined) throw lastError;
    return [...byPeer.values()];
  }

  /**
   * Reaches a peer: finds it by rendezvous, dials it through a relay (roots in use first), and
   * when asked waits for DCUtR to give a direct connection. Throws PEER_NOT_FOUND or
   * PEER_UNREACHABLE.
   */
  async connect(peerId: string, options: ConnectOptions = {}): Promise<PeerConnection> {
    const signal = options.signal ?? AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    const found = (await this.discover()).find((r) => r.peerId === peerId);
    const used = new Set(this.#roots.inUse().map((r) => r.peerId));
    const viaUsed = (a: Multiaddr) => (used.has(relayOf(a) ?? '') ? 0 : 1);
    const circuits = (found?.multiaddrs ?? []).filter(isCircuit).sort((a, b) => viaUsed(a) - viaUsed(b));
    if (circuits.length === 0)
      throw new OverlayError(
        'PEER_NOT_FOUND',
        `peer ${peerId} has no relay address registered in "${this.namespace}"`,
      );
    const node = this.#host.node;
    const t0 = performance.now();
    let relayed: Connection;
    try {
      relayed = await node.dial(circuits, { signal });
    } catch (err) {
      throw new OverlayError(
        'PEER_UNREACHABLE',
        `no relay reached peer ${peerId}: ${(err as Error).message}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    const relayedMs = performance.now() - t0;
    const remote = relayed.remotePeer;
    const direct = () =>
      node.getConnections(remote).find((c) => c.status === 'open' && !isCircuit(c.remoteAddr));
    let directMs: number | null = direct() === undefined ? null : relayedMs;
    const waitMs = Math.min(options.directWaitMs ?? 0, DIRECT_WAIT_MS_MAX);
    if (directMs === null && waitMs > 0) {
      const got = await waitForDirect(node, remote.toString(), waitMs, signal);
      if (got) directMs = performance.now() - t0;
    }
    const best = direct() ?? node.getConnections(remote).find((c) => c.status === 'open') ?? relayed;
    return { connection: best, relayed, direct: !isCircuit(best.remoteAddr), relayedMs, directMs };
  }

  /** Sends one message to a peer (through a relay, or directly once DCUtR upgraded) and resolves to its echo. */
  async send(peerId: string, message: Uint8Array, options: ConnectOptions = {}): Promise<Uint8Array> {
    const signal = options.signal ?? AbortSignal.timeout(CONNECT_TIMEOUT_MS);
    const { connection } = await this.connect(peerId, { ...options, signal });
    return exchangeMessage(connection, message, signal);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.#pass?.catch(() => undefined);
    await this.#roots.leave().catch(() => undefined);
    await this.#host.stop();
  }
}

function relayOf(a: Multiaddr): string | undefined {
  const text = a.toString();
  return peerIdOfAddr(multiaddrOf(text.slice(0, text.indexOf('/p2p-circuit'))));
}

/** Resolves true once a direct connection to `peer` opens, false after `ms` or on abort. */
function waitForDirect(
  node: OverlayHost['node'],
  peer: string,
  ms: number,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      node.removeEventListener('connection:open', onOpen);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onOpen = (evt: CustomEvent<Connection>) => {
      const c = evt.detail;
      if (c.remotePeer.toString() === peer && !isCircuit(c.remoteAddr)) done(true);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    node.addEventListener('connection:open', onOpen);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Starts an overlay peer on the given roots (see OverlayPeer). */
export function createOverlayPeer(options: OverlayPeerOptions): Promise<OverlayPeer> {
  return OverlayPeer.start(options);
}
