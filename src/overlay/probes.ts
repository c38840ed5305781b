// One-shot uses of a root's duties, each on any libp2p node and each returning what it saw:
// a relay reservation (libp2p/specs relay/circuit-v2.md, a raw HOP RESERVE), a rendezvous round
// trip (rendezvous/README.md: REGISTER, DISCOVER of the own record, UNREGISTER) and a message
// exchanged over a connection (the demo chat: one length-prefixed message, echoed). The overlay
// peer uses them for what it does; a prober checking that a root does its duty uses the same.

import type { Connection, Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import {
  CIRCUIT_HOP_PROTOCOL,
  CircuitStatus,
  decodeHopMessage,
  encodeHopMessage,
  frameReader,
  HopType,
  sendFrame,
} from '../wire/index.ts';
import { DEMO_CHAT_MESSAGE_BYTES_MAX, DEMO_CHAT_PROTOCOL } from './constants.ts';
import { OverlayError } from './errors.ts';
import { RendezvousClient } from './rendezvous-client.ts';

/** A HOP message: a reservation lists a handful of relay addresses (64 KiB is generous). */
const HOP_MESSAGE_BYTES_MAX = 64 * 1024;
const HOP_ADDRS_MAX = 64;

export type ReservationSeen = {
  /** When the reservation ends (s since the epoch), as the relay said. */
  expireS: number | undefined;
  /** The relay's per-circuit limits: duration in seconds, data in bytes per direction; 0 = none. */
  durationS: number;
  dataBytes: number;
  /** The relay's addresses in the reservation. */
  addrs: Multiaddr[];
  ms: number;
};

/** Sends a raw RESERVE to a root's relay; throws RELAY_REFUSED (with the status) unless OK. */
export async function reserveOnce(
  node: Libp2p,
  root: PeerId | Multiaddr,
  signal: AbortSignal,
): Promise<ReservationSeen> {
  const t0 = performance.now();
  const stream = await node.dialProtocol(root, CIRCUIT_HOP_PROTOCOL, { signal });
  try {
    await sendFrame(stream, encodeHopMessage({ type: HopType.RESERVE }));
    const frame = await readWithin(stream, HOP_MESSAGE_BYTES_MAX, signal);
    if (frame === null)
      throw new OverlayError('RELAY_UNAVAILABLE', 'the relay closed the stream without answering RESERVE');
    const m = decodeHopMessage(frame, { bytesMax: HOP_MESSAGE_BYTES_MAX, addrsMax: HOP_ADDRS_MAX });
    if (m.type !== HopType.STATUS || m.status !== CircuitStatus.OK) {
      throw new OverlayError(
        'RELAY_REFUSED',
        `the relay answered RESERVE with type ${m.type} status ${m.status ?? 'none'}; try another root`,
        m.status,
      );
    }
    const addrs: Multiaddr[] = [];
    for (const b of m.reservation?.addrs ?? []) {
      try {
        addrs.push(multiaddr(b));
      } catch {
        // an address that does not parse is the relay's problem; the rest still count
      }
    }
    return {
      expireS: m.reservation?.expire,
      durationS: m.limit?.durationS ?? 0,
      dataBytes: m.limit?.dataBytes ?? 0,
      addrs,
      ms: performance.now() - t0,
    };
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closing')));
  }
}

export type RendezvousRoundTrip = { ttlS: number; found: boolean; ms: number };

/**
 * REGISTER in `ns`, DISCOVER there until the own record shows (or the pages end), UNREGISTER.
 * Throws OverlayError for a refusal or a broken exchange.
 */
export async function rendezvousRoundTrip(
  node: Libp2p,
  root: PeerId | Multiaddr,
  privateKey: PrivateKey,
  ns: string,
  ttlS?: number,
): Promise<RendezvousRoundTrip> {
  const t0 = performance.now();
  const client = new RendezvousClient(node, root, { privateKey });
  try {
    const granted = await client.register(ns, ttlS);
    const self = node.peerId.toString();
    let found = false;
    let cookie: Uint8Array | undefined;
    for (let page = 0; page < 10 && !found; page++) {
      const r = await client.discover(ns, undefined, cookie);
      found = r.registrations.some((x) => x.peerId === self);
      cookie = r.cookie;
      if (r.registrations.length === 0) break;
    }
    await client.unregister(ns);
    return { ttlS: granted, found, ms: performance.now() - t0 };
  } finally {
    await client.close();
  }
}

/** Answers every demo-chat stream with the one message it carries. */
export async function serveChat(node: Libp2p): Promise<void> {
  await node.handle(DEMO_CHAT_PROTOCOL, (stream) => echoOnce(stream).catch((err) => stream.abort(err)), {
    runOnLimitedConnection: true,
  });
}

async function echoOnce(stream: Stream): Promise<void> {
  const message = await frameReader(stream, DEMO_CHAT_MESSAGE_BYTES_MAX).next();
  if (message !== null) await sendFrame(stream, message);
  await stream.close();
}

/** Sends one message over a connection (relayed or direct) and resolves to the peer's echo. */
export async function exchangeMessage(
  connection: Connection,
  message: Uint8Array,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (message.length > DEMO_CHAT_MESSAGE_BYTES_MAX)
    throw new OverlayError(
      'OVERLAY_INVALID_OPTIONS',
      `a message is at most ${DEMO_CHAT_MESSAGE_BYTES_MAX} bytes`,
    );
  const stream = await connection.newStream(DEMO_CHAT_PROTOCOL, { runOnLimitedConnection: true, signal });
  try {
    await sendFrame(stream, message);
    const echo = await readWithin(stream, DEMO_CHAT_MESSAGE_BYTES_MAX, signal);
    if (echo === null)
      throw new OverlayError(
        'PEER_UNREACHABLE',
        `peer ${connection.remotePeer} closed the chat without answering`,
      );
    return echo;
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closing')));
  }
}

/** The next frame of a stream, or the stream aborted when `signal` fires first. */
export async function readWithin(
  stream: Stream,
  bytesMax: number,
  signal: AbortSignal,
): Promise<Uint8Array | null> {
  const onAbort = () => stream.abort(new Error('timed out'));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await frameReader(stream, bytesMax).next();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
