// Test helpers: a root host on 127.0.0.1 and plain js-libp2p nodes built from stock modules only.

import { randomBytes } from 'node:crypto';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Libp2p, PrivateKey } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import {
  createRootHost,
  type RelayLimits,
  type RootHost,
  type RootHostOptions,
} from '../../src/node/p2p/index.ts';

export const TEST_FEDERATION = 'devnet.witan.test';

export const GENEROUS_RELAY: RelayLimits = {
  reservationsMax: 64,
  reservationTtlMs: 60_000,
  circuitBytesMax: 64 * 1024 * 1024,
  circuitDurationMs: 60_000,
  connectionsPerIpPerSecond: 100_000,
  pendingConnectionsMax: 512,
};

export async function startRoot(overrides: Partial<RootHostOptions> = {}): Promise<RootHost> {
  return createRootHost({
    nodeSecretKey: randomBytes(32),
    federation: TEST_FEDERATION,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    relay: GENEROUS_RELAY,
    ...overrides,
  });
}

export type StockNode = { node: Libp2p; privateKey: PrivateKey };

/** A plain js-libp2p node: tcp, noise, yamux, identify, circuit relay transport. */
export async function startStockNode(listen: string[] = []): Promise<StockNode> {
  const privateKey = await generateKeyPair('Ed25519');
  const node = await createLibp2p({
    privateKey,
    addresses: { listen },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    connectionMonitor: { enabled: false },
  });
  return { node, privateKey };
}
