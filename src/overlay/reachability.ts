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
// judgeReachability is the pure rule; askAutonat and learnReachability are the network's part.

import type { Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import {
  AUTONAT_PROTOCOL,
  AutonatStatus,
  AutonatType,
  decodeAutonatMessage,
  encodeAutonatMessage,
  sendFrame,
} from '../wire/index.ts';
import {
  AUTONAT_CANDIDATES_MAX,
  AUTONAT_MESSAGE_BYTES_MAX,
  AUTONAT_REQUEST_TIMEOUT_MS,
  IDENTIFY_WAIT_MS,
} from './constants.ts';
import { readWithin } from './probes.ts';

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
    const answer = await readWithin(stream, AUTONAT_MESSAGE_BYTES_MAX, signal);
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

/**
 * Learns how the roots see this peer: waits (at most IDENTIFY_WAIT_MS) for identify from two of
 * them, hands over what that alone tells (`early`: enough for DCUtR behind an
 * endpoint-independent NAT), then asks every root's AutoNAT at once.
 */
export async function learnReachability(o: {
  node: Libp2p;
  rootIds: readonly string[];
  /** What identify told so far, by root peer id (filled in as answers arrive). */
  observed: () => Readonly<Record<string, string>>;
  ownAddrs: readonly Multiaddr[];
  nowMs: () => number;
  early: (r: Reachability) => void;
}): Promise<Reachability> {
  const enough = Math.min(2, o.rootIds.length);
  const seenBy = () => o.rootIds.filter((id) => o.observed()[id] !== undefined);
  const deadline = o.nowMs() + IDENTIFY_WAIT_MS;
  while (seenBy().length < enough && o.nowMs() < deadline) await new Promise((r) => setTimeout(r, 50));
  const observed: Record<string, string> = {};
  for (const id of seenBy()) observed[id] = o.observed()[id] as string;
  o.early(judgeReachability(observed, {}, null));
  const statuses: Record<string, number> = {};
  let confirmed: string | null = null;
  await Promise.all(
    o.rootIds.map(async (id) => {
      const seen = observed[id];
      // Own addresses first: a public peer's answer is OK at once, a NATed peer's are skipped
      // (not on the IP the root sees); the mapping last, as the root's dial-back waits for it.
      const candidates = [...o.ownAddrs, ...(seen === undefined ? [] : [multiaddr(seen)])].slice(
        0,
        AUTONAT_CANDIDATES_MAX,
      );
      try {
        const a = await askAutonat(
          o.node,
          peerIdFromString(id),
          candidates,
          AbortSignal.timeout(AUTONAT_REQUEST_TIMEOUT_MS),
        );
        statuses[id] = a.status;
        if (a.addr !== null) confirmed ??= a.addr.toString();
      } catch {
        statuses[id] = -1; // no answer: the root counts for nothing either way
      }
    }),
  );
  return judgeReachability(observed, statuses, confirmed);
}
