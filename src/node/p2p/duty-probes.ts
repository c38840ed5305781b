// The libp2p side of holding roots to their duties (governance/CHARTER.md §21): one probe per
// duty a root owes the others over libp2p, each a real exchange with the other root, bounded
// in bytes and ended by the caller's signal.
//
//   p2p         a connection and a ping;
//   relay       a circuit relay v2 RESERVE on the other root, then a CONNECT through it back to
//               this root and a short transfer that must come back intact (this root answers
//               the STOP side: probeStopHandler);
//   rendezvous  a REGISTER of this root's signed peer record in a probe namespace, and a
//               DISCOVER that must return it.

import { randomBytes } from 'node:crypto';
import type { Connection, Libp2p, PrivateKey, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { multiaddr } from '@multiformats/multiaddr';
import { bytesEqual } from '../../codec/index.ts';
import {
  CIRCUIT_HOP_PROTOCOL,
  CircuitStatus,
  decodeHopMessage,
  decodeMessage,
  decodeStopMessage,
  encodeHopMessage,
  encodeMessage,
  encodeStopMessage,
  type FrameReader,
  frameReader,
  HopType,
  MessageType,
  RENDEZVOUS_PROTOCOL,
  ResponseStatus,
  StopType,
  sendFrame,
} from '../../wire/index.ts';
import {
  DUTY_PROBE_NAMESPACE,
  DUTY_PROBE_TRANSFER_BYTES,
  RELAY_MESSAGE_ADDRS_MAX,
  RELAY_MESSAGE_BYTES_MAX,
} from './constants.ts';

/** Another root as a probe sees it: its peer id and where it listens. */
export interface ProbeTarget {
  peerId: string;
  /** Its announced p2p endpoints (multiaddrs, with or without /p2p/<id>). */
  p2p: readonly string[];
}

const circuitLimits = { bytesMax: RELAY_MESSAGE_BYTES_MAX, addrsMax: RELAY_MESSAGE_ADDRS_MAX };
/** Rendezvous answers a probe reads: one DISCOVER of a namespace holding a handful of roots. */
const RENDEZVOUS_ANSWER_BYTES_MAX = 64 * 1024;
const RENDEZVOUS_ANSWER_REGISTRATIONS_MAX = 128;

async function connect(node: Libp2p, t: ProbeTarget, signal: AbortSignal): Promise<Connection> {
  const id = peerIdFromString(t.peerId);
  const open = node
    .getConnections(id)
    .find((c) => c.status === 'open' && !c.remoteAddr.toString().includes('/p2p-circuit'));
  if (open !== undefined) return open;
  const addrs = t.p2p.map((a) => multiaddr(a.includes('/p2p/') ? a : `${a}/p2p/${t.peerId}`));
  return node.dial(addrs, { signal });
}

async function closeQuietly(stream: Stream): Promise<void> {
  await stream.close().catch((err: Error) => stream.abort(err));
}

async function nextFrame(frames: FrameReader, what: string): Promise<Uint8Array> {
  const frame = await frames.next();
  if (frame === null) throw new Error(`the stream ended before the ${what}`);
  return frame;
}

/** p2p: a connection and a ping. */
export async function probeP2p(node: Libp2p, t: ProbeTarget, signal: AbortSignal): Promise<void> {
  const conn = await connect(node, t, signal);
  const ping = (
    node.services as { ping?: { ping(to: unknown, o: { signal: AbortSignal }): Promise<number> } }
  ).ping;
  if (ping === undefined) throw new Error('this host has no ping service');
  await ping.ping(conn.remoteAddr, { signal });
}

/** One HOP request on a new stream; resolves to the stream and its reader after STATUS OK. */
async function hop(
  conn: Connection,
  request: Parameters<typeof encodeHopMessage>[0],
  signal: AbortSignal,
): Promise<{ stream: Stream; frames: FrameReader }> {
  const stream = await conn.newStream(CIRCUIT_HOP_PROTOCOL, { signal });
  signal.addEventListener('abort', () => stream.abort(new Error('duty probe timed out')), { once: true });
  const frames = frameReader(stream, RELAY_MESSAGE_BYTES_MAX + DUTY_PROBE_TRANSFER_BYTES + 16);
  await sendFrame(stream, encodeHopMessage(request));
  const answer = decodeHopMessage(await nextFrame(frames, 'relay answer'), circuitLimits);
  if (answer.type !== HopType.STATUS || answer.status !== CircuitStatus.OK) {
    stream.abort(new Error('refused'));
    throw new Error(
      `the relay answered ${request.type === HopType.RESERVE ? 'RESERVE' : 'CONNECT'} with status ${answer.status}`,
    );
  }
  return { stream, frames };
}

/** relay: a reservation, then a circuit through the other root back to this one, and an echo. */
export async function probeRelay(node: Libp2p, t: ProbeTarget, signal: AbortSignal): Promise<void> {
  const conn = await connect(node, t, signal);
  const reserved = await hop(conn, { type: HopType.RESERVE }, signal);
  await closeQuietly(reserved.stream);
  const self = { id: node.peerId.toMultihash().bytes, addrs: [] };
  const circuit = await hop(conn, { type: HopType.CONNECT, peer: self }, signal);
  const payload = randomBytes(DUTY_PROBE_TRANSFER_BYTES);
  await sendFrame(circuit.stream, payload);
  const echo = await nextFrame(circuit.frames, 'relayed echo');
  await closeQuietly(circuit.stream);
  if (!bytesEqual(echo, payload)) throw new Error('the relayed bytes came back changed');
}

/**
 * The STOP side of the relay probe: a circuit that a root relays to this root from this root
 * (the probe's own CONNECT) is answered and echoes one frame; any other circuit is refused, as
 * a root takes no relayed connections.
 */
export function probeStopHandler(node: Libp2p): (stream: Stream, connection: Connection) => void {
  return (stream) => {
    void (async () => {
      const frames = frameReader(stream, RELAY_MESSAGE_BYTES_MAX + DUTY_PROBE_TRANSFER_BYTES + 16);
      const stop = decodeStopMessage(await nextFrame(frames, 'STOP request'), circuitLimits);
      const fromSelf =
        stop.type === StopType.CONNECT &&
        stop.peer !== undefined &&
        bytesEqual(stop.peer.id, node.peerId.toMultihash().bytes);
      const status = fromSelf ? CircuitStatus.OK : CircuitStatus.PERMISSION_DENIED;
      await sendFrame(stream, encodeStopMessage({ type: StopType.STATUS, status }));
      if (!fromSelf) return closeQuietly(stream);
      const data = await nextFrame(frames, 'relayed payload');
      if (data.length > DUTY_PROBE_TRANSFER_BYTES) throw new Error('relayed payload too large');
      await sendFrame(stream, data);
      await closeQuietly(stream);
    })().catch((err: Error) => stream.abort(err));
  };
}

/**
 * rendezvous: REGISTER this root in the probe namespace for `ttlS` (the policy's shortest, so
 * the registrations of probes vanish soon), then DISCOVER it there.
 */
export async function probeRendezvous(
  node: Libp2p,
  privateKey: PrivateKey,
  t: ProbeTarget,
  ttlS: number,
  signal: AbortSignal,
): Promise<void> {
  const conn = await connect(node, t, signal);
  const stream = await conn.newStream(RENDEZVOUS_PROTOCOL, { signal });
  signal.addEventListener('abort', () => stream.abort(new Error('duty probe timed out')), { once: true });
  const frames = frameReader(stream, RENDEZVOUS_ANSWER_BYTES_MAX);
  const read = async () =>
    decodeMessage(await nextFrame(frames, 'rendezvous answer'), {
      bytesMax: RENDEZVOUS_ANSWER_BYTES_MAX,
      registrationsMax: RENDEZVOUS_ANSWER_REGISTRATIONS_MAX,
    });
  const envelope = await RecordEnvelope.seal(
    new PeerRecord({ peerId: node.peerId, multiaddrs: node.getMultiaddrs() }),
    privateKey,
  );
  const record = envelope.marshal();
  await sendFrame(
    stream,
    encodeMessage({
      type: MessageType.REGISTER,
      register: { ns: DUTY_PROBE_NAMESPACE, signedPeerRecord: record, ttl: ttlS },
    }),
  );
  const registered = await read();
  if (
    registered.registerResponse?.status !== undefined &&
    registered.registerResponse.status !== ResponseStatus.OK
  )
    throw new Error(`REGISTER refused with status ${registered.registerResponse.status}`);
  if (registered.type !== MessageType.REGISTER_RESPONSE)
    throw new Error('REGISTER answered with something else');
  await sendFrame(
    stream,
    encodeMessage({
      type: MessageType.DISCOVER,
      discover: { ns: DUTY_PROBE_NAMESPACE, limit: RENDEZVOUS_ANSWER_REGISTRATIONS_MAX },
    }),
  );
  const found = await read();
  await closeQuietly(stream);
  const registrations = found.discoverResponse?.registrations ?? [];
  if (found.type !== MessageType.DISCOVER_RESPONSE) throw new Error('DISCOVER answered with something else');
  if (!registrations.some((r) => r.signedPeerRecord !== undefined && bytesEqual(r.signedPeerRecord, record)))
    throw new Error('DISCOVER did not return this root’s registration');
}
