// How the network sees this peer, judged from its roots: identify tells what address each root
// observed (libp2p/specs identify: observedAddr), AutoNAT v1 (libp2p/specs
// autonat/autonat-v1.md, raw messages) asks each root to dial back. From those:
//
//   a root dialled back        → public: list the address (identify, registrations) and offer it
//                                to DCUtR;
//   every root saw one ip:port → endpoint-independent NAT: offer that mapping to DCUtR only, a
//                                punch from both sides gets through;
//   roots saw different ports  → endpoint-dependent ("symmetric") NAT: nothing to punch to, stay
//                                relayed;
//   one root or none saw us    → unknown: nothing offered.
//
// judgeReachability is the pure rule; askAutonat and observe are the network's part.

import type { Libp2p, PeerId } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import {
  AUTONAT_PROTOCOL,
  AutonatStatus,
  AutonatType,
  decodeAutonatMessage,
  encodeAutonatMessage,
  frameReader,
  sendFrame,
} from '../wire/index.ts';
import { AUTONAT_MESSAGE_BYTES_MAX } from './constants.ts';

export type NatKind = 'public' | 'endpoint-independent' | 'endpoint-dependent' | 'unknown';

export type Reachability = {
  kind: NatKind;
  /** How each root saw this peer (the address of its connection to the root), by root peer id. */
  observed: Record<string, string>;
  /** Each root's AutoNAT status (0 OK, 100 E_DIAL_ERROR, 101 E_DIAL_REFUSED, …), by root peer id. */
  autonat: Record<string, number>;
  /** An address a root dialled back, for a public peer. */
  confirmed: string | null;
  /** What DCUtR offers the other side (never listed in identify unless confirmed). */
  holePunch: string[];
};

/** The pure rule (see the top of the file). */
export function judgeReachability(
  observed: Record<string, string>,
  autonat: Record<string, number>,
  confirmed: string | null,
): Reachability {
  const seen = [...new Set(Object.values(observed))];
  let kind: NatKind = 'unknown';
  let holePunch: string[] = [];
  if (confirmed !== null) {
    kind = 'public';
    holePunch = [confirmed];
  } else if (Object.keys(observed).length >= 2 && seen.length === 1) {
    kind = 'endpoint-independent';
    holePunch = seen;
  } else if (seen.length >= 2) {
    kind = 'endpoint-dependent';
  }
  return { kind, observed, autonat, confirmed, holePunch };
}

/**
 * Asks one root (connected directly) to dial this peer back on `candidates` (AutoNAT v1 DIAL).
 * Resolves to the status and, for OK, the address that worked.
 */
export async function askAutonat(
  node: Libp2p,
  root: PeerId | Multiaddr,
  candidates: readonly Multiaddr[],
  signal: AbortSignal,
): Promise<{ status: number; addr: Multiaddr | null }> {
  const stream = await node.dialProtocol(root, AUTONAT_PROTOCOL, { signal });
  try {
    await sendFrame(
      stream,
      encodeAutonatMessage({
        type: AutonatType.DIAL,
        dial: { peer: { id: node.peerId.toMultihash().bytes, addrs: candidates.map((c) => c.bytes) } },
      }),
    );
    const onAbort = () => stream.abort(new Error('AutoNAT request timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    let answer: Uint8Array | null;
    try {
      answer = await frameReader(stream, AUTONAT_MESSAGE_BYTES_MAX).next();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (answer === null) throw new Error('the root closed the AutoNAT stream without answering');
    const response = decodeAutonatMessage(answer, {
      bytesMax: AUTONAT_MESSAGE_BYTES_MAX,
      addrsMax: 0,
    }).dialResponse;
    // proto2: an absent status is OK.
    const status = response?.status ?? AutonatStatus.OK;
    let addr: Multiaddr | null = null;
    if (status === AutonatStatus.OK && response?.addr !== undefined) {
      try {
        addr = multiaddr(response.addr);
      } catch {
        addr = null; // an OK without a usable address confirms nothing in particular
      }
    }
    return { status, addr };
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closing')));
  }
}
