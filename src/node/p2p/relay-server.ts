// A circuit relay v2 relay (libp2p/specs relay/circuit-v2.md) as a libp2p v3 service: the HOP
// protocol (RESERVE, CONNECT) and the STOP step towards the reserving peer, to the letter:
//
// - Limit.duration goes on the wire in seconds and Limit.data counts bytes in each direction;
//   the relay enforces exactly what it announces (duration ≥ the announced seconds).
// - The relay never reads from either side before it forwards: the HOP request and the STOP
//   response are cut out of the stream frame by frame and whatever arrived after them is put
//   back (unshift) unread, so a destination that speaks first right after its STOP OK, or an
//   initiator that sends right after CONNECT, loses nothing. Forwarding then moves each chunk
//   as it arrives (with backpressure) and counts it on the way: the byte counters are the
//   relay's own, nothing else listens to the streams.
// - A reservation is valid until it expires and only while the peer stays connected.
// - Reservations are refused over relayed connections and circuits are bounded in number,
//   per peer and in total (RESOURCE_LIMIT_EXCEEDED).

import type {
  ComponentLogger,
  Connection,
  Libp2pEvents,
  Logger,
  PeerId,
  PeerStore,
  PrivateKey,
  Record,
  Startable,
  Stream,
  StreamMessageEvent,
  TypedEventTarget,
} from '@libp2p/interface';
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal';
import { RecordEnvelope } from '@libp2p/peer-record';
import { bytesEqual } from '../../codec/index.ts';
import {
  CIRCUIT_HOP_PROTOCOL,
  CIRCUIT_STOP_PROTOCOL,
  type CircuitLimit,
  CircuitStatus,
  decodeHopMessage,
  decodeStopMessage,
  encodeFrame,
  encodeHopMessage,
  encodeStopMessage,
  encodeVoucher,
  FrameDecoder,
  type HopMessage,
  HopType,
  LIMIT_DURATION_S_MAX,
  StopType,
  VOUCHER_DOMAIN,
  VOUCHER_PAYLOAD_TYPE,
} from '../../wire/index.ts';
import {
  DEFAULT_RELAY_CIRCUITS_MAX,
  DEFAULT_RELAY_CIRCUITS_PER_PEER_MAX,
  RELAY_HOP_TIMEOUT_MS,
  RELAY_MESSAGE_ADDRS_MAX,
  RELAY_MESSAGE_BYTES_MAX,
  RELAY_RESERVATION_PURGE_INTERVAL_MS,
  RELAY_RESERVATION_TAG,
} from './constants.ts';

export type RelayServerInit = {
  reservationsMax: number;
  reservationTtlMs: number;
  /** Bytes per relayed connection in each direction (spec Limit.data). */
  circuitBytesMax: number;
  /** Lifetime of a relayed connection; announced as whole seconds, rounded down. */
  circuitDurationMs: number;
  circuitsMax?: number;
  circuitsPerPeerMax?: number;
  hopTimeoutMs?: number;
  /** Clock in ms since the epoch; injected so tests can expire reservations. */
  now?: () => number;
  /**
   * Is this peer (id string) a federation member's root? Roots reserve on each other to probe
   * the relay duty (charter §21): their reservations are held apart from reservationsMax, the
   * slots the policy gives overlay peers, and are bounded by the number of members.
   */
  isMember?: (peerId: string) => boolean;
};

export type RelayServerComponents = {
  registrar: Registrar;
  connectionManager: ConnectionManager;
  addressManager: AddressManager;
  peerStore: PeerStore;
  peerId: PeerId;
  privateKey: PrivateKey;
  events: TypedEventTarget<Libp2pEvents>;
  logger: ComponentLogger;
};

type Held = { peerId: PeerId; expiresMs: number; member: boolean };

/** The reservation voucher (spec "Reservation Vouchers") as a record to seal in an envelope. */
class ReservationVoucher implements Record {
  readonly domain = VOUCHER_DOMAIN;
  readonly codec = VOUCHER_PAYLOAD_TYPE;
  private readonly bytes: Uint8Array;
  constructor(relay: PeerId, peer: PeerId, expiration: number) {
    this.bytes = encodeVoucher({
      relay: relay.toMultihash().bytes,
      peer: peer.toMultihash().bytes,
      expiration,
    });
  }
  marshal(): Uint8Array {
    return this.bytes;
  }
  equals(other: Record): boolean {
    return bytesEqual(this.bytes, other.marshal());
  }
}

function keyOf(multihash: Uint8Array): string {
  return Buffer.from(multihash).toString('hex');
}

