// The overlay client: what a peer runs (docs/overlay-client.md). It trusts a pinned genesis
// only; it verifies the world from any root (world-keeper.ts), takes its roots from that world
// (roots.ts), runs an overlay peer on them (peer.ts) and keeps the world fresh: it asks again at
// a quarter of the policy's freshness bound, hands a newer world's roots to the peer, and refuses
// a stale, rolled-back or forked one (the peer keeps the world and roots it had, and the refusal
// is reported with its reason).

import type { SignedGenesis } from '../governance/index.ts';
import type { WorldError } from './errors.ts';
import { OverlayPeer, type OverlayPeerOptions } from './peer.ts';
import { contactOf, type RootContact } from './roots.ts';
import { rootsOfWorld, type VerifiedWorld } from './world.ts';
import { chainVerifier, WorldKeeper, type WorldVerifier } from './world-keeper.ts';

export type OverlayClientOptions = Omit<OverlayPeerOptions, 'roots'> & {
  /** The genesis this peer pins: every world is verified from it. */
  genesis: SignedGenesis;
  /** Roots to ask for the world first (HTTP base URLs); any root will do. */
  rootUrls?: readonly string[];
  /** A world verified on an earlier run (store `client.world()` between runs): rollback and fork are judged against it. */
  trusted?: VerifiedWorld;
  /** How worlds are verified; the world chain from `genesis` by default (see world-keeper.ts). */
  verifier?: WorldVerifier;
  /** Called when a refresh found no world to adopt; the client keeps the one it has. */
  onWorldRefused?: (error: WorldError) => void;
  /** Called when a newer world was adopted. */
  onWorld?: (world: VerifiedWorld) => void;
};

export type OverlayClient = {
  readonly peer: OverlayPeer;
  /** The world in force: the last one verified. */
  world(): VerifiedWorld;
  /** Asks roots for the world now; adopts a newer one or throws WorldError (keeping the current). */
  refreshWorld(): Promise<VerifiedWorld>;
  stop(): Promise<void>;
};

/** The roots a verified world lists, as the peer reaches them. */
export function worldRoots(world: VerifiedWorld): RootContact[] {
  return rootsOfWorld(world.world)
    .filter((r) => r.p2p.length > 0)
    .map(contactOf);
}

export async function createOverlayClient(o: OverlayClientOptions): Promise<OverlayClient> {
  const keeper = new WorldKeeper({
    verifier: o.verifier ?? chainVerifier(o.genesis),
    ...(o.rootUrls === undefined ? {} : { seedUrls: o.rootUrls }),
    ...(o.trusted === undefined ? {} : { trusted: o.trusted }),
    ...(o.nowMs === undefined ? {} : { nowMs: o.nowMs }),
  });
  let world = await keeper.refresh();
  const peer = await OverlayPeer.start({ ...o, roots: worldRoots(world) });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const refreshWorld = async (): Promise<VerifiedWorld> => {
    const next = await keeper.refresh();
    const changed = next.worldHash !== world.worldHash;
    world = next; // the same world, fresher: its freshAtMs moved
    if (changed) {
      peer.setRoots(worldRoots(next));
      o.onWorld?.(next);
    }
    return next;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refreshWorld()
        .catch((err: WorldError) => o.onWorldRefused?.(err))
        .finally(schedule);
    }, keeper.refreshIntervalMs());
  };
  schedule();
  return {
    peer,
    world: () => world,
    refreshWorld,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await peer.stop();
    },
  };
}
