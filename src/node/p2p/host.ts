// The root's libp2p v3 host (docs/architecture.md "Relay and rendezvous duty", "Decisions and
// the figures behind them"): TCP and WebSockets, Noise, Yamux, identify, ping, our AutoNAT v1
// server (autonat-server.ts), DCUtR, our circuit relay v2 relay (relay-server.ts, libp2p/specs
// relay/circuit-v2.md) whose every limit is passed explicitly, our rendezvous server
// (`/rendezvous/1.0.0`) and gossipsub among the roots.
// The node key (Ed25519 seed) is the libp2p identity.

import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { dcutr } from '@libp2p/dcutr';
import { type GossipSub, gossipsub, TopicValidatorResult } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { prometheusMetrics } from '@libp2p/prometheus-metrics';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Registry } from 'prom-client';
import { connectionEncrypter } from '../../net/connection-encrypter.ts';
import { streamMuxer } from '../../net/stream-muxer.ts';
import type { Logger } from '../logger.ts';
import { autonatServer } from './autonat-server.ts';
import {
  DEFAULT_CONNECTION_MONITOR_ABORT_ON_PING_FAILURE,
  DEFAULT_CONNECTION_MONITOR_PING_INTERVAL_MS,
  DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX,
  DEFAULT_RELAY_RESERVATION_TTL_MS,
  GOSSIP_ALLOWED_PUBLISHERS_MAX,
  GOSSIP_MESSAGE_BYTES_MAX,
  HOST_LISTEN_ADDRS_MAX,
  RELAY_HOP_TIMEOUT_MS,
} from './constants.ts';
import { DirectLinks } from './direct.ts';
import { P2PError } from './errors.ts';
import {
  type GossipGate,
  type GossipHandler,
  type GossipValidator,
  gossipOptions,
  gossipTopics,
  noRefusals,
  topicVerdict,
  validateGossip,
} from './gossip.ts';
import { type RootHostStats, registerP2PMetrics } from './metrics.ts';
import { type RelayServer, relayServer } from './relay-server.ts';
import { type RendezvousServer, type RendezvousServerInit, rendezvousServer } from './rendezvous-server.ts';

export type RelayLimits = {
  /** Reservations held at once; the library's default is 15. */
  reservationsMax: number;
  /** How long a reservation lasts before the client must refresh it. */
  reservationTtlMs: number;
  /** Bytes per relayed connection in each direction (the spec's Limit.data). */
  circuitBytesMax: number;
  /** Lifetime of a relayed connection; announced on the wire in whole seconds, rounded down. */
  circuitDurationMs: number;
  /** New inbound connections per second from one IP; the library's default is 5. */
  connectionsPerIpPerSecond: number;
  /** Inbound connections still upgrading (Noise, Yamux) at once; the library's default is 10. */
  pendingConnectionsMax: number;
};

/**
 * A root's relay limits: those of the world's policy (`relay`, which may hold more fields), and
 * the reservation lifetime every root gives (DEFAULT_RELAY_RESERVATION_TTL_MS).
 */
export function relayLimitsOf(relay: Omit<RelayLimits, 'reservationTtlMs'>): RelayLimits {
  return {
    reservationsMax: relay.reservationsMax,
    reservationTtlMs: DEFAULT_RELAY_RESERVATION_TTL_MS,
    circuitBytesMax: relay.circuitBytesMax,
    circuitDurationMs: relay.circuitDurationMs,
    connectionsPerIpPerSecond: relay.connectionsPerIpPerSecond,
    pendingConnectionsMax: relay.pendingConnectionsMax,
  };
}

export type ConnectionMonitorSettings = { pingIntervalMs: number; abortOnPingFailure: boolean };

export type RootHostOptions = {
  /** The node key: a 32-byte Ed25519 seed. */
  nodeSecretKey: Uint8Array;
  /** The federation name; gossip topics are `/witan/<federation>/<kind>/1`. */
  federation: string;
  listen: string[];
  announce?: string[];
  relay: RelayLimits;
  rendezvous?: RendezvousServerInit;
  connectionMonitor?: ConnectionMonitorSettings;
  /**
   * Connections held at once (inbound ones beyond it are refused); by default the relay's
   * reservationsMax plus DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX, as every reservation holds one.
   */
  connectionsMax?: number;
  gossip?: { messageBytesMax?: number; allowedPeers?: string[] };
  /** When given, libp2p's metrics (and ours) are registered there. */
  metrics?: Registry;
  logger?: Logger;
};

