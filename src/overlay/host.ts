// The overlay peer's libp2p host: TCP, the circuit relay v2 transport (libp2p/specs
// relay/circuit-v2.md), Noise, Yamux, identify, ping and DCUtR (relay/DCUtR.md), built from
// stock js-libp2p modules with the changes a peer behind a NAT needs to hole-punch with js-libp2p
// 3.3 in Node. Each change below is marked WORKAROUND with the js-libp2p behaviour it works
// around and how to tell when it can go; test/netlab (nat-peers, failover) fails when one is
// removed too early.

import { createServer } from 'node:net';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { identify } from '@libp2p/identify';
import type { Libp2p, Listener, PrivateKey, TopologyFilter } from '@libp2p/interface';
import type { AddressManager, TransportManager } from '@libp2p/interface-internal';
import { type Ping, ping } from '@libp2p/ping';
import { type TCPSocketOptions, tcp } from '@libp2p/tcp';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { connectionEncrypter } from '../net/connection-encrypter.ts';
import { streamMuxer } from '../net/stream-muxer.ts';
import { OVERLAY_CONNECTIONS_MAX, RELAY_RESERVATION_TIMEOUT_MS } from './constants.ts';

/** js-libp2p's DCUtR dials the punched connection with this priority (dcutr.js DCUTR_DIAL_PRIORITY). */
const DCUTR_DIAL_PRIORITY = 100;

export type OverlayHostOptions = {
  privateKey: PrivateKey;
  /** The peer's own listen addresses (a public peer's); relays are added with reserve(). */
  listen: readonly string[];
  /** The local TCP port every dial leaves from; undefined: a new port per dial (no hole punching). */
  dialPort: number | undefined;
  /** Reservations requested at once (one per root in use). */
  reservationsAtOnce: number;
};

export type OverlayHost = {
  readonly node: Libp2p<{ identify: unknown; ping: Ping; dcutr: unknown }>;
  /** Reserves a slot on a root's relay and listens on its /p2p-circuit address. */
  reserve(root: Multiaddr, signal: AbortSignal): Promise<void>;
  /** This peer's /p2p-circuit addresses through one root (by its peer id), or through any. */
  circuitAddrs(rootPeerId?: string): Multiaddr[];
  /** Addresses offered to DCUtR (observed NAT mappings): never listed in identify. */
  setHolePunchAddrs(addrs: readonly Multiaddr[]): void;
  /** The peer's own listen addresses (not relayed), as its transports report them. */
  listenAddrs(): Multiaddr[];
  /** Lists an address as reachable (AutoNAT said so), for identify and registrations. */
  confirmAddr(addr: Multiaddr, ttlMs: number): void;
  stop(): Promise<void>;
};

/** What the host reaches inside libp2p (components are not on the public Libp2p type). */
type Internals = { addressManager: AddressManager; transportManager: TransportManager };

export const isCircuit = (a: Multiaddr): boolean => a.toString().includes('/p2p-circuit');

/** The /p2p/ peer id a multiaddr names last, if any. */
export function peerIdOfAddr(a: Multiaddr): string | undefined {
  return a.getComponents().findLast((c) => c.name === 'p2p')?.value;
}

/**
 * WORKAROUND (DCUtR's B side is dialled as an initiator). js-libp2p 3.3's dial queue drops the
 * `initiator: false` DCUtR passes for the peer that received the relayed connection (B), so both
 * ends of the TCP simultaneous open act as initiator and Noise fails ("handshake stage 1
 * validation fail"); and even with the flag, the muxer takes its side from the socket's
 * direction, so both ends become yamux clients. DCUtR dials with priority 100; when such a dial
 * goes to a peer that reached us through a relay, it is B's: this wrapper makes B's end of the
 * punched connection a responder throughout.
 * It can go when js-libp2p's dial queue passes `initiator` through to the upgrader and the
 * upgrader (not the socket) gives the muxer its side: then the EIM-EIM pair of
 * test/netlab/nat-peers.test.ts goes direct without it.
 */
