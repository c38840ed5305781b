// The root's AutoNAT v1 server (libp2p/specs autonat/autonat-v1.md), asked in raw messages:
// it dials back on a fresh connection and leaves the asking peer's own connection open; an
// address nobody listens on is E_DIAL_ERROR; another IP than the asker's is refused; a peer
// may only ask about itself.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { RootHost } from '../../src/node/p2p/index.ts';
import {
  AUTONAT_PROTOCOL,
  AutonatStatus,
  AutonatType,
  decodeAutonatMessage,
  encodeAutonatMessage,
  frameReader,
  sendFrame,
} from '../../src/wire/index.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startRoot } from './helpers.ts';

let root: RootHost;
let rootAddr: Multiaddr;
let listener: Libp2p;

before(async () => {
  root = await startRoot();
  rootAddr = root.multiaddrs()[0] as Multiaddr;
  listener = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
});

after(async () => {
  await listener.stop();
  await root.stop();
});

async function ask(node: Libp2p, addrs: Multiaddr[], id = node.peerId.toMultihash().bytes): Promise<number> {
  const stream = await node.dialProtocol(rootAddr, AUTONAT_PROTOCOL);
  await sendFrame(
    stream,
    encodeAutonatMessage({
      type: AutonatType.DIAL,
      dial: { peer: { id, addrs: addrs.map((a) => a.bytes) } },
    }),
  );
  const frame = await frameReader(stream, 8192).next();
  await stream.close();
  assert.ok(frame !== null, 'the root answers');
  const answer = decodeAutonatMessage(frame, { bytesMax: 8192, addrsMax: 0 });
  assert.equal(answer.type, AutonatType.DIAL_RESPONSE);
  return answer.dialResponse?.status ?? AutonatStatus.OK;
}

test('a listening peer is dialed back on a fresh connection; its own connection stays open', async () => {
  const own = listener.getMultiaddrs()[0] as Multiaddr;
  assert.equal(await ask(listener, [own]), AutonatStatus.OK);
  const conns = listener.getConnections(root.peerId);
  assert.ok(
    conns.some((c) => c.direction === 'outbound' && c.status === 'open'),
    'the connection that carried the request is still open',
  );
});

test('the address the peer is connected from, with nothing listening there, is E_DIAL_ERROR', async () => {
  const dialer = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
  });
  try {
    const conn = await dialer.dial(rootAddr);
    // What the root sees: the peer's outgoing socket, which is not a listener.
    await waitUntil('the root to see the peer', () => root.libp2p.getConnections(dialer.peerId).length > 0, {
      timeoutMs: 5000,
    });
    const seen = root.libp2p.getConnections(dialer.peerId)[0]?.remoteAddr;
    assert.ok(seen);
    assert.equal(await ask(dialer, [seen]), AutonatStatus.E_DIAL_ERROR);
    assert.equal(conn.status, 'open', 'the asking connection survived the dial-back');
  } finally {
    await dialer.stop();
  }
});

test('addresses on another IP are refused; asking about another peer is a bad request', async () => {
  assert.equal(await ask(listener, [multiaddr('/ip4/127.0.0.2/tcp/4001')]), AutonatStatus.E_DIAL_REFUSED);
  const other = await generateKeyPair('Ed25519');
  const { peerIdFromPrivateKey } = await import('@libp2p/peer-id');
  const otherId = peerIdFromPrivateKey(other).toMultihash().bytes;
  assert.equal(await ask(listener, listener.getMultiaddrs(), otherId), AutonatStatus.E_BAD_REQUEST);
});
