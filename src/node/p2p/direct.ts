// Direct streams between roots (docs/architecture.md "The path of one statement"). A root sends
// each consensus message, cosigned note and statement straight to every member it holds a
// connection to, on one long-lived stream per member and kind, as length-prefixed frames
// (src/wire/frames.ts). The protocol id is the gossip topic's name, `/witan/<federation>/<kind>/1`.
//
// Why not gossip alone: a gossip hop signs every message with the publisher's key, verifies it at
// every receiver, runs it through the validation pipeline and forwards copies to the whole mesh.
// The roots already hold a Noise-authenticated connection to each other whose remote peer id IS
// the member's node key, so the receiver knows the sender without a signature per message; what
// needs a signature (votes, block proposals, cosignatures, statements) carries its own.
//
// Gossip stays the fallback: the caller publishes on the topic when a member could not be given
// the message directly (no connection, a root that does not speak the protocol yet, a stalled
// stream), and the frames a broken stream still held are handed back to be published there.

import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { invariant } from '../../base/index.ts';
import { frameReader, sendFrame } from '../../wire/index.ts';
import {
  DIRECT_INBOUND_STREAMS_MAX,
  DIRECT_OPEN_TIMEOUT_MS,
  DIRECT_QUEUE_BYTES_MAX,
  DIRECT_QUEUE_MESSAGES_MAX,
  DIRECT_RETRY_AFTER_FAILURE_MS,
  DIRECT_SEND_TIMEOUT_MS,
  DIRECT_STREAM_IDLE_MS,
} from './constants.ts';

export type DirectStats = {
  /** Messages handed to a member's stream. */
  sent: number;
  /** Messages received from members. */
  received: number;
  /** Messages a broken or stalled stream lost, handed back for gossip. */
  lost: number;
  /** Streams refused because the remote peer is not a current member. */
  refused: number;
  /** Bytes of the messages counted in sent and received (frame prefixes aside), by protocol. */
  bytes: Record<string, { sent: number; received: number }>;
};

export type DirectOptions = {
  node: Libp2p;
  /** Protocol ids (the gossip topics) this root sends and receives directly. */
  protocols: readonly string[];
  /** Whether a peer id is a current member's (checked at every stream and every frame). */
  isMember: (peerId: string) => boolean;
  /** Largest frame accepted or sent: the gossip message limit, so either transport carries it. */
  frameBytesMax: () => number;
  /** A message from a member; errors are the caller's. */
  deliver: (protocol: string, data: Uint8Array, fromPeer: string) => void;
  /** Messages a stream lost (it broke, stalled or the member does not speak the protocol). */
  lost: (protocol: string, messages: Uint8Array[]) => void;
  now?: () => number;
};

/** Direct streams to and from members: one Outbox per member and protocol. */
export class DirectLinks {
  readonly #o: DirectOptions;
  readonly #outboxes = new Map<string, Outbox>();
  /** Members whose stream could not be opened, until when they get gossip only. */
  readonly #backoff = new Map<string, number>();
  /** Members' peer ids, parsed (forget() drops those no longer members). */
  readonly #peerIds = new Map<string, PeerId>();
  readonly stats: DirectStats;

  constructor(o: DirectOptions) {
    this.#o = o;
    // One entry per protocol, here for good: send() and #serve() only ever see these protocols.
    const bytes = Object.fromEntries(o.protocols.map((p) => [p, { sent: 0, received: 0 }]));
    this.stats = { sent: 0, received: 0, lost: 0, refused: 0, bytes };
  }