function punchAwareTcp(init: Parameters<typeof tcp>[0], relayedInbound: ReadonlySet<string>) {
  const make = tcp(init);
  return (components: Parameters<ReturnType<typeof tcp>>[0]) => {
    const transport = make(components);
    const dial = transport.dial.bind(transport);
    transport.dial = (ma, options) => {
      const priority = (options as { priority?: number }).priority;
      const peer = peerIdOfAddr(ma);
      if (priority !== DCUTR_DIAL_PRIORITY || peer === undefined || !relayedInbound.has(peer)) {
        return dial(ma, options);
      }
      const upgrader = options.upgrader;
      const asResponder = Object.create(upgrader) as typeof upgrader;
      asResponder.upgradeOutbound = (maConn, opts) => {
        (maConn as { direction: string }).direction = 'inbound';
        return upgrader.upgradeOutbound(maConn, { ...opts, initiator: false } as typeof opts);
      };
      return dial(ma, { ...options, upgrader: asResponder, initiator: false } as typeof options);
    };
    return transport;
  };
}

/**
 * WORKAROUND (a NAT mapping is either hidden from DCUtR or listed everywhere). js-libp2p's DCUtR
 * offers `addressManager.getAddresses()`, which lists an observed address only once it is
 * confirmed, and its AutoNAT client confirms only with answers from 4 to 8 distinct network
 * segments, which a federation of a few roots cannot give: a peer behind an
 * endpoint-independent NAT would have nothing to punch to. Confirming the mapping instead lists
 * it in identify too, and then the other side's DCUtR first dials it "unilaterally", which a NAT
 * drops silently: 5 s lost before every punch. So DCUtR alone sees the mapping, through its own
 * view of the address manager; identify and rendezvous records list only addresses that are
 * reachable. This is what go-libp2p's hole puncher does (it offers observed addresses that the
 * host does not announce).
 * It can go when js-libp2p's DCUtR takes candidate addresses from identify's observations
 * rather than from the confirmed list.
 */
function dcutrWithHolePunchAddrs(
  init: Parameters<typeof dcutr>[0],
  holePunchAddrs: () => readonly Multiaddr[],
) {
  const make = dcutr(init);
  return (components: Parameters<ReturnType<typeof dcutr>>[0] & { addressManager: AddressManager }) => {
    const real = components.addressManager;
    const view = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'getAddresses') return Reflect.get(target, prop, receiver);
        return () => {
          const listed = target.getAddresses();
          const seen = new Set(listed.map(String));
          return [...listed, ...holePunchAddrs().filter((a) => !seen.has(a.toString()))];
        };
      },
    });
    const scoped = new Proxy(components, {
      get: (target, prop, receiver) =>
        prop === 'addressManager' ? view : Reflect.get(target, prop, receiver),
    });
    return make(scoped);
  };
}

/**
 * WORKAROUND (a reservation asked for twice is dropped). The relay transport asks every relay
 * that identify shows speaking HOP for a "discovered" reservation. When identify's answer comes
 * after the configured reservation is made (a race: on a loaded machine or a slow link) and the
 * reservation lasts 10 minutes or less (js-libp2p's REFRESH_WINDOW), that second request
 * refreshes the configured one, finds no discovery slot to put it in, throws
 * HadEnoughRelaysError, and its error path removes the reservation it had (reservation-store.js):
 * the relay's address is never listed again. Seen in test/netlab as peers that lost a root at
 * start (3 restarts in the 14 peer starts of one netlab benchmark run). The client chooses its relays
 * itself, so discovery is switched off with a filter that has seen every peer.
 * It can go when ReservationStore.addRelay no longer removes a configured reservation after a
 * failed discovered one (read its catch path), or when the transport takes an option to not
 * discover relays.
 */
const NO_RELAY_DISCOVERY: TopologyFilter = { has: () => true, add: () => undefined, remove: () => undefined };

