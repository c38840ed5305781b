// An overlay peer (docs/architecture.md "Relay and rendezvous duty"): bootstraps from roots, reserves a
// relay slot on each (libp2p/specs relay/circuit-v2.md, as a circuit relay transport client),
// registers in a rendezvous namespace (`/rendezvous/1.0.0`), discovers other peers there and
// reaches them through /p2p-circuit. The demo protocol '/witan/demo-chat/1.0.0' echoes one
// length-prefixed message per stream, enough to show bytes crossing a relay.

import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { dcutr } from '@libp2p/dcutr';
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { frameReader, sendFrame } from '../wire/index.ts';
import {
  DEFAULT_OVERLAY_NAMESPACE,
  DEMO_CHAT_MESSAGE_BYTES_MAX,
  DEMO_CHAT_PROTOCOL,
  DISCOVER_PAGES_MAX,
  RELAY_RESERVATION_WAIT_MS,
} from './constants.ts';
import { OverlayError } from './errors.ts';
import { type DiscoveredRegistration, RendezvousClient } from './rendezvous-client.ts';

export type OverlayPeerOptions = {
  /** Roots' libp2p multiaddrs, each ending in /p2p/<root peer id> (from the world's endpoints). */
  bootstrap: string[];
  namespace?: string;
  /** Own listen addresses besides the relay ones, e.g. /ip4/0.0.0.0/tcp/0 for hole punching. */
  listen?: string[];
  privateKey?: PrivateKey;
  /** Registration TTL in seconds; the rendezvous default (2 h) when absent. */
  ttlS?: number;
};

export type OverlayPeer = {
  readonly peerId: string;
  readonly node: Libp2p;
  readonly namespace: string;
  /** This peer's /p2p-circuit addresses, one per root holding a reservation. */
  relayAddrs(): Multiaddr[];
  /** Other peers registered in the namespace (own registration left out). */
  discover(limit?: number): Promise<DiscoveredRegistration[]>;
  /** Sends one message to a peer through a relay and resolves to its echo. */
  chat(peerId: string, message: Uint8Array): Promise<Uint8Array>;
  stop(): Promise<void>;
};

function circuitAddrs(node: Libp2p): Multiaddr[] {
  return node.getMultiaddrs().filter((a) => a.toString().includes('/p2p-circuit'));
}

async function echoOnce(stream: Stream): Promise<void> {
  const frames = frameReader(stream, DEMO_CHAT_MESSAGE_BYTES_MAX);
  const message = await frames.next();
  if (message !== null) await sendFrame(stream, message);
  await stream.close();
}

async function waitForRelay(node: Libp2p, deadlineMs: number): Promise<void> {
  while (circuitAddrs(node).length === 0) {
    if (Date.now() > deadlineMs) {
      throw new OverlayError(
        'RELAY_UNAVAILABLE',
        'no root granted a relay reservation; check the bootstrap addresses or try other roots',
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function createOverlayPeer(options: OverlayPeerOptions): Promise<OverlayPeer> {
  if (options.bootstrap.length === 0) {
    throw new OverlayError(
      'OVERLAY_INVALID_OPTIONS',
      'an overlay peer needs at least one root to bootstrap from',
    );
  }
  const roots = options.bootstrap.map((a) => multiaddr(a));
  const namespace = options.namespace ?? DEFAULT_OVERLAY_NAMESPACE;
  const privateKey = options.privateKey ?? (await generateKeyPair('Ed25519'));
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [...(options.listen ?? []), ...options.bootstrap.map((a) => `${a}/p2p-circuit`)] },
    // One reservation attempt per root at once: with the default of 1, the listener for the
    // second root waits behind the first root's refresh timer.
    transports: [tcp(), circuitRelayTransport({ reservationConcurrency: roots.length })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    services: { identify: identify(), dcutr: dcutr() },
  });
  try {
    await node.handle(DEMO_CHAT_PROTOCOL, (stream) => echoOnce(stream).catch((err) => stream.abort(err)), {
      runOnLimitedConnection: true,
    });
    await waitForRelay(node, Date.now() + RELAY_RESERVATION_WAIT_MS);
    const clients = roots.map((root) => new RendezvousClient(node, root, { privateKey }));
    const registered: RendezvousClient[] = [];
    for (const c of clients) {
      try {
        await c.register(namespace, options.ttlS);
        registered.push(c);
      } catch {
        // Another root may still take the registration; fail only when none does.
      }
    }
    const primary = registered[0];
    if (primary === undefined) {
      throw new OverlayError('RENDEZVOUS_PROTOCOL', `no root accepted a registration in "${namespace}"`);
    }
    const self = node.peerId.toString();

    const discover = async (limit?: number): Promise<DiscoveredRegistration[]> => {
      const out: DiscoveredRegistration[] = [];
      let cookie: Uint8Array | undefined;
      for (let page = 0; page < DISCOVER_PAGES_MAX; page++) {
        const r = await primary.discover(namespace, limit, cookie);
        cookie = r.cookie;
        out.push(...r.registrations.filter((x) => x.peerId !== self));
        if (r.registrations.length === 0 || (limit !== undefined && out.length >= limit)) break;
      }
      return out;
    };

    return {
      peerId: self,
      node,
      namespace,
      relayAddrs: () => circuitAddrs(node),
      discover,
      async chat(peerId, message) {
        const found = (await discover()).find((r) => r.peerId === peerId);
        const addrs = found?.multiaddrs.filter((a) => a.toString().includes('/p2p-circuit')) ?? [];
        if (addrs.length === 0) {
          throw new OverlayError(
            'PEER_NOT_FOUND',
            `peer ${peerId} has no relay address registered in "${namespace}"`,
          );
        }
        const stream = await node.dialProtocol(addrs, DEMO_CHAT_PROTOCOL, { runOnLimitedConnection: true });
        await sendFrame(stream, message);
        const echo = await frameReader(stream, DEMO_CHAT_MESSAGE_BYTES_MAX).next();
        await stream.close();
        if (echo === null)
          throw new OverlayError('PEER_NOT_FOUND', `peer ${peerId} closed the chat without answering`);
        return echo;
      },
      async stop() {
        await Promise.all(registered.map((c) => c.unregister(namespace).catch(() => undefined)));
        await Promise.all(clients.map((c) => c.close()));
        await node.stop();
      },
    };
  } catch (err) {
    await node.stop();
    throw err;
  }
}
