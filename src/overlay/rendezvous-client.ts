// A rendezvous client (libp2p/specs rendezvous/README.md, `/rendezvous/1.0.0`) over any libp2p v3
// node: REGISTER with the node's signed peer record (RFC 0003 in an RFC 0002 envelope),
// UNREGISTER, DISCOVER with cookies. Requests share one stream and run one at a time.

import type { Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record';
import type { Multiaddr } from '@multiformats/multiaddr';
import {
  decodeMessage,
  encodeMessage,
  type FrameReader,
  frameReader,
  MessageType,
  RENDEZVOUS_PROTOCOL,
  type RendezvousMessage,
  ResponseStatus,
  sendFrame,
  statusName,
  statusOf,
} from '../wire/index.ts';
import { RENDEZVOUS_CLIENT_RESPONSE_BYTES_MAX, RENDEZVOUS_CLIENT_TIMEOUT_MS } from './constants.ts';
import { OverlayError } from './errors.ts';

export type RendezvousClientOptions = {
  /** The node's own key, to sign its peer record. */
  privateKey: PrivateKey;
  /** Check each discovered record's signature (default true). */
  verifyRecords?: boolean;
  timeoutMs?: number;
};

export type DiscoveredRegistration = {
  ns: string;
  ttlS: number;
  peerId: string;
  multiaddrs: Multiaddr[];
  signedPeerRecord: Uint8Array;
};

export type DiscoverPage = { registrations: DiscoveredRegistration[]; cookie: Uint8Array | undefined };

export class RendezvousClient {
  private readonly node: Libp2p;
  private readonly point: PeerId | Multiaddr;
  private readonly options: RendezvousClientOptions;
  private stream: { stream: Stream; frames: FrameReader } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** point: the rendezvous point (a root), by peer id (already connected) or multiaddr. */
  constructor(node: Libp2p, point: PeerId | Multiaddr, options: RendezvousClientOptions) {
    this.node = node;
    this.point = point;
    this.options = options;
  }

  /** Sends one message and, unless it is UNREGISTER, reads the one response. */
  request(message: RendezvousMessage): Promise<RendezvousMessage | null> {
    const run = this.queue.then(() => this.exchange(message));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** REGISTER; resolves to the TTL granted (s), throws OverlayError RENDEZVOUS_REFUSED otherwise. */
  async register(ns: string, ttlS?: number): Promise<number> {
    const envelope = await RecordEnvelope.seal(
      new PeerRecord({ peerId: this.node.peerId, multiaddrs: this.node.getMultiaddrs() }),
      this.options.privateKey,
    );
    const response = await this.request({
      type: MessageType.REGISTER,
      register: { ns, signedPeerRecord: envelope.marshal(), ...(ttlS === undefined ? {} : { ttl: ttlS }) },
    });
    const r = response?.registerResponse;
    if (response?.type !== MessageType.REGISTER_RESPONSE || r === undefined) {
      throw new OverlayError('RENDEZVOUS_PROTOCOL', 'rendezvous point answered REGISTER with something else');
    }
    if (statusOf(r) !== ResponseStatus.OK) {
      throw new OverlayError(
        'RENDEZVOUS_REFUSED',
        `rendezvous point refused the registration in "${ns}": ${statusName(r.status)} ${r.statusText ?? ''}`.trim(),
        r.status,
      );
    }
    return r.ttl ?? 0;
  }

  async unregister(ns: string): Promise<void> {
    await this.request({ type: MessageType.UNREGISTER, unregister: { ns } });
  }

  /** One page of DISCOVER; pass the returned cookie to get only what is new since. */
  async discover(ns: string | undefined, limit?: number, cookie?: Uint8Array): Promise<DiscoverPage> {
    const response = await this.request({
      type: MessageType.DISCOVER,
      discover: {
        ...(ns === undefined ? {} : { ns }),
        ...(limit === undefined ? {} : { limit }),
        ...(cookie === undefined ? {} : { cookie }),
      },
    });
    const dr = response?.discoverResponse;
    if (response?.type !== MessageType.DISCOVER_RESPONSE || dr === undefined) {
      throw new OverlayError('RENDEZVOUS_PROTOCOL', 'rendezvous point answered DISCOVER with something else');
    }
    if (statusOf(dr) !== ResponseStatus.OK) {
      throw new OverlayError(
        'RENDEZVOUS_REFUSED',
        `rendezvous point refused DISCOVER: ${statusName(dr.status)} ${dr.statusText ?? ''}`.trim(),
        dr.status,
      );
    }
    const registrations: DiscoveredRegistration[] = [];
    for (const reg of dr.registrations) {
      if (reg.signedPeerRecord === undefined) continue;
      const record = await this.openRecord(reg.signedPeerRecord);
      if (record === null) continue;
      registrations.push({
        ns: reg.ns ?? '',
        ttlS: reg.ttl ?? 0,
        peerId: record.peerId.toString(),
        multiaddrs: record.multiaddrs,
        signedPeerRecord: reg.signedPeerRecord,
      });
    }
    return { registrations, cookie: dr.cookie };
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (s !== undefined) await s.stream.close().catch(() => s.stream.abort(new Error('closing')));
  }

  private async openRecord(bytes: Uint8Array): Promise<PeerRecord | null> {
    try {
      if (this.options.verifyRecords === false) {
        return PeerRecord.createFromProtobuf(RecordEnvelope.createFromProtobuf(bytes).payload);
      }
      const envelope = await RecordEnvelope.openAndCertify(bytes, PeerRecord.DOMAIN);
      const record = PeerRecord.createFromProtobuf(envelope.payload);
      return record.peerId.publicKey?.equals(envelope.publicKey) === true ? record : null;
    } catch {
      return null;
    }
  }

  private async exchange(message: RendezvousMessage): Promise<RendezvousMessage | null> {
    // Every request is idempotent (REGISTER refreshes, UNREGISTER of nothing is fine, DISCOVER
    // reads), so when the point ends a reused stream without answering (it closes streams after
    // a number of requests) the request is sent once more on a fresh stream.
    const reused = this.stream !== undefined && this.stream.stream.status === 'open';
    try {
      return await this.exchangeOnce(message);
    } catch (err) {
      if (!reused || !(err instanceof StreamEndedError)) throw err;
      return this.exchangeOnce(message);
    }
  }

  private async exchangeOnce(message: RendezvousMessage): Promise<RendezvousMessage | null> {
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? RENDEZVOUS_CLIENT_TIMEOUT_MS);
    if (this.stream === undefined || this.stream.stream.status !== 'open') {
      const stream = await this.node.dialProtocol(this.point, RENDEZVOUS_PROTOCOL, { signal });
      this.stream = { stream, frames: frameReader(stream, RENDEZVOUS_CLIENT_RESPONSE_BYTES_MAX) };
    }
    const { stream, frames } = this.stream;
    try {
      await sendFrame(stream, encodeMessage(message));
      if (message.type === MessageType.UNREGISTER) return null;
      const onAbort = () => stream.abort(new Error('rendezvous request timed out'));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const frame = await frames.next();
        if (frame === null) throw new StreamEndedError();
        return decodeMessage(frame, {
          bytesMax: RENDEZVOUS_CLIENT_RESPONSE_BYTES_MAX,
          registrationsMax: 10_000,
        });
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } catch (err) {
      this.stream = undefined;
      stream.abort(err as Error);
      if (err instanceof StreamEndedError) throw err;
      throw new OverlayError('RENDEZVOUS_PROTOCOL', `rendezvous exchange failed: ${(err as Error).message}`);
    }
  }
}

class StreamEndedError extends OverlayError {
  constructor() {
    super('RENDEZVOUS_PROTOCOL', 'rendezvous exchange failed: the rendezvous point closed the stream');
  }
}