  async start(): Promise<void> {
    for (const protocol of this.#o.protocols) {
      await this.#o.node.handle(protocol, (stream, connection) => this.#serve(protocol, stream, connection), {
        maxInboundStreams: DIRECT_INBOUND_STREAMS_MAX,
        runOnLimitedConnection: false,
      });
    }
  }

  /**
   * Queues `data` for `peer` on its stream; false when it cannot go directly now (no open
   * connection, the member failed to open a stream lately, or its queue is full): then the
   * caller publishes it on gossip.
   */
  send(peer: string, protocol: string, data: Uint8Array): boolean {
    const counted = this.stats.bytes[protocol];
    invariant(counted !== undefined, `direct streams carry ${this.#o.protocols.join(', ')}, not ${protocol}`);
    const now = (this.#o.now ?? Date.now)();
    const until = this.#backoff.get(peer);
    if (until !== undefined) {
      if (now < until) return false;
      this.#backoff.delete(peer);
    }
    if (this.#connectionTo(peer) === undefined) return false;
    const key = `${peer} ${protocol}`;
    let box = this.#outboxes.get(key);
    if (box === undefined) {
      box = new Outbox({
        open: () => this.#open(peer, protocol),
        lost: (messages) => {
          this.stats.lost += messages.length;
          this.#backoff.set(peer, (this.#o.now ?? Date.now)() + DIRECT_RETRY_AFTER_FAILURE_MS);
          this.#o.lost(protocol, messages);
        },
      });
      this.#outboxes.set(key, box);
    }
    if (!box.push(data)) return false;
    this.stats.sent++;
    counted.sent += data.length;
    return true;
  }

  /** Closes the streams of peers that are no longer members. */
  forget(isMember: (peer: string) => boolean): void {
    for (const [key, box] of this.#outboxes) {
      if (!isMember(key.slice(0, key.indexOf(' ')))) {
        box.close();
        this.#outboxes.delete(key);
      }
    }
    for (const peer of this.#backoff.keys()) if (!isMember(peer)) this.#backoff.delete(peer);
    for (const peer of this.#peerIds.keys()) if (!isMember(peer)) this.#peerIds.delete(peer);
  }

  stop(): void {
    for (const box of this.#outboxes.values()) box.close();
    this.#outboxes.clear();
  }

  #connectionTo(peer: string): Connection | undefined {
    // Parsed once per member: a broadcast asks for every member's connection, every message.
    let id = this.#peerIds.get(peer);
    if (id === undefined) {
      try {
        id = peerIdFromString(peer);
      } catch {
        return undefined;
      }
      this.#peerIds.set(peer, id);
    }
    return this.#o.node.getConnections(id).find((c) => c.status === 'open' && c.limits === undefined);
  }

  async #open(peer: string, protocol: string): Promise<Stream> {
    const connection = this.#connectionTo(peer);
    if (connection === undefined) throw new Error(`no connection to ${peer}`);
    const stream = await connection.newStream(protocol, {
      signal: AbortSignal.timeout(DIRECT_OPEN_TIMEOUT_MS),
      runOnLimitedConnection: false,
    });
    stream.inactivityTimeout = DIRECT_STREAM_IDLE_MS;
    return stream;
  }

  async #serve(protocol: string, stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString();
    if (!this.#o.isMember(from)) {
      this.stats.refused++;
      stream.abort(new Error('direct streams are for federation members only'));
      return;
    }
    stream.inactivityTimeout = DIRECT_STREAM_IDLE_MS;
    const frames = frameReader(stream, this.#o.frameBytesMax());
    try {
      for (;;) {
        const frame = await frames.next();
        if (frame === null) break;
        // Membership changes with the world: a member suspended mid-stream is cut off here.
        if (!this.#o.isMember(from)) {
          this.stats.refused++;
          stream.abort(new Error('no longer a federation member'));
          return;
        }
        this.stats.received++;
        this.stats.bytes[protocol]!.received += frame.length;
        this.#o.deliver(protocol, frame, from);
      }
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }
}

type OutboxOptions = {
  open: () => Promise<Stream>;
  lost: (messages: Uint8Array[]) => void;
};

/**
 * The messages waiting for one member's stream, written in order. Bounded in bytes and in
 * messages: a member that does not read gets nothing more here (its messages go by gossip) until
 * its stream drains or times out, and a broken stream hands what it still held back to the caller.
 */
class Outbox {
  readonly #o: OutboxOptions;
  #queue: Uint8Array[] = [];
  #bytes = 0;
  #stream: Stream | undefined;
  #writing = false;
  #closed = false;

  constructor(o: OutboxOptions) {
    this.#o = o;
  }

  push(data: Uint8Array): boolean {
    if (
      this.#closed ||
      this.#queue.length >= DIRECT_QUEUE_MESSAGES_MAX ||
      this.#bytes + data.length > DIRECT_QUEUE_BYTES_MAX
    )
      return false;
    this.#queue.push(data);
    this.#bytes += data.length;
    if (!this.#writing) void this.#write();
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#bytes = 0;
    const s = this.#stream;
    this.#stream = undefined;
    if (s !== undefined) void s.close().catch((err: Error) => s.abort(err));
  }

  async #write(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const stream = await this.#usable();
        const data = this.#queue[0] as Uint8Array;
        await sendFrame(
          {
            send: (bytes) => stream.send(bytes),
            onDrain: () => stream.onDrain({ signal: AbortSignal.timeout(DIRECT_SEND_TIMEOUT_MS) }),
          },
          data,
        );
        // Only now is it off our hands: a frame whose drain timed out is handed back with the
        // rest (the receivers of all three kinds take a message twice without harm).
        this.#queue.shift();
        this.#bytes -= data.length;
      }
    } catch (err) {
      const lost = this.#queue;
      this.#queue = [];
      this.#bytes = 0;
      this.#stream?.abort(err as Error);
      this.#stream = undefined;
      if (!this.#closed) this.#o.lost(lost);
    } finally {
      this.#writing = false;
    }
  }

  async #usable(): Promise<Stream> {
    const s = this.#stream;
    if (s !== undefined && s.status === 'open' && s.writeStatus === 'writable') return s;
    this.#stream = await this.#o.open();
    return this.#stream;
  }
}
