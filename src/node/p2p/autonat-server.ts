// An AutoNAT v1 server (libp2p/specs autonat/autonat-v1.md): a peer asks the root to dial it
// back on the addresses it believes are its own; the answer tells it whether it is reachable.
//
// js-libp2p's server dials with the connection manager's ordinary dial, which hands back the
// connection already open to that peer whenever the address asked about is the one the peer is
// connected from - always true of an address learned by identify - so it answers OK to a peer
// behind any NAT, and then closes that connection, the one carrying the request and the peer's
// relay reservation. This server dials back on a NEW connection (force), closes only that one,
// and only dials addresses on the IP the request came from (no third party can be made a target).

import type { ComponentLogger, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface';
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { bytesEqual } from '../../codec/index.ts';
import {
  AUTONAT_PROTOCOL,
  type AutonatMessage,
  AutonatStatus,
  AutonatType,
  decodeAutonatMessage,
  encodeAutonatMessage,
  frameReader,
  sendFrame,
} from '../../wire/index.ts';
import {
  AUTONAT_ADDRS_MAX,
  AUTONAT_DIAL_TIMEOUT_MS,
  AUTONAT_DIALS_IN_FLIGHT_MAX,
  AUTONAT_INBOUND_STREAMS_MAX,
  AUTONAT_MESSAGE_BYTES_MAX,
} from './constants.ts';

export type AutonatServerComponents = {
  registrar: Registrar;
  connectionManager: ConnectionManager;
  logger: ComponentLogger;
};

type Answer = NonNullable<AutonatMessage['dialResponse']>;

/** The IP of an /ip4 or /ip6 multiaddr, or undefined. */
function ipOf(ma: Multiaddr): string | undefined {
  const c = ma.getComponents()[0];
  return c !== undefined && (c.name === 'ip4' || c.name === 'ip6') ? c.value : undefined;
}

export class AutonatServer implements Startable {
  private readonly components: AutonatServerComponents;
  private readonly log: Logger;
  private inFlight = 0;
  readonly counters = { requests: 0, ok: 0, dialErrors: 0, refused: 0 };

  constructor(components: AutonatServerComponents) {
    this.components = components;
    this.log = components.logger.forComponent('witan:autonat:server');
  }

  readonly [Symbol.toStringTag] = 'witan-autonat-server';

  async start(): Promise<void> {
    await this.components.registrar.handle(
      AUTONAT_PROTOCOL,
      (stream, connection) => {
        this.serve(stream, connection).catch((err: Error) => {
          this.log('autonat stream from %p failed: %s', connection.remotePeer, err.message);
          stream.abort(err);
        });
      },
      { maxInboundStreams: AUTONAT_INBOUND_STREAMS_MAX, runOnLimitedConnection: false },
    );
  }

  async stop(): Promise<void> {
    await this.components.registrar.unhandle(AUTONAT_PROTOCOL);
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const frame = await frameReader(stream, AUTONAT_MESSAGE_BYTES_MAX).next();
    let answer: Answer;
    try {
      if (frame === null) throw new Error('no request');
      const request = decodeAutonatMessage(frame, {
        bytesMax: AUTONAT_MESSAGE_BYTES_MAX,
        addrsMax: AUTONAT_ADDRS_MAX,
      });
      answer = await this.answer(request, connection);
    } catch (err) {
      answer = { status: AutonatStatus.E_BAD_REQUEST, statusText: (err as Error).message };
    }
    this.counters.requests++;
    await sendFrame(stream, encodeAutonatMessage({ type: AutonatType.DIAL_RESPONSE, dialResponse: answer }));
    await stream.close();
  }

  private async answer(request: AutonatMessage, connection: Connection): Promise<Answer> {
    // proto2: an absent type is DIAL.
    if ((request.type ?? AutonatType.DIAL) !== AutonatType.DIAL || request.dial?.peer === undefined) {
      return { status: AutonatStatus.E_BAD_REQUEST, statusText: 'expected a DIAL with peer info' };
    }
    const peer = connection.remotePeer;
    const id = request.dial.peer.id;
    if (id === undefined || !bytesEqual(id, peer.toMultihash().bytes)) {
      return { status: AutonatStatus.E_BAD_REQUEST, statusText: 'a peer may only ask about itself' };
    }
    const from = ipOf(connection.remoteAddr);
    const candidates: Multiaddr[] = [];
    for (const bytes of request.dial.peer.addrs) {
      try {
        const ma = multiaddr(bytes);
        if (from !== undefined && ipOf(ma) === from && !ma.toString().includes('/p2p-circuit'))
          candidates.push(ma);
      } catch {
        // An address that does not parse is skipped, as the spec allows.
      }
    }
    if (candidates.length === 0 || from === undefined) {
      this.counters.refused++;
      return {
        status: AutonatStatus.E_DIAL_REFUSED,
        statusText: `no address on ${from ?? 'the connection IP'}`,
      };
    }
    if (this.inFlight >= AUTONAT_DIALS_IN_FLIGHT_MAX) {
      this.counters.refused++;
      return {
        status: AutonatStatus.E_DIAL_REFUSED,
        statusText: 'too many dial-backs in flight; ask again later',
      };
    }
    this.inFlight++;
    try {
      let lastError = '';
      for (const ma of candidates) {
        const ok = await this.dialBack(ma, peer).catch((err: Error) => {
          lastError = err.message;
          return false;
        });
        if (ok) {
          this.counters.ok++;
          return { status: AutonatStatus.OK, addr: ma.bytes };
        }
      }
      this.counters.dialErrors++;
      return { status: AutonatStatus.E_DIAL_ERROR, statusText: lastError || 'dial-back failed' };
    } finally {
      this.inFlight--;
    }
  }

  /** Dials the address on a fresh connection (never the open one) and closes just that. */
  private async dialBack(ma: Multiaddr, peer: PeerId): Promise<boolean> {
    const target = ma.toString().includes('/p2p/') ? ma : ma.encapsulate(`/p2p/${peer}`);
    const conn = await this.components.connectionManager.openConnection(target, {
      force: true,
      signal: AbortSignal.timeout(AUTONAT_DIAL_TIMEOUT_MS),
    });
    const fresh = conn.direction === 'outbound' && conn.remoteAddr.equals(target);
    await conn.close().catch((err: Error) => conn.abort(err));
    return fresh;
  }
}

/** libp2p service factory: `services: { autoNAT: autonatServer() }`. */
export function autonatServer(): (components: AutonatServerComponents) => AutonatServer {
  return (components) => new AutonatServer(components);
}
