// Which roots a peer uses. Rendezvous state lives on each root separately, so two peers of one
// namespace meet only at a root both registered with. Every peer of a namespace therefore ranks
// the world's roots the same way — highest random weight (Thaler and Ravishankar, "Using
// name-based mappings to increase hit rates", 1998): SHA-256(namespace ‖ 0 ‖ root peer id),
// highest first — and uses the first roots of that order that work. When a root fails, every
// peer moves to the next one in the same order and they keep meeting; namespaces spread evenly
// over the roots. Pure; the peer id of a root is derived from its node key.

import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { utf8Bytes } from '../codec/index.ts';
import { sha256 } from '../crypto/index.ts';
import { ROOT_CANDIDATES_MAX } from './constants.ts';
import { OverlayError } from './errors.ts';
import type { WorldRoot } from './world.ts';

/** A root as the peer reaches it. */
export type RootContact = {
  /** The member's name, or the peer id for a root given by address only. */
  name: string;
  peerId: string;
  /** libp2p multiaddrs, each ending in /p2p/<peerId>. */
  p2p: string[];
};

/** The libp2p peer id of a raw Ed25519 public key (a member's node key). */
export function peerIdOfNodeKey(nodeKey: Uint8Array): string {
  return peerIdFromPublicKey(publicKeyFromRaw(nodeKey)).toString();
}

/** A world root as a contact: its endpoints completed with /p2p/<peer id>. */
export function contactOf(root: WorldRoot): RootContact {
  const peerId = peerIdOfNodeKey(root.nodeKey);
  return {
    name: root.name,
    peerId,
    p2p: root.p2p.map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)),
  };
}

/** A root given by one multiaddr ending in /p2p/<peer id> (no world): a lab, a test, a bootstrap list. */
export function contactOfAddr(addr: string): RootContact {
  let peerId: string | undefined;
  try {
    peerId = multiaddr(addr)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value;
  } catch (err) {
    throw new OverlayError(
      'OVERLAY_INVALID_OPTIONS',
      `${addr} is not a multiaddr: ${(err as Error).message}`,
    );
  }
  if (peerId === undefined)
    throw new OverlayError('OVERLAY_INVALID_OPTIONS', `${addr} does not end in /p2p/<root peer id>`);
  return { name: peerId, peerId, p2p: [addr] };
}

/** Merges contacts of one root (same peer id) and drops roots without an address. */
export function distinctRoots(roots: readonly RootContact[]): RootContact[] {
  const byId = new Map<string, RootContact>();
  for (const r of roots) {
    const known = byId.get(r.peerId);
    if (known === undefined) byId.set(r.peerId, { ...r, p2p: [...r.p2p] });
    else for (const a of r.p2p) if (!known.p2p.includes(a)) known.p2p.push(a);
  }
  const out = [...byId.values()].filter((r) => r.p2p.length > 0);
  if (out.length > ROOT_CANDIDATES_MAX)
    throw new OverlayError('OVERLAY_INVALID_OPTIONS', `at most ${ROOT_CANDIDATES_MAX} candidate roots`);
  return out;
}

function weight(namespace: string, peerId: string): Uint8Array {
  return sha256(new Uint8Array([...utf8Bytes(namespace), 0, ...utf8Bytes(peerId)]));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/** The roots in the order every peer of `namespace` tries them (highest random weight first). */
export function rankRoots(roots: readonly RootContact[], namespace: string): RootContact[] {
  const weighted = roots.map((r) => ({ r, w: weight(namespace, r.peerId) }));
  weighted.sort((a, b) => compareBytes(b.w, a.w));
  return weighted.map((x) => x.r);
}