export async function createOverlayHost(o: OverlayHostOptions): Promise<OverlayHost> {
  const relayedInbound = new Set<string>();
  let holePunch: readonly Multiaddr[] = [];
  let internals: Internals | undefined;
  const node = await createLibp2p({
    privateKey: o.privateKey,
    addresses: { listen: [...o.listen] },
    transports: [
      // WORKAROUND (every dial from one local port). Node has no SO_REUSEPORT for outgoing
      // sockets, so js-libp2p's TCP transport dials from a new ephemeral port each time: the
      // NAT mapping the roots observe (that of the relay connection) is then not the one a hole
      // punch leaves from. TCPSocketOptions does not list localPort, but the transport spreads
      // dialOpts into net.connect's options, which take it.
      // It can go when @libp2p/tcp binds dials to its listening port (SO_REUSEPORT) as go-libp2p
      // does: the roots then observe one mapping of a listening peer.
      punchAwareTcp(
        o.dialPort === undefined ? {} : { dialOpts: { localPort: o.dialPort } as TCPSocketOptions },
        relayedInbound,
      ),
      circuitRelayTransport({
        // One reservation per root at once: with the default of 1, the second root's waits
        // behind the first root's refresh timer.
        reservationConcurrency: Math.max(1, o.reservationsAtOnce),
        reservationCompletionTimeout: RELAY_RESERVATION_TIMEOUT_MS,
        discoveryFilter: NO_RELAY_DISCOVERY,
      }),
    ],
    connectionEncrypters: [connectionEncrypter()],
    streamMuxers: [streamMuxer()],
    connectionManager: { maxConnections: OVERLAY_CONNECTIONS_MAX },
    // Roots are watched by the client's own pings (peer.ts), on its schedule: the default monitor
    // pings every connection every 10 s and aborts on one slow answer.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      dcutr: dcutrWithHolePunchAddrs({}, () => holePunch),
      internals: (components: Internals) => {
        internals = components;
        return {};
      },
    },
  });
  node.addEventListener('connection:open', (evt) => {
    const c = evt.detail;
    if (c.direction === 'inbound' && isCircuit(c.remoteAddr)) relayedInbound.add(c.remotePeer.toString());
  });
  node.addEventListener('peer:disconnect', (evt) => relayedInbound.delete(evt.detail.toString()));
  const inner = internals as Internals | undefined;
  if (inner === undefined) throw new Error('libp2p did not construct the internals service');

  // One listener per root, reused for every later reservation there: closing a circuit listener
  // cancels every reservation of the transport (listener.js close → cancelReservations), so a
  // listener is never closed while the host runs. Bounded by the roots ever used.
  const listeners = new Map<string, Listener>();
  const reserve = async (root: Multiaddr, signal: AbortSignal): Promise<void> => {
    const rootId = peerIdOfAddr(root);
    if (rootId === undefined) throw new TypeError(`${root} does not end in /p2p/<root peer id>`);
    const circuit = root.encapsulate('/p2p-circuit');
    const known = listeners.get(rootId);
    const attempt = async () => {
      if (known !== undefined) return known.listen(circuit);
      const before = new Set(inner.transportManager.getListeners());
      try {
        await inner.transportManager.listen([circuit]);
      } finally {
        const added = inner.transportManager.getListeners().find((l) => !before.has(l));
        if (added !== undefined) listeners.set(rootId, added);
      }
    };
    await abortable(attempt(), signal);
  };
  const circuitAddrs = (rootPeerId?: string) =>
    node
      .getMultiaddrs()
      .filter(
        (a) =>
          isCircuit(a) &&
          (rootPeerId === undefined || a.toString().includes(`/p2p/${rootPeerId}/p2p-circuit`)),
      );
  return {
    node: node as OverlayHost['node'],
    reserve,
    circuitAddrs,
    setHolePunchAddrs(addrs) {
      holePunch = [...addrs].map((a) => multiaddr(a.toString()));
    },
    listenAddrs: () => inner.transportManager.getAddrs().filter((a) => !isCircuit(a)),
    confirmAddr(addr, ttlMs) {
      inner.addressManager.confirmObservedAddr(addr, { type: 'transport', ttl: ttlMs });
    },
    stop: async () => {
      await node.stop();
    },
  };
}

/** Resolves or rejects with `work`, or rejects when `signal` aborts first (work keeps running). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A local port nothing listens on now (chosen by the kernel), for dialPort "auto". */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}