export type RootHost = {
  readonly peerId: PeerId;
  /** The underlying node, for protocols wired elsewhere (catch-up) and tests. */
  readonly libp2p: Libp2p;
  readonly topics: ReturnType<typeof gossipTopics>;
  multiaddrs(): Multiaddr[];
  dial(addr: string | Multiaddr): Promise<Connection>;
  /** Round-trip time of a libp2p ping to a connected peer (dials one if none is open). */
  ping(peerId: string, signal: AbortSignal): Promise<number>;
  /** Closes every connection to a peer. */
  hangUp(peerId: string): Promise<void>;
  /** Publishes to a federation topic by gossip only; resolves to the number of peers it was sent to. */
  publish(topic: string, data: Uint8Array): Promise<number>;
  /**
   * Sends to every allowed peer directly (direct.ts), and publishes by gossip as well when one
   * of them could not be given it directly; resolves to the number of direct sends.
   */
  broadcast(topic: string, data: Uint8Array): Promise<number>;
  /**
   * Delivers gossip messages that passed membership, size and `validate`, and direct messages
   * from members (within the same size; the handler checks what it gets); returns an unsubscribe.
   */
  subscribe(topic: string, handler: GossipHandler, validate: GossipValidator): () => void;
  /** Calls `joined` with the peer id when an allowed publisher subscribes to `topic`. */
  onJoin(topic: string, joined: (peerId: string) => void): void;
  /** Only these peers (peer id strings, e.g. from peerIdOfNodeKey) may publish. */
  setAllowedPeers(peerIds: Iterable<string>): void;
  /** Alias of setAllowedPeers. */
  setAllowedPublishers(peerIds: Iterable<string>): void;
  stats(): RootHostStats;
  stop(): Promise<void>;
};

/** The libp2p peer id (string) of a member's node key (raw 32-byte Ed25519 public key). */
export function peerIdOfNodeKey(nodePublicKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(nodePublicKey)).toString();
}

function checkOptions(o: RootHostOptions): void {
  const bad = (why: string) => new P2PError('P2P_INVALID_OPTIONS', `root host options: ${why}`);
  if (o.nodeSecretKey.length !== 32)
    throw bad('nodeSecretKey must be the 32-byte Ed25519 seed of the node key');
  if (o.listen.length === 0 || o.listen.length > HOST_LISTEN_ADDRS_MAX) {
    throw bad(`listen must name 1..${HOST_LISTEN_ADDRS_MAX} multiaddrs`);
  }
  for (const [name, v] of Object.entries(o.relay)) {
    if (!Number.isSafeInteger(v) || v <= 0) throw bad(`relay.${name} must be a positive integer, got ${v}`);
  }
}

