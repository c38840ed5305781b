// A rendezvous point (libp2p/specs rendezvous/README.md, protocol `/rendezvous/1.0.0`) as a
// libp2p v3 service: REGISTER with a signed peer record (RFC 0003 routing records in an RFC 0002
// envelope) whose peer must be the connection's remote peer, UNREGISTER, and DISCOVER with
// cookies. A client may send several requests on one stream; each gets one response. A frame
// that is oversized or does not decode ends that stream only.

import type { ComponentLogger, Connection, Logger, Startable, Stream } from '@libp2p/interface';
import type { Registrar } from '@libp2p/interface-internal';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import { bytesEqual } from '../../codec/index.ts';
import {
  decodeMessage,
  encodeMessage,
  frameReader,
  MessageType,
  messageTypeOf,
  RENDEZVOUS_PROTOCOL,
  type RendezvousMessage,
  ResponseStatus,
  type ResponseStatusValue,
  sendFrame,
} from '../../wire/index.ts';
import {
  DEFAULT_RENDEZVOUS_BYTES_MAX,
  DEFAULT_RENDEZVOUS_BYTES_PER_PEER_MAX,
  DEFAULT_RENDEZVOUS_DISCOVER_LIMIT,
  DEFAULT_RENDEZVOUS_DISCOVER_LIMIT_MAX,
  DEFAULT_RENDEZVOUS_REGISTRATIONS_MAX,
  DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_NAMESPACE_MAX,
  DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_PEER_MAX,
  DEFAULT_RENDEZVOUS_TTL_MAX_S,
  DEFAULT_RENDEZVOUS_TTL_MIN_S,
  DEFAULT_RENDEZVOUS_TTL_S,
  RENDEZVOUS_INBOUND_STREAMS_MAX,
  RENDEZVOUS_NAMESPACE_BYTES_MAX,
  RENDEZVOUS_PURGE_INTERVAL_MS,
  RENDEZVOUS_REQUEST_BYTES_MAX,
  RENDEZVOUS_REQUESTS_PER_STREAM_MAX,
  RENDEZVOUS_SIGNED_RECORD_BYTES_MAX,
  RENDEZVOUS_STREAM_IDLE_MS,
} from './constants.ts';
import { type RendezvousLimits, RendezvousStore } from './rendezvous-store.ts';

export type RendezvousServerInit = Partial<RendezvousLimits> & {
  /** Clock in ms since the epoch; injected so tests can expire registrations. */
  now?: () => number;
  /** 8 random bytes naming this store in its cookies; random by default. */
  epoch?: Uint8Array;
};

/** UNREGISTER has no response in the spec. */
export const NO_REPLY = 'no-reply' as const;

export type RendezvousServerComponents = { registrar: Registrar; logger: ComponentLogger };

export function rendezvousLimits(init: Partial<RendezvousLimits> = {}): RendezvousLimits {
  return {
    ttlMinS: init.ttlMinS ?? DEFAULT_RENDEZVOUS_TTL_MIN_S,
    ttlMaxS: init.ttlMaxS ?? DEFAULT_RENDEZVOUS_TTL_MAX_S,
    ttlDefaultS: init.ttlDefaultS ?? DEFAULT_RENDEZVOUS_TTL_S,
    namespaceBytesMax: init.namespaceBytesMax ?? RENDEZVOUS_NAMESPACE_BYTES_MAX,
    registrationsPerPeerMax: init.registrationsPerPeerMax ?? DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_PEER_MAX,
    registrationsPerNamespaceMax:
      init.registrationsPerNamespaceMax ?? DEFAULT_RENDEZVOUS_REGISTRATIONS_PER_NAMESPACE_MAX,
    registrationsMax: init.registrationsMax ?? DEFAULT_RENDEZVOUS_REGISTRATIONS_MAX,
    bytesPerPeerMax: init.bytesPerPeerMax ?? DEFAULT_RENDEZVOUS_BYTES_PER_PEER_MAX,
    bytesMax: init.bytesMax ?? DEFAULT_RENDEZVOUS_BYTES_MAX,
    discoverLimitMax: init.discoverLimitMax ?? DEFAULT_RENDEZVOUS_DISCOVER_LIMIT_MAX,
    discoverLimitDefault: init.discoverLimitDefault ?? DEFAULT_RENDEZVOUS_DISCOVER_LIMIT,
  };
}

export class RendezvousServer implements Startable {
  readonly store: RendezvousStore;
  private readonly components: RendezvousServerComponents;
  private readonly now: () => number;
  private readonly log: Logger;
  private purgeTimer: ReturnType<typeof setInterval> | undefined;
  /** Counters for stats and metrics. */
  readonly counters = { requests: 0, malformed: 0 };

  constructor(components: RendezvousServerComponents, init: RendezvousServerInit = {}) {
    this.components = components;
    this.now = init.now ?? Date.now;
    this.log = components.logger.forComponent('witan:rendezvous:server');
    const epoch = init.epoch ?? crypto.getRandomValues(new Uint8Array(8));
    this.store = new RendezvousStore(rendezvousLimits(init), epoch);
  }

  readonly [Symbol.toStringTag] = 'witan-rendezvous-server';