function isRelayed(connection: Connection): boolean {
  return connection.remoteAddr.toString().includes('/p2p-circuit');
}

/**
 * Resolves to the next whole frame on the stream without taking anything after it: the bytes
 * that came with it are put back for whoever reads next (here: the forwarding).
 */
function readFrameExact(stream: Stream, bytesMax: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder(bytesMax);
    const done = () => {
      stream.removeEventListener('message', onMessage);
      stream.removeEventListener('remoteCloseWrite', onEnd);
      stream.removeEventListener('close', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    const onMessage = (evt: StreamMessageEvent) => {
      try {
        decoder.push(evt.data.subarray());
        const frame = decoder.next();
        if (frame === null) return;
        done();
        const rest = decoder.takeRest();
        if (rest.length > 0) stream.unshift(rest);
        resolve(frame);
      } catch (err) {
        done();
        reject(err);
      }
    };
    const onEnd = () => {
      done();
      reject(new Error('the stream ended before a whole message arrived'));
    };
    const onAbort = () => {
      done();
      reject(new Error('timed out waiting for a relay message'));
    };
    if (signal.aborted) return onAbort();
    stream.addEventListener('message', onMessage);
    stream.addEventListener('remoteCloseWrite', onEnd);
    stream.addEventListener('close', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class RelayServer implements Startable {
  private readonly components: RelayServerComponents;
  private readonly init: Required<Omit<RelayServerInit, 'now' | 'isMember'>>;
  private readonly now: () => number;
  private readonly isMember: (peerId: string) => boolean;
  private readonly log: Logger;
  /** Reservations by the hex of the peer's multihash (what a CONNECT names). */
  private readonly held = new Map<string, Held>();
  private readonly circuitsOf = new Map<string, number>();
  private readonly live = new Set<{ src: Stream; dst: Stream }>();
  private purgeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly onDisconnect = (evt: CustomEvent<PeerId>) => {
    this.held.delete(keyOf(evt.detail.toMultihash().bytes));
  };
  /** The relay's own accounting: open circuits, and bytes forwarded in both directions. */
  readonly counters = { circuits: 0, relayedBytes: 0, circuitsOpened: 0 };

  constructor(components: RelayServerComponents, init: RelayServerInit) {
    this.components = components;
    this.init = {
      reservationsMax: init.reservationsMax,
      reservationTtlMs: init.reservationTtlMs,
      circuitBytesMax: init.circuitBytesMax,
      circuitDurationMs: init.circuitDurationMs,
      circuitsMax: init.circuitsMax ?? DEFAULT_RELAY_CIRCUITS_MAX,
      circuitsPerPeerMax: init.circuitsPerPeerMax ?? DEFAULT_RELAY_CIRCUITS_PER_PEER_MAX,
      hopTimeoutMs: init.hopTimeoutMs ?? RELAY_HOP_TIMEOUT_MS,
    };
    this.now = init.now ?? Date.now;
    this.isMember = init.isMember ?? (() => false);
    this.log = components.logger.forComponent('witan:relay:server');
  }

  readonly [Symbol.toStringTag] = 'witan-circuit-relay-server';

  /** Reservations held by overlay peers (members' roots are not counted: they have their own). */
  get reservations(): number {
    let n = 0;
    for (const h of this.held.values()) if (!h.member) n++;
    return n;
  }

  /** The limit every circuit gets, as it goes on the wire: whole seconds, bytes per direction. */
  get limit(): Required<CircuitLimit> {
    const seconds = Math.floor(this.init.circuitDurationMs / 1000);
    return {
      durationS: Math.min(Math.max(1, seconds), LIMIT_DURATION_S_MAX),
      dataBytes: this.init.circuitBytesMax,
    };
  }

  async start(): Promise<void> {
    const streamsMax = this.init.circuitsPerPeerMax + 8;
    await this.components.registrar.handle(
      CIRCUIT_HOP_PROTOCOL,
      (stream, connection) => {
        this.onHop(stream, connection).catch((err: unknown) => {
          this.log('hop stream from %p failed: %s', connection.remotePeer, (err as Error).message);
          stream.abort(err as Error);
        });
      },
      // Limited (relayed) connections are let in so that they get PERMISSION_DENIED, not silence.
      { maxInboundStreams: streamsMax, maxOutboundStreams: streamsMax, runOnLimitedConnection: true },
    );
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect);
    this.purgeTimer = setInterval(() => this.purge(), RELAY_RESERVATION_PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect);
    await this.components.registrar.unhandle(CIRCUIT_HOP_PROTOCOL);
    const err = new Error('the relay is stopping');
    for (const c of this.live) {
      c.src.abort(err);
      c.dst.abort(err);
    }
    this.held.clear();
  }

  private purge(): void {
    const nowMs = this.now();
    for (const [k, h] of this.held) if (h.expiresMs <= nowMs) this.held.delete(k);
  }

  private async onHop(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.init.hopTimeoutMs);
    let request: HopMessage;
    try {
      const frame = await readFrameExact(stream, RELAY_MESSAGE_BYTES_MAX, signal);
      request = decodeHopMessage(frame, {
        bytesMax: RELAY_MESSAGE_BYTES_MAX,
        addrsMax: RELAY_MESSAGE_ADDRS_MAX,
      });
    } catch (err) {
      this.log('bad hop request from %p: %s', connection.remotePeer, (err as Error).message);
      return this.answer(stream, CircuitStatus.MALFORMED_MESSAGE);
    }
    if (request.type === HopType.RESERVE) return this.reserve(stream, connection);
    if (request.type === HopType.CONNECT) return this.connect(stream, connection, request, signal);
    return this.answer(stream, CircuitStatus.UNEXPECTED_MESSAGE);
  }

  /** A final STATUS on a HOP stream, then the stream is closed. */
  private async answer(stream: Stream, status: number, extra: Omit<HopMessage, 'type' | 'status'> = {}) {
    stream.send(encodeFrame(encodeHopMessage({ type: HopType.STATUS, status, ...extra })));
    await stream.close().catch((err: Error) => stream.abort(err));
  }

  private async reserve(stream: Stream, connection: Connection): Promise<void> {
    if (isRelayed(connection)) return this.answer(stream, CircuitStatus.PERMISSION_DENIED);
    const peer = connection.remotePeer;
    const key = keyOf(peer.toMultihash().bytes);
    const nowMs = this.now();
    const member = this.isMember(peer.toString());
    if (!member && !this.held.has(key) && this.reservations >= this.init.reservationsMax) {
      this.purge();
      if (this.reservations >= this.init.reservationsMax) {
        return this.answer(stream, CircuitStatus.RESERVATION_REFUSED);
      }
    }
    const expiresMs = nowMs + this.init.reservationTtlMs;
    // UNIX seconds, rounded down: the peer never believes it holds the slot longer than it does.
    const expire = Math.floor(expiresMs / 1000);
    const self = this.components.peerId;
    const envelope = await RecordEnvelope.seal(
      new ReservationVoucher(self, peer, expire),
      this.components.privateKey,
    );
    const addrs = this.components.addressManager
      .getAddresses()
      .filter((a) => !a.toString().includes('/p2p-circuit'))
      .slice(0, RELAY_MESSAGE_ADDRS_MAX)
      .map(
        (a) => (a.getComponents().some((c) => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${self}`)).bytes,
      );
    this.held.set(key, { peerId: peer, expiresMs, member });
    await this.components.peerStore
      .merge(peer, { tags: { [RELAY_RESERVATION_TAG]: { value: 1, ttl: this.init.reservationTtlMs } } })
      .catch((err: Error) => this.log('could not tag %p: %s', peer, err.message));
    await this.answer(stream, CircuitStatus.OK, {
      reservation: { expire, addrs, voucher: envelope.marshal() },
      limit: this.limit,
    });
  }

  private async connect(src: Stream, connection: Connection, request: HopMessage, signal: AbortSignal) {
    if (isRelayed(connection)) return this.answer(src, CircuitStatus.PERMISSION_DENIED);
    if (request.peer === undefined) return this.answer(src, CircuitStatus.MALFORMED_MESSAGE);
    const dstKey = keyOf(request.peer.id);
    const held = this.held.get(dstKey);
    if (held === undefined || held.expiresMs <= this.now()) {
      return this.answer(src, CircuitStatus.NO_RESERVATION);
    }
    const dstConn = this.components.connectionManager
      .getConnections(held.peerId)
      .find((c) => c.status === 'open' && !isRelayed(c));
    if (dstConn === undefined) return this.answer(src, CircuitStatus.NO_RESERVATION);
    const srcKey = keyOf(connection.remotePeer.toMultihash().bytes);
    const perPeer = this.init.circuitsPerPeerMax;
    if (
      this.counters.circuits >= this.init.circuitsMax ||
      (this.circuitsOf.get(srcKey) ?? 0) >= perPeer ||
      (this.circuitsOf.get(dstKey) ?? 0) >= perPeer
    ) {
      return this.answer(src, CircuitStatus.RESOURCE_LIMIT_EXCEEDED);
    }
    // The slot is taken before the STOP exchange so that concurrent CONNECTs respect the bounds.
    const release = this.take(srcKey, dstKey);
    let dst: Stream | undefined;
    try {
      dst = await dstConn.newStream(CIRCUIT_STOP_PROTOCOL, {
        signal,
        runOnLimitedConnection: true,
        maxOutboundStreams: perPeer + 8,
      });
      dst.send(
        encodeFrame(
          encodeStopMessage({
            type: StopType.CONNECT,
            peer: { id: connection.remotePeer.toMultihash().bytes, addrs: [] },
            limit: this.limit,
          }),
        ),
      );
      const reply = decodeStopMessage(await readFrameExact(dst, RELAY_MESSAGE_BYTES_MAX, signal), {
        bytesMax: RELAY_MESSAGE_BYTES_MAX,
        addrsMax: RELAY_MESSAGE_ADDRS_MAX,
      });
      if (reply.type !== StopType.STATUS || reply.status !== CircuitStatus.OK) {
        throw new Error(`the destination answered STOP with type ${reply.type} status ${reply.status}`);
      }
    } catch (err) {
      release();
      this.log('circuit to %p failed: %s', held.peerId, (err as Error).message);
      dst?.abort(err as Error);
      return this.answer(src, CircuitStatus.CONNECTION_FAILED);
    }
    // STATUS OK goes out before any relayed byte: send() queues in order, and forwarding starts
    // only below, in the same turn, so the initiator reads its answer first and then the bytes.
    src.send(
      encodeFrame(encodeHopMessage({ type: HopType.STATUS, status: CircuitStatus.OK, limit: this.limit })),
    );
    this.splice(src, dst, release);
  }

  /** Counts a circuit against the bounds; the returned function gives the slot back once. */
  private take(srcKey: string, dstKey: string): () => void {
    this.counters.circuits++;
    this.counters.circuitsOpened++;
    const bump = (k: string, d: number) => {
      const n = (this.circuitsOf.get(k) ?? 0) + d;
      if (n <= 0) this.circuitsOf.delete(k);
      else this.circuitsOf.set(k, n);
    };
    bump(srcKey, 1);
    bump(dstKey, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.counters.circuits--;
      bump(srcKey, -1);
      bump(dstKey, -1);
    };
  }

  /** Joins the two streams into the relayed connection, enforcing the announced limit. */
  private splice(src: Stream, dst: Stream, release: () => void): void {
    const circuit = { src, dst };
    this.live.add(circuit);
    const dataMax = this.init.circuitBytesMax;
    const abortBoth = (err: Error) => {
      src.abort(err);
      dst.abort(err);
    };
    const timer = setTimeout(
      () => abortBoth(new Error(`circuit duration limit of ${this.init.circuitDurationMs} ms reached`)),
      this.init.circuitDurationMs,
    );
    let open = 2;
    const onClose = (other: Stream) => (evt: Event) => {
      const error = (evt as Event & { error?: Error }).error;
      if (error !== undefined) other.abort(error);
      if (--open === 0) {
        clearTimeout(timer);
        this.live.delete(circuit);
        release();
      }
    };
    src.addEventListener('close', onClose(dst), { once: true });
    dst.addEventListener('close', onClose(src), { once: true });
    const forward = (from: Stream, to: Stream) => {
      let sent = 0;
      from.addEventListener('message', (evt) => {
        const n = evt.data.byteLength;
        sent += n;
        this.counters.relayedBytes += n;
        if (sent > dataMax) {
          abortBoth(new Error(`circuit data limit of ${dataMax} bytes in one direction reached`));
          return;
        }
        try {
          if (!to.send(evt.data)) {
            from.pause();
            to.onDrain().then(
              () => {
                if (from.readStatus === 'paused') from.resume();
              },
              (err: Error) => abortBoth(err),
            );
          }
        } catch (err) {
          abortBoth(err as Error);
        }
      });
      // The sender closed its write end and everything it sent has been forwarded: pass it on.
      from.addEventListener(
        'end',
        () => {
          if (to.writeStatus === 'writable') to.close().catch((err: Error) => to.abort(err));
        },
        { once: true },
      );
    };
    forward(src, dst);
    forward(dst, src);
  }
}

/** libp2p service factory: `services: { relay: relayServer({...limits}) }`. */
export function relayServer(init: RelayServerInit): (components: RelayServerComponents) => RelayServer {
  return (components) => new RelayServer(components, init);
}