export async function createRootHost(options: RootHostOptions): Promise<RootHost> {
  checkOptions(options);
  const log = options.logger?.child({ component: 'p2p' });
  const privateKey = await generateKeyPairFromSeed('Ed25519', options.nodeSecretKey);
  const gate: GossipGate = {
    allowed: new Set(options.gossip?.allowedPeers ?? []),
    messageBytesMax: options.gossip?.messageBytesMax ?? GOSSIP_MESSAGE_BYTES_MAX,
    validators: new Map(),
    refused: noRefusals(),
  };
  const monitor = options.connectionMonitor ?? {
    pingIntervalMs: DEFAULT_CONNECTION_MONITOR_PING_INTERVAL_MS,
    abortOnPingFailure: DEFAULT_CONNECTION_MONITOR_ABORT_ON_PING_FAILURE,
  };
  const relay = options.relay;
  const connectionsMax =
    options.connectionsMax ?? relay.reservationsMax + DEFAULT_CONNECTIONS_BESIDES_RESERVATIONS_MAX;
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: options.listen, announce: options.announce ?? [] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [connectionEncrypter()],
    streamMuxers: [streamMuxer()],
    connectionManager: {
      maxConnections: connectionsMax,
      inboundConnectionThreshold: relay.connectionsPerIpPerSecond,
      maxIncomingPendingConnections: relay.pendingConnectionsMax,
    },
    connectionMonitor: {
      enabled: true,
      pingInterval: monitor.pingIntervalMs,
      abortConnectionOnPingFailure: monitor.abortOnPingFailure,
    },
    ...(options.metrics
      ? {
          metrics: prometheusMetrics({
            registry: options.metrics,
            collectDefaultMetrics: false,
            preserveExistingMetrics: true,
          }),
        }
      : {}),
    services: {
      identify: identify(),
      ping: ping(),
      autoNAT: autonatServer(),
      dcutr: dcutr(),
      relay: relayServer({
        reservationsMax: relay.reservationsMax,
        reservationTtlMs: relay.reservationTtlMs,
        circuitBytesMax: relay.circuitBytesMax,
        circuitDurationMs: relay.circuitDurationMs,
        hopTimeoutMs: RELAY_HOP_TIMEOUT_MS,
        isMember: (peerId) => gate.allowed.has(peerId),
      }),
      rendezvous: rendezvousServer(options.rendezvous ?? {}),
      pubsub: gossipsub(gossipOptions(options.federation, gate)),
    },
  });
  const services = node.services as unknown as {
    relay: RelayServer;
    rendezvous: RendezvousServer;
    pubsub: GossipSub;
  };
  const pubsub = services.pubsub;
  const handlers = new Map<string, GossipHandler>();
  const topics = gossipTopics(options.federation);
  const known = new Set(Object.values(topics));
  for (const topic of known) pubsub.topicValidators.set(topic, (_peer, msg) => validateGossip(gate, msg));
  const deliver = (topic: string, data: Uint8Array, from: string) => {
    const handler = handlers.get(topic);
    if (handler === undefined) return;
    try {
      handler(data, from);
    } catch (err) {
      log?.error({ err, topic }, 'message handler threw');
    }
  };
  pubsub.addEventListener('message', (evt) => {
    const msg = evt.detail;
    if (msg.type !== 'signed') return;
    deliver(msg.topic, msg.data, msg.from.toString());
  });
  const links = new DirectLinks({
    node,
    protocols: [...known],
    isMember: (peer) => gate.allowed.has(peer),
    frameBytesMax: () => gate.messageBytesMax,
    // Judged like a gossip message: the topic's validator first, the handler only if it accepts.
    deliver: (topic, data, from) => {
      if (topicVerdict(gate, topic, data, from) === TopicValidatorResult.Accept) deliver(topic, data, from);
    },
    lost: (topic, messages) => {
      for (const data of messages) {
        pubsub.publish(topic, data).catch((err: Error) => {
          log?.debug({ topic, err: err.message }, 'could not publish what a direct stream lost');
        });
      }
    },
  });
  await links.start();
  log?.info({ peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) }, 'p2p host started');

  const setAllowed = (peerIds: Iterable<string>) => {
    const next = new Set(peerIds);
    if (next.size > GOSSIP_ALLOWED_PUBLISHERS_MAX) {
      throw new P2PError(
        'P2P_INVALID_OPTIONS',
        `at most ${GOSSIP_ALLOWED_PUBLISHERS_MAX} allowed publishers`,
      );
    }
    gate.allowed = next;
    links.forget((peer) => next.has(peer));
  };
  const checkTopic = (topic: string) => {
    if (!known.has(topic)) {
      throw new P2PError(
        'P2P_INVALID_OPTIONS',
        `unknown topic ${topic}; use host.topics (federation ${options.federation})`,
      );
    }
  };

  const checkMessage = (topic: string, data: Uint8Array) => {
    checkTopic(topic);
    if (data.length > gate.messageBytesMax) {
      throw new P2PError(
        'P2P_MESSAGE_TOO_LARGE',
        `message of ${data.length} bytes exceeds ${gate.messageBytesMax}; split it or fetch it by request`,
      );
    }
  };

  const stats = (): RootHostStats => ({
    peers: node.getPeers().length,
    connectionsMax,
    reservations: services.relay.reservations,
    circuits: services.relay.counters.circuits,
    relayedBytes: services.relay.counters.relayedBytes,
    rendezvousRegistrations: services.rendezvous.store.size,
    gossipRefused: { ...gate.refused },
    // Counted by protocol (the topic), reported by the topic's kind: what an operator graphs.
    direct: {
      ...links.stats,
      bytes: Object.fromEntries(
        Object.entries(topics).map(([kind, topic]) => [kind, { ...links.stats.bytes[topic]! }]),
      ),
    },
  });
  if (options.metrics !== undefined) registerP2PMetrics(options.metrics, stats);

  return {
    peerId: node.peerId,
    libp2p: node,
    topics,
    multiaddrs: () => node.getMultiaddrs(),
    dial: (addr) => node.dial(typeof addr === 'string' ? multiaddr(addr) : addr),
    ping: (id, signal) => node.services.ping.ping(peerIdFromString(id), { signal }),
    hangUp: (id) => node.hangUp(peerIdFromString(id)),
    async publish(topic, data) {
      checkMessage(topic, data);
      const r = await pubsub.publish(topic, data);
      return r.recipients.length;
    },
    async broadcast(topic, data) {
      checkMessage(topic, data);
      const self = node.peerId.toString();
      let direct = 0;
      let missed = false;
      for (const peer of gate.allowed) {
        if (peer === self) continue;
        if (links.send(peer, topic, data)) direct++;
        else missed = true;
      }
      if (missed) await pubsub.publish(topic, data);
      return direct;
    },
    subscribe(topic, handler, validate) {
      checkTopic(topic);
      handlers.set(topic, handler);
      gate.validators.set(topic, validate);
      pubsub.subscribe(topic);
      return () => {
        handlers.delete(topic);
        gate.validators.delete(topic);
        pubsub.unsubscribe(topic);
      };
    },
    onJoin(topic, joined) {
      checkTopic(topic);
      pubsub.addEventListener('subscription-change', (evt) => {
        const peer = evt.detail.peerId.toString();
        if (!gate.allowed.has(peer)) return;
        if (evt.detail.subscriptions.some((s) => s.topic === topic && s.subscribe)) joined(peer);
      });
    },
    setAllowedPeers: setAllowed,
    setAllowedPublishers: setAllowed,
    stats,
    async stop() {
      links.stop();
      await node.stop();
      log?.info('p2p host stopped');
    },
  };
}