  async start(): Promise<void> {
    await this.components.registrar.handle(
      RENDEZVOUS_PROTOCOL,
      (stream, connection) => {
        this.serve(stream, connection).catch((err: unknown) => {
          this.log('rendezvous stream from %p ended: %s', connection.remotePeer, (err as Error).message);
        });
      },
      { maxInboundStreams: RENDEZVOUS_INBOUND_STREAMS_MAX, runOnLimitedConnection: false },
    );
    this.purgeTimer = setInterval(() => this.store.purgeExpired(this.now()), RENDEZVOUS_PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.components.registrar.unhandle(RENDEZVOUS_PROTOCOL);
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    stream.inactivityTimeout = RENDEZVOUS_STREAM_IDLE_MS;
    const frames = frameReader(stream, RENDEZVOUS_REQUEST_BYTES_MAX);
    for (let i = 0; i < RENDEZVOUS_REQUESTS_PER_STREAM_MAX; i++) {
      let frame: Uint8Array | null;
      let request: RendezvousMessage;
      try {
        frame = await frames.next();
        if (frame === null) break;
        request = decodeMessage(frame, { bytesMax: RENDEZVOUS_REQUEST_BYTES_MAX, registrationsMax: 0 });
      } catch (err) {
        this.counters.malformed++;
        stream.abort(err as Error);
        return;
      }
      this.counters.requests++;
      const response = await this.handle(request, connection.remotePeer.toString());
      if (response === null) {
        this.counters.malformed++;
        stream.abort(new Error('unexpected rendezvous message type'));
        return;
      }
      if (response !== NO_REPLY) await sendFrame(stream, encodeMessage(response));
    }
    await stream.close();
  }

  /** One request → one response (NO_REPLY for UNREGISTER); null when a server does not take it. */
  async handle(
    request: RendezvousMessage,
    remotePeer: string,
  ): Promise<RendezvousMessage | typeof NO_REPLY | null> {
    const nowMs = this.now();
    // proto2: an absent type is the enum's first value, REGISTER.
    switch (messageTypeOf(request)) {
      case MessageType.REGISTER:
        return {
          type: MessageType.REGISTER_RESPONSE,
          registerResponse: await this.register(request, remotePeer, nowMs),
        };
      case MessageType.UNREGISTER: {
        // The spec defines no response to UNREGISTER; we answer nothing but keep the stream.
        this.store.unregister(request.unregister?.ns, remotePeer);
        return NO_REPLY;
      }
      case MessageType.DISCOVER: {
        const d = request.discover ?? {};
        const r = this.store.discover(d.ns, d.limit, d.cookie, nowMs);
        if (!r.ok) {
          return {
            type: MessageType.DISCOVER_RESPONSE,
            discoverResponse: { registrations: [], status: r.status, statusText: r.text },
          };
        }
        return {
          type: MessageType.DISCOVER_RESPONSE,
          discoverResponse: {
            status: ResponseStatus.OK,
            cookie: r.value.cookie,
            registrations: r.value.registrations.map((reg) => ({
              ns: reg.ns,
              signedPeerRecord: reg.signedPeerRecord,
              ttl: Math.max(0, Math.floor((reg.expiresMs - nowMs) / 1000)),
            })),
          },
        };
      }
      default:
        return null;
    }
  }

  private async register(
    request: RendezvousMessage,
    remotePeer: string,
    nowMs: number,
  ): Promise<{ status: ResponseStatusValue; statusText?: string; ttl?: number }> {
    const reg = request.register ?? {};
    const nsProblem = this.store.checkNamespace(reg.ns, true);
    if (nsProblem !== null) return { status: ResponseStatus.E_INVALID_NAMESPACE, statusText: nsProblem };
    const record = reg.signedPeerRecord;
    if (record === undefined || record.length === 0 || record.length > RENDEZVOUS_SIGNED_RECORD_BYTES_MAX) {
      return {
        status: ResponseStatus.E_INVALID_SIGNED_PEER_RECORD,
        statusText: `a signed peer record of 1..${RENDEZVOUS_SIGNED_RECORD_BYTES_MAX} bytes is required`,
      };
    }
    // A refresh usually carries the very bytes already verified for this peer: skip the check.
    const known = this.store.recordOf(reg.ns as string, remotePeer);
    if (known !== undefined && bytesEqual(known, record)) {
      const r = this.store.register(reg.ns, remotePeer, record, reg.ttl, nowMs);
      return r.ok ? { status: ResponseStatus.OK, ttl: r.value } : { status: r.status, statusText: r.text };
    }
    let recordPeer: string;
    try {
      const envelope = await RecordEnvelope.openAndCertify(record, PeerRecord.DOMAIN);
      if (!bytesEqual(envelope.payloadType, PeerRecord.CODEC)) throw new Error('not a peer record');
      const peerRecord = PeerRecord.createFromProtobuf(envelope.payload);
      if (!peerRecord.peerId.publicKey?.equals(envelope.publicKey))
        throw new Error('record signed by another key');
      recordPeer = peerRecord.peerId.toString();
    } catch (err) {
      return {
        status: ResponseStatus.E_INVALID_SIGNED_PEER_RECORD,
        statusText: `signed peer record does not verify: ${(err as Error).message}`,
      };
    }
    if (recordPeer !== remotePeer) {
      return {
        status: ResponseStatus.E_NOT_AUTHORIZED,
        statusText: 'the signed peer record names another peer than the one registering',
      };
    }
    const r = this.store.register(reg.ns, remotePeer, record, reg.ttl, nowMs);
    if (!r.ok) return { status: r.status, statusText: r.text };
    return { status: ResponseStatus.OK, ttl: r.value };
  }
}

/** libp2p service factory: `services: { rendezvous: rendezvousServer({...limits}) }`. */
export function rendezvousServer(
  init: RendezvousServerInit = {},
): (components: RendezvousServerComponents) => RendezvousServer {
  return (components) => new RendezvousServer(components, init);
}
